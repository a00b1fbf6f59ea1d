// Joins a task as trainer (with the watermark key commitment, SPEC section 6) or validator, with
// an own stake of at least the role's minimum (SPEC 3, revision 2: no slot is held with dust) and
// sigma; the stake goes in with a permit when possible.
import { zeroHash, type Hex, type TransactionReceipt } from 'viem';
import { stakeManagerAbi, taskRegistryAbi } from '../abi.generated.ts';
import { receiptEvent } from '../receipt-events.ts';
import {
  ActionInputError,
  percent,
  requireFraction,
  requirePositive,
  send,
  tokens,
  writeCall,
  type ActionContext,
  type ReadContext,
} from './context.ts';
import { authorizeSpend, NO_PERMIT } from './permit.ts';
import { roleNumber, type RoleName } from './task-params.ts';
import { isFieldElement } from '../../ml/watermark/field.ts';

export interface JoinTaskParams {
  taskId: bigint;
  role: RoleName;
  amount: bigint;
  /** Own share of the pool's rewards before delegators are paid, WAD (0..1e18). */
  sigma: bigint;
  /** Trainers: Poseidon(H_X, keySalt) of the watermark key; validators: omitted. */
  keyCommit?: Hex;
}

export interface JoinTaskResult {
  effectiveEpoch: bigint;
  receipt: TransactionReceipt;
}

/** The smallest own stake `role` may join task `taskId` with (StakeManager.join: StakeBelowMinimum). */
export async function readMinStake(ctx: ReadContext, p: { taskId: bigint; role: RoleName }): Promise<bigint> {
  const rules = await ctx.publicClient.readContract({
    address: ctx.deployment.contracts.taskRegistry,
    abi: taskRegistryAbi,
    functionName: 'stakeRules',
    args: [p.taskId],
  });
  return p.role === 'trainer' ? rules.minTrainerStake : rules.minValidatorStake;
}

export async function joinTask(ctx: ActionContext, p: JoinTaskParams): Promise<JoinTaskResult> {
  requirePositive('amount', p.amount);
  requireFraction('sigma', p.sigma);
  if (p.role === 'trainer' && (!p.keyCommit || /^0x0*$/.test(p.keyCommit))) {
    throw new ActionInputError('keyCommit', 'A trainer joins with the commitment of its watermark key.');
  }
  if (p.role === 'trainer' && !isFieldElement(BigInt(p.keyCommit!))) {
    throw new ActionInputError(
      'keyCommit',
      'The key commitment is not a Poseidon field element, so no ownership proof could ever use it; it was not made by this app.',
    );
  }
  if (p.role === 'validator' && p.keyCommit && !/^0x0*$/.test(p.keyCommit)) {
    throw new ActionInputError('keyCommit', 'A validator joins without a watermark key commitment.');
  }
  const min = await readMinStake(ctx, p);
  if (p.amount < min) {
    throw new ActionInputError(
      'amount',
      `A ${p.role} joins task ${p.taskId} with at least ${tokens(min)} (the task's minimum ${p.role} stake); ${tokens(p.amount)} is below it.`,
    );
  }
  const stakes = ctx.deployment.contracts.stakeManager;
  const role = roleNumber(p.role);
  const key = p.role === 'trainer' ? p.keyCommit! : zeroHash;
  const auth = await authorizeSpend(ctx, {
    spender: stakes,
    amount: p.amount,
    precheck: writeCall(stakes, stakeManagerAbi, 'joinWithPermit', [p.taskId, role, p.amount, p.sigma, key, NO_PERMIT]),
  });
  const receipt = await send(ctx, {
    kind: 'joinTask',
    label: `Join task ${p.taskId} as ${p.role} with ${tokens(p.amount)}`,
    summary: { task: String(p.taskId), role: p.role, stake: tokens(p.amount), sigma: percent(p.sigma) },
    call:
      auth.kind === 'permit'
        ? writeCall(stakes, stakeManagerAbi, 'joinWithPermit', [p.taskId, role, p.amount, p.sigma, key, auth.sig])
        : writeCall(stakes, stakeManagerAbi, 'join', [p.taskId, role, p.amount, p.sigma, key]),
  });
  const joined = receiptEvent(receipt, stakeManagerAbi, 'Joined');
  return { effectiveEpoch: joined.args.effectiveEpoch, receipt };
}
