// A fresh anvil with the protocol deployed, and an action context per dev account built the way
// the app builds it: wagmi config, dev-accounts connector, network check, wallet client.
import { connect } from '@wagmi/core';
import { http, type Address } from 'viem';
import { arenaTokenAbi } from '../../../src/lib/chain/abi.generated.ts';
import { defaultTaskParams } from '../../../scripts/lib/actions.ts';
import { DEFAULT_REWARD_PARAMS } from '../../../src/lib/chain/task-defaults.ts';
export { fieldKey } from '../../../scripts/lib/actions.ts';
import { launchArena, type Driver, type LaunchOptions } from '../../../scripts/lib/driver.ts';
import type { ActionContext } from '../../../src/lib/chain/actions/context.ts';
import type { TaskParamsInput } from '../../../src/lib/chain/actions/task-params.ts';
import { devClock, type DevClock } from '../../../src/lib/chain/actions/dev/time.ts';
import type { Deployment } from '../../../src/lib/chain/deployments.ts';
import type { Sender } from '../../../src/lib/chain/tx/types.ts';
import { createArenaWagmiConfig } from '../../../src/lib/chain/wallet/config.ts';
import { DEV_CONNECTOR_ID } from '../../../src/lib/chain/wallet/dev-accounts.ts';
import { walletActionContext } from '../../../src/lib/chain/wallet/session.ts';
import { walletSettings } from '../../../src/lib/chain/wallet/settings.ts';

export interface ArenaEnv {
  driver: Driver;
  deployment: Deployment;
  rpcUrl: string;
  clock: DevClock;
  /** The action context of dev account `index`, connected through wagmi. */
  as(index: number, options?: { send?: Sender }): Promise<ActionContext & { address: Address }>;
  stop(): Promise<void>;
}

const WAD = 10n ** 18n;

/** The token balance of `who` (default: the context's own account). */
export const tokenBalance = (ctx: ActionContext, who: Address = ctx.wallet.account.address): Promise<bigint> =>
  ctx.publicClient.readContract({
    address: ctx.deployment.contracts.token,
    abi: arenaTokenAbi,
    functionName: 'balanceOf',
    args: [who],
  });

/**
 * A small task for action tests: one submission epoch of 1000 s, no final or challenge phase,
 * a 10 s review, minimum stakes of 1 token and at most 16 trainers and 16 validators. Its epochs
 * pay out with a single revealed validator (minValidators 1; the SPEC's default is 3): the action
 * tests play one or two validators, and a test that plays more sets its own.
 */
export function oneEpochTaskParams(startTime: bigint, overrides: Partial<TaskParamsInput> = {}): TaskParamsInput {
  return defaultTaskParams(startTime, {
    finalEvalCommit: `0x${'0'.repeat(64)}`,
    epochLength: 1_000,
    reviewPeriod: 10,
    submissionEpochs: 1,
    finalEpochs: 0,
    challengeEpochs: 0,
    stakeRules: { minTrainerStake: WAD, minValidatorStake: WAD, maxTrainers: 16, maxValidators: 16, sigmaCooldown: 1 },
    challenge: { bond: WAD, responseTime: 3_600, slashBps: 5_000, disputeTime: 3_600, voteTime: 3_600, juryBps: 1_000 },
    reward: { ...DEFAULT_REWARD_PARAMS, minValidators: 1 },
    ...overrides,
  });
}

export async function startArenaEnv(options: LaunchOptions = {}): Promise<ArenaEnv> {
  const driver = await launchArena(options);
  const rpcUrl = driver.anvil.url;
  return {
    driver,
    deployment: driver.deployment,
    rpcUrl,
    clock: devClock(http(rpcUrl)),
    async as(index, options = {}) {
      const config = createArenaWagmiConfig({ chainId: driver.deployment.chainId, rpcUrl }, walletSettings({}), {
        storage: null,
        devAccountIndex: index,
      });
      const connector = config.connectors.find((c) => c.id === DEV_CONNECTOR_ID);
      if (!connector) throw new Error('no dev-accounts connector on a local chain');
      await connect(config, { connector });
      const ctx = await walletActionContext(config, driver.deployment, options);
      return { ...ctx, address: ctx.wallet.account.address };
    },
    stop: () => driver.stop(),
  };
}
