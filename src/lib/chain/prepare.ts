// Prepared requests: what a seal or a score commitment sends, computed once by a pure step. An
// agent prepares, stores the result (its salt must survive a reload, or the reveal is lost) and
// hands it to the action, which sends the stored commitment unchanged; nothing recomputes it on
// the way, so what is revealed later is exactly what was committed.
import type { Address, Hex } from 'viem';
import { packScores, scoresCommitment, sealCommitment, verdictCommitment } from './commitments.ts';
import { checkedTranscript, type TranscriptCommitment } from './transcript-commit.ts';

export interface SealInput {
  taskId: bigint;
  /** The epoch whose seal window the seal goes into. */
  epoch: number;
  trainer: Address;
  artifactHash: Hex;
  wmCommit: Hex;
  /** The model's training transcript (SPEC 8.2): revealed with the seal, disclosed if challenged. */
  transcript: TranscriptCommitment;
  salt: Hex;
}

export interface PreparedSeal extends SealInput {
  /** SubmissionBook.sealCommitment(task, epoch, trainer, artifactHash, wmCommit, transcript, salt) */
  commitment: Hex;
}

/** The seal's commitment; RangeError for a transcript the chain would refuse at the reveal. */
export function prepareSeal(p: SealInput): PreparedSeal {
  const transcript = checkedTranscript(p.transcript);
  return {
    ...p,
    commitment: sealCommitment(p.taskId, BigInt(p.epoch), p.trainer, p.artifactHash, p.wmCommit, transcript, p.salt),
  };
}

export interface ScoresInput {
  taskId: bigint;
  epoch: number;
  validator: Address;
  /** One score per column in the contract's column order, integers 0..10000. */
  scores: readonly number[];
  salt: Hex;
}

export interface PreparedScores extends ScoresInput {
  /** The scores packed 16 per word, as revealed. */
  words: bigint[];
  /** keccak256(abi.encode(task, epoch, validator, words, salt)) */
  commitment: Hex;
}

export function prepareScores(p: ScoresInput): PreparedScores {
  const words = packScores(p.scores);
  return { ...p, words, commitment: scoresCommitment(p.taskId, BigInt(p.epoch), p.validator, words, p.salt) };
}

export interface VerdictInput {
  challengeId: bigint;
  /** The disputed segment (the challenge's, as the module stores it). */
  segment: number;
  juror: Address;
  /** true: the segment replays (the accused passes on it); false: it does not. */
  replays: boolean;
  salt: Hex;
}

export interface PreparedVerdict extends VerdictInput {
  /** ChallengeModule.verdictCommitment(challengeId, segment, juror, replays, salt) */
  commitment: Hex;
}

/** A juror's verdict commitment (SPEC 8.4); keep the salt until the reveal, or the vote is lost. */
export function prepareVerdict(p: VerdictInput): PreparedVerdict {
  return { ...p, commitment: verdictCommitment(p.challengeId, p.segment, p.juror, p.replays, p.salt) };
}
