// One epoch's table: its columns (revealed submissions, or in the final phase every trainer's
// latest), what each validator that revealed scored them, and once finalized the ranks,
// aggregate scores and rewards booked (from the reward engine's events).
import { parseEventLogs, type Address, type Hex } from 'viem';
import { rewardEngineAbi, submissionBookAbi, taskRegistryAbi } from '../abi.generated.ts';
import { unpackScores } from '../commitments.ts';
import { wadToNumber } from '../reads/activity.ts';
import type { ReadContext } from './context.ts';
import { readLogs } from './events.ts';

export interface LeaderboardRow {
  column: number;
  trainer: Address;
  submissionId: bigint;
  artifactHash: Hex;
  wmCommit: Hex;
  sealSeq: bigint;
  duplicate: boolean;
  /** 1 = best; once the epoch is finalized. */
  rank?: number;
  /** Stake-weighted mean score in [0, 1]; once finalized. */
  aggregate?: number;
  /** Trainer pool reward (own + delegators) and the trainer's own part; once finalized. */
  pool?: bigint;
  own?: bigint;
}

export interface ValidatorRow {
  validator: Address;
  /** Scores 0..10000 in column order. */
  scores: number[];
  /** Mean distance to the aggregate, pool and own reward; once finalized. */
  distance?: number;
  pool?: bigint;
  own?: bigint;
}

export interface Leaderboard {
  taskId: bigint;
  epoch: number;
  finalized: boolean;
  rows: LeaderboardRow[];
  validators: ValidatorRow[];
}

export async function readLeaderboard(ctx: ReadContext, taskId: bigint, epoch: number): Promise<Leaderboard> {
  const { submissionBook, taskRegistry, rewardEngine } = ctx.deployment.contracts;
  const read = ctx.publicClient;
  const e = BigInt(epoch);
  const [columns, revealers, task] = await Promise.all([
    read.readContract({ address: submissionBook, abi: submissionBookAbi, functionName: 'columns', args: [taskId, e] }),
    read.readContract({ address: submissionBook, abi: submissionBookAbi, functionName: 'revealersOf', args: [taskId, e] }),
    read.readContract({ address: taskRegistry, abi: taskRegistryAbi, functionName: 'getTask', args: [taskId] }),
  ]);
  const [submissions, scoreWords] = await Promise.all([
    Promise.all(
      columns.map((c) =>
        read.readContract({ address: submissionBook, abi: submissionBookAbi, functionName: 'getSubmission', args: [taskId, BigInt(c.submissionId)] }),
      ),
    ),
    Promise.all(
      revealers.map((_, j) =>
        read.readContract({ address: submissionBook, abi: submissionBookAbi, functionName: 'scoresOf', args: [taskId, e, BigInt(j)] }),
      ),
    ),
  ]);
  const finalized = task.closedEpochs > epoch;
  const rows: LeaderboardRow[] = columns.map((c, i) => ({
    column: i,
    trainer: c.trainer,
    submissionId: BigInt(c.submissionId),
    artifactHash: submissions[i]!.artifactHash,
    wmCommit: submissions[i]!.wmCommit,
    sealSeq: BigInt(c.sealSeq),
    duplicate: c.duplicate,
  }));
  const validators: ValidatorRow[] = revealers.map((validator, j) => ({ validator, scores: unpackScores(scoreWords[j]!, columns.length) }));
  if (finalized) {
    const topics = { taskId, epoch: e };
    const [trainerLogs, validatorLogs] = await Promise.all([
      readLogs(ctx, { address: rewardEngine, abi: rewardEngineAbi, eventName: 'TrainerRewarded', args: topics }),
      readLogs(ctx, { address: rewardEngine, abi: rewardEngineAbi, eventName: 'ValidatorRewarded', args: topics }),
    ]);
    for (const ev of parseEventLogs({ abi: rewardEngineAbi, eventName: 'TrainerRewarded', logs: trainerLogs })) {
      const row = rows.find((r) => r.submissionId === ev.args.submissionId);
      if (!row) continue;
      Object.assign(row, { rank: Number(ev.args.rank), aggregate: wadToNumber(ev.args.aggregate), pool: ev.args.pool, own: ev.args.own });
    }
    for (const ev of parseEventLogs({ abi: rewardEngineAbi, eventName: 'ValidatorRewarded', logs: validatorLogs })) {
      const row = validators.find((v) => v.validator === ev.args.validator);
      if (row) Object.assign(row, { distance: wadToNumber(ev.args.distance), pool: ev.args.pool, own: ev.args.own });
    }
    rows.sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity) || a.column - b.column);
  }
  return { taskId, epoch, finalized, rows, validators };
}
