// The Challenges page's reads in one use case: the task's revealed submissions, its challenges,
// which trainers already forfeited, and what the connected account may do (its role, whether it
// forfeited, whether its stake is eligible). The page renders the result; it decides nothing.
import { parseEventLogs, type Address } from 'viem';
import { challengeModuleAbi } from '../chain/abi.generated.ts';
import type { ReadContext } from '../chain/actions/context.ts';
import { readLogs } from '../chain/actions/events.ts';
import { eligibleEpoch, readPool } from '../chain/actions/participants.ts';
import {
  challengeModuleOf,
  readChallenges,
  readSubmissions,
  type SubmissionView,
  type TaskChallenges,
} from '../chain/actions/read-challenges.ts';
import { roleName } from '../chain/actions/task-params.ts';
import { readJurorWeight, readJuryShare, readTally, readVote } from '../chain/actions/read-verdicts.ts';
import type { Standing, VerdictRead } from './challenges-view.ts';

export interface ChallengesRead {
  submissions: SubmissionView[];
  record: TaskChallenges;
  standing: Standing;
  /** Lower-cased addresses of the trainers that forfeited everything in this task. */
  forfeited: Set<string>;
  /** The verdict stage of every disputed challenge, by id. */
  verdicts: Map<bigint, VerdictRead>;
  /** The connected account's weight as a juror now (its own validator stake counted this epoch). */
  weight: bigint;
}

export const NO_STANDING: Standing = { account: null, role: null, forfeited: false, eligible: false };

export async function readChallengesPage(
  ctx: ReadContext,
  taskId: bigint,
  account: Address | null,
): Promise<ChallengesRead> {
  const [submissions, record, pool] = await Promise.all([
    readSubmissions(ctx, taskId),
    readChallenges(ctx, { taskId }),
    account ? readPool(ctx, taskId, account) : Promise.resolve(null),
  ]);
  const trainers = [...new Set(submissions.map((s) => s.trainer))];
  const [pools, verdicts, weight] = await Promise.all([
    Promise.all(trainers.map((t) => readPool(ctx, taskId, t))),
    readVerdicts(ctx, record, account),
    account ? readJurorWeight(ctx, taskId, account) : Promise.resolve(0n),
  ]);
  return {
    verdicts,
    weight,
    submissions,
    record,
    forfeited: new Set(trainers.filter((_, i) => pools[i]!.forfeited).map((t) => t.toLowerCase())),
    standing: {
      account,
      role: pool ? (roleName(pool.role) ?? null) : null,
      forfeited: pool?.forfeited ?? false,
      eligible: pool ? eligibleEpoch(pool.eligibleFrom) !== null : false,
    },
  };
}

/** Tally, committed jurors and the account's vote of each disputed challenge (SPEC 8.4). */
async function readVerdicts(
  ctx: ReadContext,
  record: TaskChallenges,
  account: Address | null,
): Promise<Map<bigint, VerdictRead>> {
  const disputed = record.challenges.filter((c) => c.dispute !== null);
  const out = new Map<bigint, VerdictRead>();
  if (disputed.length === 0) return out;
  const logs = await readLogs(ctx, {
    address: challengeModuleOf(ctx.deployment),
    abi: challengeModuleAbi,
    eventName: 'VerdictCommitted',
    args: { challengeId: disputed.map((c) => c.challengeId) },
  });
  const committed = new Map<bigint, number>();
  for (const e of parseEventLogs({ abi: challengeModuleAbi, eventName: 'VerdictCommitted', logs }))
    committed.set(e.args.challengeId, (committed.get(e.args.challengeId) ?? 0) + 1);
  await Promise.all(
    disputed.map(async (c) => {
      const [tally, vote, share] = await Promise.all([
        readTally(ctx, c.challengeId),
        account ? readVote(ctx, c.challengeId, account) : Promise.resolve(null),
        account ? readJuryShare(ctx, c.challengeId, account) : Promise.resolve(0n),
      ]);
      out.set(c.challengeId, {
        tally,
        committed: committed.get(c.challengeId) ?? 0,
        mine: vote ? { ...vote, share } : null,
      });
    }),
  );
  return out;
}
