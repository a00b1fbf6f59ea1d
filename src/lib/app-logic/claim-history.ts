// What an account has already taken out, from the StakeManager's events: rewards claimed (own and
// from delegations) and principal withdrawn (stake, delegations), and from the TaskRegistry's the
// unspent deposits it took back as a task's creator, newest first with the chain
// time of each. The Rewards page lists it under what is left, so "nothing to claim" after a claim
// reads as done, not as "never earned". The read is an edge; the rows are pure.
import type { Address, Hex } from 'viem';
import { stakeManagerAbi, taskRegistryAbi } from '../chain/abi.generated.ts';
import type { ReadContext } from '../chain/actions/context.ts';
import { shortHex } from '../format.ts';

export type ClaimEventKind = 'own-rewards' | 'delegation-rewards' | 'stake' | 'delegation' | 'remainder';

export interface ClaimEvent {
  kind: ClaimEventKind;
  taskId: bigint;
  amount: bigint;
  /** The trainer or validator a delegation went to. */
  delegatee?: Address;
  block: bigint;
  logIndex: number;
  txHash: Hex;
  /** Chain time of the block (unix seconds). */
  time: bigint;
}

export interface ClaimHistoryRow {
  key: string;
  taskId: bigint;
  what: string;
  amount: bigint;
  time: bigint;
  txHash: Hex;
  reward: boolean;
}

/** Reads every claim and withdrawal `account` made since the deployment. */
export async function readClaimHistory(ctx: ReadContext, account: Address): Promise<ClaimEvent[]> {
  const { publicClient: client, deployment } = ctx;
  const base = {
    address: deployment.contracts.stakeManager,
    abi: stakeManagerAbi,
    fromBlock: deployment.fromBlock,
    strict: true,
  } as const;
  const [own, delegationRewards, stake, principal, remainder] = await Promise.all([
    client.getContractEvents({ ...base, eventName: 'OwnRewardsClaimed', args: { account } }),
    client.getContractEvents({ ...base, eventName: 'RewardsClaimed', args: { delegator: account } }),
    client.getContractEvents({ ...base, eventName: 'StakeWithdrawn', args: { account } }),
    client.getContractEvents({ ...base, eventName: 'PrincipalWithdrawn', args: { delegator: account } }),
    client.getContractEvents({
      address: deployment.contracts.taskRegistry,
      abi: taskRegistryAbi,
      fromBlock: deployment.fromBlock,
      strict: true,
      eventName: 'RemainderWithdrawn',
      args: { creator: account },
    }),
  ]);
  type Raw = Omit<ClaimEvent, 'time'>;
  const at = (l: { blockNumber: bigint; logIndex: number; transactionHash: Hex }) => ({
    block: l.blockNumber,
    logIndex: l.logIndex,
    txHash: l.transactionHash,
  });
  const raw: Raw[] = [
    ...own.map((l): Raw => ({ kind: 'own-rewards', taskId: l.args.taskId, amount: l.args.amount, ...at(l) })),
    ...delegationRewards.map((l): Raw => ({
      kind: 'delegation-rewards',
      taskId: l.args.taskId,
      amount: l.args.amount,
      delegatee: l.args.delegatee,
      ...at(l),
    })),
    ...stake.map((l): Raw => ({ kind: 'stake', taskId: l.args.taskId, amount: l.args.amount, ...at(l) })),
    ...principal.map((l): Raw => ({
      kind: 'delegation',
      taskId: l.args.taskId,
      amount: l.args.amount,
      delegatee: l.args.delegatee,
      ...at(l),
    })),
    ...remainder.map((l): Raw => ({ kind: 'remainder', taskId: l.args.taskId, amount: l.args.amount, ...at(l) })),
  ];
  const blocks = [...new Set(raw.map((r) => r.block))];
  const times = new Map(
    await Promise.all(blocks.map(async (n) => [n, (await client.getBlock({ blockNumber: n })).timestamp] as const)),
  );
  return raw.map((r) => ({ ...r, time: times.get(r.block)! }));
}

const WHAT: Record<ClaimEventKind, (e: ClaimEvent) => string> = {
  'own-rewards': () => 'Your own rewards claimed',
  'delegation-rewards': (e) => `Delegation rewards from ${shortHex(e.delegatee!, 4)} claimed`,
  stake: () => 'Stake withdrawn',
  delegation: (e) => `Delegation to ${shortHex(e.delegatee!, 4)} withdrawn`,
  remainder: () => 'Unspent deposit taken back',
};

/** The history as rows, newest first. */
export function claimHistoryRows(events: readonly ClaimEvent[]): ClaimHistoryRow[] {
  return [...events]
    .sort((a, b) => (a.block === b.block ? b.logIndex - a.logIndex : a.block < b.block ? 1 : -1))
    .map((e) => ({
      key: `${e.txHash}:${e.logIndex}`,
      taskId: e.taskId,
      what: WHAT[e.kind](e),
      amount: e.amount,
      time: e.time,
      txHash: e.txHash,
      reward: e.kind === 'own-rewards' || e.kind === 'delegation-rewards',
    }));
}

/** What the Rewards section says when no reward is left to claim. */
export function noRewardsSentence(history: readonly ClaimHistoryRow[]): string {
  const claimed = history.filter((r) => r.reward).reduce((n, r) => n + r.amount, 0n);
  return claimed > 0n
    ? 'Nothing left to claim: every reward booked to you so far has been claimed (see the history below). New rewards are booked when an epoch you take part in is finalized.'
    : 'No rewards booked to you yet. Rewards are booked when an epoch you took part in is finalized.';
}
