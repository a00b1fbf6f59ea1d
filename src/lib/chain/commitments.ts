// Commitments and score encoding exactly as the contracts check them (SPEC 2.2, 8.2): every hash
// binds task, epoch and sender, so a copied commitment or a replayed reveal fails on chain; a
// seal also binds the training transcript.
import { encodeAbiParameters, keccak256, type Address, type Hex } from 'viem';
import type { TranscriptCommitment } from './transcript-commit.ts';

/** Scores on chain are integers 0..10000: four decimals exactly. */
export const MAX_SCORE = 10_000;
const LANES = 16;

/**
 * SubmissionBook.sealCommitment: keccak256(abi.encode(task, epoch, trainer, artifactHash, wmCommit,
 * trajRoot, segments, startRoot, startLeaf, salt)); the transcript (SPEC 8.2) encodes inline as
 * four words, in TranscriptCommit's field order.
 */
export function sealCommitment(
  taskId: bigint,
  epoch: bigint,
  trainer: Address,
  artifactHash: Hex,
  wmCommit: Hex,
  transcript: TranscriptCommitment,
  salt: Hex,
): Hex {
  return keccak256(
    encodeAbiParameters(
      [
        { type: 'uint256' },
        { type: 'uint256' },
        { type: 'address' },
        { type: 'bytes32' },
        { type: 'bytes32' },
        { type: 'bytes32' },
        { type: 'uint32' },
        { type: 'bytes32' },
        { type: 'uint32' },
        { type: 'bytes32' },
      ],
      [
        taskId,
        epoch,
        trainer,
        artifactHash,
        wmCommit,
        transcript.trajRoot,
        transcript.segments,
        transcript.startRoot,
        transcript.startLeaf,
        salt,
      ],
    ),
  );
}

/** keccak256(abi.encode(task, epoch, validator, words, salt)) over the packed score words. */
export function scoresCommitment(
  taskId: bigint,
  epoch: bigint,
  validator: Address,
  words: readonly bigint[],
  salt: Hex,
): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: 'uint256' }, { type: 'uint256' }, { type: 'address' }, { type: 'uint256[]' }, { type: 'bytes32' }],
      [taskId, epoch, validator, words, salt],
    ),
  );
}

/**
 * ChallengeModule.verdictCommitment: keccak256(abi.encode(challengeId, segment, juror, replays,
 * salt)). Bound to the challenge, the disputed segment and the juror (SPEC 8.4).
 */
export function verdictCommitment(
  challengeId: bigint,
  segment: number,
  juror: Address,
  replays: boolean,
  salt: Hex,
): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: 'uint256' }, { type: 'uint256' }, { type: 'address' }, { type: 'bool' }, { type: 'bytes32' }],
      [challengeId, BigInt(segment), juror, replays, salt],
    ),
  );
}

/** keccak256(abi.encode(finalEvalHash, salt)): the task's hidden final eval set. */
export function finalEvalCommitment(finalEvalHash: Hex, salt: Hex): Hex {
  return keccak256(encodeAbiParameters([{ type: 'bytes32' }, { type: 'bytes32' }], [finalEvalHash, salt]));
}

/** Packs scores (integers 0..10000, one per column in list order) 16 per word. */
export function packScores(scores: readonly number[]): bigint[] {
  const words = new Array<bigint>(Math.ceil(scores.length / LANES)).fill(0n);
  scores.forEach((score, i) => {
    if (!Number.isInteger(score) || score < 0 || score > MAX_SCORE) {
      throw new RangeError(`score of column ${i} must be an integer in 0..${MAX_SCORE}, got ${score}`);
    }
    words[Math.floor(i / LANES)]! |= BigInt(score) << BigInt((i % LANES) * 16);
  });
  return words;
}

export function unpackScores(words: readonly bigint[], columns: number): number[] {
  return Array.from({ length: columns }, (_, i) =>
    Number((words[Math.floor(i / LANES)]! >> BigInt((i % LANES) * 16)) & 0xffffn),
  );
}

/** A score in [0, 1] to its on-chain integer: rounded to four decimals. */
export function scoreToUnits(score: number): number {
  if (!Number.isFinite(score) || score < 0 || score > 1) throw new RangeError(`score must be in [0, 1], got ${score}`);
  return Math.round(score * MAX_SCORE);
}
