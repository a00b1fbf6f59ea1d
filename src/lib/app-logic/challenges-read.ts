// The Challenges page's reads in one use case: the task's revealed submissions, its challenges,
// which trainers already forfeited, and what the connected account may do (its role, whether it
// forfeited, whether its stake is eligible). The page renders the result; it decides nothing.
import type { Address } from 'viem';
import type { ReadContext } from '../chain/actions/context.ts';
import { eligibleEpoch, readPool } from '../chain/actions/participants.ts';
import {
  readChallenges,
  readSubmissions,
  type SubmissionView,
  type TaskChallenges,
} from '../chain/actions/read-challenges.ts';
import { roleName } from '../chain/actions/task-params.ts';
import type { Standing } from './challenges-view.ts';

export interface ChallengesRead {
  submissions: SubmissionView[];
  record: TaskChallenges;
  standing: Standing;
  /** Lower-cased addresses of the trainers that forfeited everything in this task. */
  forfeited: Set<string>;
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
  const pools = await Promise.all(trainers.map((t) => readPool(ctx, taskId, t)));
  return {
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
