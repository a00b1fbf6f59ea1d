// CanaryCreatorPort over the protocol actions (commit-canaries, reveal-canaries): writes go
// through the actions and their sender, reads are view calls; failures become PortErrors that
// say whether trying again can help (as the agents' chain adapter does).
import { getAddress, zeroHash } from 'viem';
import { taskRegistryAbi } from '../../chain/abi.generated.ts';
import {
  chainTime,
  commitCanaries,
  readCanaryCommit,
  readCanaryReveal,
  revealCanaries,
  type ActionContext,
} from '../../chain/actions/index.ts';
import { chainPortError } from '../adapters/chain.ts';
import { PortError } from '../ports.ts';
import type { CanaryCreatorPort, CanaryTaskInfo } from './ports.ts';

export function actionsCanaryPort(ctx: ActionContext, taskId: bigint): CanaryCreatorPort {
  const guard = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (e) {
      throw chainPortError(e);
    }
  };
  return {
    creator: ctx.wallet.account.address,
    taskId,
    now: () => chainTime(ctx),
    async task(): Promise<CanaryTaskInfo> {
      const t = await ctx.publicClient.readContract({
        address: ctx.deployment.contracts.taskRegistry,
        abi: taskRegistryAbi,
        functionName: 'getTask',
        args: [taskId],
      });
      return {
        schedule: { ...t.schedule },
        creator: getAddress(t.creator),
        minStake: t.stakeRules.minTrainerStake,
        modelSpec: t.modelSpec,
        trainData: t.trainData,
      };
    },
    canaryCommit: async (epoch) => (await readCanaryCommit(ctx, { taskId, epoch })) ?? zeroHash,
    canaryReveal: async (epoch) => {
      const v = await readCanaryReveal(ctx, { taskId, epoch });
      return { revealed: v.revealed, mask: v.mask };
    },
    commitCanaries: (epoch, keyHash) =>
      guard(async () => ({ txHash: (await commitCanaries(ctx, { taskId, epoch, keyHash })).receipt.transactionHash })),
    revealCanaries: (epoch, key) =>
      guard(async () => {
        // The action reveals in the chain's current epoch; the key only opens `epoch`'s commitment,
        // so a stale clock is refused before anything is sent (CanaryKeyMismatch).
        const r = await revealCanaries(ctx, { taskId, canaryKey: key });
        if (r.epoch !== epoch)
          throw new PortError(
            'chain',
            'wrong-epoch',
            `the canaries of epoch ${r.epoch} were revealed, not those of ${epoch}`,
            false,
          );
        return { txHash: r.receipt.transactionHash, mask: r.mask };
      }),
  };
}
