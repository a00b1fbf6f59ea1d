// One claim or withdrawal row as the chain action that pays it; resolves with what was paid.
import type { ActionContext } from '../../../lib/chain/actions/context.ts';
import { claimDelegationRewards } from '../../../lib/chain/actions/claim-delegation-rewards.ts';
import { claimOwnRewards } from '../../../lib/chain/actions/claim-own-rewards.ts';
import { withdrawDelegation } from '../../../lib/chain/actions/withdraw-delegation.ts';
import { withdrawRemainder } from '../../../lib/chain/actions/withdraw-remainder.ts';
import { withdrawStake } from '../../../lib/chain/actions/withdraw-stake.ts';
import type { ClaimAction } from '../../../lib/app-logic/claims.ts';

export async function performClaim(ctx: ActionContext, a: ClaimAction): Promise<bigint> {
  switch (a.kind) {
    case 'claim-own':
      return (await claimOwnRewards(ctx, { taskId: a.taskId })).amount;
    case 'claim-delegation':
      return (await claimDelegationRewards(ctx, { taskId: a.taskId, delegatee: a.delegatee })).amount;
    case 'withdraw-stake':
      return (await withdrawStake(ctx, { taskId: a.taskId })).amount;
    case 'withdraw-delegation':
      return (await withdrawDelegation(ctx, { taskId: a.taskId, delegatee: a.delegatee })).amount;
    case 'withdraw-remainder':
      return (await withdrawRemainder(ctx, { taskId: a.taskId })).amount;
  }
}
