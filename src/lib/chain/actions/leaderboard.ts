// One epoch's table: its columns (revealed submissions, or in the final phase every trainer's
// latest), what each validator that revealed scored them, and once finalized the ranks,
// aggregate scores and rewards booked (from the reward engine's events): who qualified (SPEC 4.3),
// which columns were the creator's canaries, which validators missed one, and the epoch's
// evaluation seed (SPEC 2.2).
import { parseEventLogs, zeroHash, type Address, type Hex } from 'viem';
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
  /** Where the artifact is: the sha2-256 digest of its UnixFS root CID (storage/unixfs/ref.ts). */
  artifactRoot: Hex;
  wmCommit: Hex;
  sealSeq: bigint;
  duplicate: boolean;
  /** 1 = best; once the epoch is finalized and only for a column that qualified. */
  rank?: number;
  /**
   * Once finalized: took a rank (aggregate above minScore and at least floorBps of the best);
   * false for one that did not qualify (it was booked nothing) and for a canary.
   */
  qualified?: boolean;
  /** One of the creator's probe models (revealed after scoring); never ranked. `canaryValid`: half the validator stake agreed with its median. */
  canary?: boolean;
  canaryValid?: boolean;
  /** Stake-weighted median score in [0, 1]; once finalized. */
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
  /** Missed a valid canary's median by more than tolV: booked nothing this epoch; once finalized. */
  failedCanary?: boolean;
}

export interface Leaderboard {
  taskId: bigint;
  epoch: number;
  finalized: boolean;
  /** The seed that chose the epoch's evaluation subset; null until drawn (score commit window). */
  evalSeed: Hex | null;
  rows: LeaderboardRow[];
  validators: ValidatorRow[];
}

export async function readLeaderboard(ctx: ReadContext, taskId: bigint, epoch: number): Promise<Leaderboard> {
  const { submissionBook, taskRegistry, rewardEngine } = ctx.deployment.contracts;
  const read = ctx.publicClient;
  const e = BigInt(epoch);
  const [columns, revealers, task, seed] = await Promise.all([
    read.readContract({ address: submissionBook, abi: submissionBookAbi, functionName: 'columns', args: [taskId, e] }),
    read.readContract({
      address: submissionBook,
      abi: submissionBookAbi,
      functionName: 'revealersOf',
      args: [taskId, e],
    }),
    read.readContract({ address: taskRegistry, abi: taskRegistryAbi, functionName: 'getTask', args: [taskId] }),
    read.readContract({
      address: submissionBook,
      abi: submissionBookAbi,
      functionName: 'evalSeedOf',
      args: [taskId, e],
    }),
  ]);
  const [submissions, scoreWords] = await Promise.all([
    Promise.all(
      columns.map((c) =>
        read.readContract({
          address: submissionBook,
          abi: submissionBookAbi,
          functionName: 'getSubmission',
          args: [taskId, BigInt(c.submissionId)],
        }),
      ),
    ),
    Promise.all(
      revealers.map((_, j) =>
        read.readContract({
          address: submissionBook,
          abi: submissionBookAbi,
          functionName: 'scoresOf',
          args: [taskId, e, BigInt(j)],
        }),
      ),
    ),
  ]);
  const finalized = task.closedEpochs > epoch;
  const rows: LeaderboardRow[] = columns.map((c, i) => ({
    column: i,
    trainer: c.trainer,
    submissionId: BigInt(c.submissionId),
    artifactHash: submissions[i]!.artifactHash,
    artifactRoot: submissions[i]!.artifactRoot,
    wmCommit: submissions[i]!.wmCommit,
    sealSeq: BigInt(c.sealSeq),
    duplicate: c.duplicate,
  }));
  const validators: ValidatorRow[] = revealers.map((validator, j) => ({
    validator,
    scores: unpackScores(scoreWords[j]!, columns.length),
  }));
  if (finalized) {
    const topics = { taskId, epoch: e };
    const [trainerLogs, validatorLogs, canaryLogs] = await Promise.all([
      readLogs(ctx, { address: rewardEngine, abi: rewardEngineAbi, eventName: 'TrainerRewarded', args: topics }),
      readLogs(ctx, { address: rewardEngine, abi: rewardEngineAbi, eventName: 'ValidatorRewarded', args: topics }),
      readLogs(ctx, { address: rewardEngine, abi: rewardEngineAbi, eventName: 'CanaryChecked', args: topics }),
    ]);
    for (const ev of parseEventLogs({ abi: rewardEngineAbi, eventName: 'TrainerRewarded', logs: trainerLogs })) {
      const row = rows.find((r) => r.submissionId === ev.args.submissionId);
      if (!row) continue;
      const qualified = ev.args.rank > 0n;
      Object.assign(row, {
        qualified,
        ...(qualified ? { rank: Number(ev.args.rank) } : {}),
        aggregate: wadToNumber(ev.args.aggregate),
        pool: ev.args.pool,
        own: ev.args.own,
      });
    }
    for (const ev of parseEventLogs({ abi: rewardEngineAbi, eventName: 'CanaryChecked', logs: canaryLogs })) {
      const row = rows.find((r) => r.submissionId === ev.args.submissionId);
      if (row)
        Object.assign(row, {
          canary: true,
          canaryValid: ev.args.valid,
          qualified: false,
          aggregate: wadToNumber(ev.args.aggregate),
        });
    }
    for (const ev of parseEventLogs({ abi: rewardEngineAbi, eventName: 'ValidatorRewarded', logs: validatorLogs })) {
      const row = validators.find((v) => v.validator === ev.args.validator);
      if (row)
        Object.assign(row, {
          distance: wadToNumber(ev.args.distance),
          pool: ev.args.pool,
          own: ev.args.own,
          failedCanary: ev.args.failedCanary,
        });
    }
    // Ranked first, then the rest by aggregate (canaries last), then list order.
    const order = (r: LeaderboardRow) => (r.rank !== undefined ? r.rank : r.canary ? 2e9 : 1e9);
    rows.sort((a, b) => order(a) - order(b) || (b.aggregate ?? -1) - (a.aggregate ?? -1) || a.column - b.column);
  }
  return { taskId, epoch, finalized, evalSeed: seed === zeroHash ? null : seed, rows, validators };
}
