// Canary hashes exactly as SubmissionBook computes them (docs/contracts.md, "Canaries"): the
// creator commits keccak256(abi.encode(canaryKey)) before an epoch, a canary account seals with
// canarySalt(task, useEpoch, trainer, canaryKey), and revealCanaries marks every column whose
// seal opens with that salt.
import { encodeAbiParameters, keccak256, stringToHex, type Address, type Hex } from 'viem';
import { sealCommitment } from './commitments.ts';
import type { TranscriptCommitment } from './transcript-commit.ts';

/** SubmissionBook.CANARY_DOMAIN = keccak256("aiarena/canary/v1"). */
export const CANARY_DOMAIN: Hex = keccak256(stringToHex('aiarena/canary/v1'));

/** SubmissionBook.MAX_CANARIES: more matching columns make revealCanaries revert TooManyCanaries. */
export const MAX_CANARIES = 16;

/** keccak256(abi.encode(canaryKey)): what commitCanaries records. */
export function canaryKeyHash(canaryKey: Hex): Hex {
  return keccak256(encodeAbiParameters([{ type: 'bytes32' }], [canaryKey]));
}

/** keccak256(abi.encode(CANARY_DOMAIN, task, useEpoch, trainer, canaryKey)): SubmissionBook.canarySalt. */
export function canarySalt(taskId: bigint, useEpoch: bigint, trainer: Address, canaryKey: Hex): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: 'bytes32' }, { type: 'uint256' }, { type: 'uint256' }, { type: 'address' }, { type: 'bytes32' }],
      [CANARY_DOMAIN, taskId, useEpoch, trainer, canaryKey],
    ),
  );
}

/** The column of a revealed submission, as revealCanaries tests it. */
export interface CanaryColumn {
  trainer: Address;
  /** The epoch the submission was sealed in (its own epoch, also in the final phase). */
  sealEpoch: bigint;
  artifactHash: Hex;
  wmCommit: Hex;
  /** The transcript the submission revealed (SubmissionBook.getSubmission: trajRoot, segments, startRoot, startLeaf). */
  transcript: TranscriptCommitment;
  /** The seal's commitment on chain (SubmissionBook.getSeal(task, sealEpoch, trainer).commitment). */
  commitment: Hex;
}

/**
 * The mask revealCanaries(task, key) sets in `epoch`: bit i iff column i's seal opens with
 * canarySalt(task, epoch, trainer, key). Lets a creator see before sending which columns the key
 * opens (and that they are at most MAX_CANARIES).
 */
export function expectedCanaryMask(
  taskId: bigint,
  epoch: bigint,
  canaryKey: Hex,
  columns: readonly CanaryColumn[],
): bigint {
  let mask = 0n;
  columns.forEach((c, i) => {
    const salt = canarySalt(taskId, epoch, c.trainer, canaryKey);
    if (
      sealCommitment(taskId, c.sealEpoch, c.trainer, c.artifactHash, c.wmCommit, c.transcript, salt).toLowerCase() ===
      c.commitment.toLowerCase()
    )
      mask |= 1n << BigInt(i);
  });
  return mask;
}

/** The set bits of a mask, ascending: the canary columns. */
export function maskColumns(mask: bigint): number[] {
  const out: number[] = [];
  for (let i = 0; mask >> BigInt(i) > 0n; i++) if ((mask >> BigInt(i)) & 1n) out.push(i);
  return out;
}
