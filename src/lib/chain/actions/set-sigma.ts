// Changes the caller's sigma (own share before delegators), at most once per the task's sigma
// cooldown. A decrease (or the same value) applies from the next epoch; an increase only from the
// epoch after next, so every delegator has a whole epoch to undelegate first (SPEC 3, revision 2).
import type { TransactionReceipt } from 'viem';
import { stakeManagerAbi } from '../abi.generated.ts';
import { receiptEvent } from '../receipt-events.ts';
import { effectiveEpoch, scoringEpochs, type Schedule } from '../schedule.ts';
import { ActionInputError, percent, requireFraction, send, writeCall, type ActionContext } from './context.ts';
import { chainTime, readSchedule } from './chain-now.ts';
import { readPool } from './participants.ts';

/** The epoch a change from `current` to `next` made at chain time `now` applies from (StakeManager.setSigma). Pure. */
export function sigmaEffectiveEpoch(schedule: Schedule, now: bigint, current: bigint, next: bigint): number {
  const eff = effectiveEpoch(schedule, now);
  return next > current ? eff + 1 : eff;
}

export interface SetSigmaResult {
  /** The first epoch whose rewards the new sigma splits. */
  effectiveEpoch: bigint;
  /** An increase: it applies one epoch later than a decrease would. */
  increase: boolean;
  receipt: TransactionReceipt;
}

export async function setSigma(ctx: ActionContext, p: { taskId: bigint; sigma: bigint }): Promise<SetSigmaResult> {
  requireFraction('sigma', p.sigma);
  const [pool, schedule, now] = await Promise.all([
    readPool(ctx, p.taskId, ctx.wallet.account.address),
    readSchedule(ctx, p.taskId),
    chainTime(ctx),
  ]);
  const increase = p.sigma > pool.sigmaLatest;
  // A non-member is left to the chain's NotJoined sentence.
  if (pool.role !== 0) {
    const eff = sigmaEffectiveEpoch(schedule, now, pool.sigmaLatest, p.sigma);
    const last = scoringEpochs(schedule) - 1;
    if (eff > last) {
      const why = increase
        ? `An increase applies only from the epoch after next (epoch ${eff}, so delegators can leave first), and task ${p.taskId}'s last scoring epoch is ${last}`
        : `It would apply from epoch ${eff}, and task ${p.taskId}'s last scoring epoch is ${last}`;
      throw new ActionInputError('sigma', `${why}: the change would never apply.`);
    }
  }
  const receipt = await send(ctx, {
    kind: 'setSigma',
    label: `Set your sigma in task ${p.taskId} to ${percent(p.sigma)}`,
    summary: {
      task: String(p.taskId),
      sigma: percent(p.sigma),
      applies: increase ? 'from the epoch after next (an increase)' : 'from the next epoch',
    },
    call: writeCall(ctx.deployment.contracts.stakeManager, stakeManagerAbi, 'setSigma', [p.taskId, p.sigma]),
  });
  const changed = receiptEvent(receipt, stakeManagerAbi, 'SigmaChanged');
  return { effectiveEpoch: changed.args.effectiveEpoch, increase, receipt };
}
