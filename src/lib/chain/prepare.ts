// Prepared requests: what a seal or a score commitment sends, computed once by a pure step. An
// agent prepares, stores the result (its salt must survive a reload, or the reveal is lost) and
// hands it to the action, which sends the stored commitment unchanged; nothing recomputes it on
// the way, so what is revealed later is exactly what was committed.
import type { Address, Hex } from 'viem';
import { packScores, scoresCommitment, sealCommitment } from './commitments.ts';

export interface SealInput {
  taskId: bigint;
  /** The epoch whose seal window the seal goes into. */
  epoch: number;
  trainer: Address;
  artifactHash: Hex;
  wmCommit: Hex;
  salt: Hex;
}

export interface PreparedSeal extends SealInput {
  /** keccak256(abi.encode(task, epoch, trainer, artifactHash, wmCommit, salt)) */
  commitment: Hex;
}

export function prepareSeal(p: SealInput): PreparedSeal {
  return { ...p, commitment: sealCommitment(p.taskId, BigInt(p.epoch), p.trainer, p.artifactHash, p.wmCommit, p.salt) };
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
