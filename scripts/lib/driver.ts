// Drives a deployed protocol on a fresh anvil for tests and benchmarks: any address can send
// (auto-impersonation, so thousands of participants cost no key handling), time is set per
// window, and every transaction's receipt is checked. Node only.
import {
  createPublicClient,
  createTestClient,
  createWalletClient,
  decodeErrorResult,
  encodeFunctionData,
  http,
  parseEventLogs,
  type Abi,
  type Address,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { foundry } from 'viem/chains';
import * as abis from '../../src/lib/chain/abi.generated.ts';
import type { ActionContext } from '../../src/lib/chain/actions/context.ts';
import { deployArena } from '../../src/lib/chain/deploy.ts';
import type { Deployment } from '../../src/lib/chain/deployments.ts';
import { freePort, startAnvil, type Anvil } from './anvil.ts';
import { loadArtifacts } from './artifacts.ts';

/** anvil's first dev key: public knowledge, for local chains only. */
export const ANVIL_KEY_0 = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80' as const;

const ALL_ABIS = [
  abis.arenaTokenAbi,
  abis.taskRegistryAbi,
  abis.stakeManagerAbi,
  abis.submissionBookAbi,
  abis.rewardEngineAbi,
].flat() as Abi;

export interface Call {
  address: Address;
  abi: Abi;
  functionName: string;
  args?: readonly unknown[];
  gas?: bigint;
}

export class Driver {
  readonly client: PublicClient;
  private readonly test;
  private readonly funded = new Set<Address>();

  constructor(
    readonly anvil: Anvil,
    readonly deployment: Deployment,
  ) {
    this.client = createPublicClient({ chain: foundry, transport: http(anvil.url) });
    this.test = createTestClient({ chain: foundry, mode: 'anvil', transport: http(anvil.url) });
  }

  get c() {
    return this.deployment.contracts;
  }

  /** Sends `call` from `from` and returns its receipt; a revert throws with the decoded error. */
  async send(from: Address, call: Call): Promise<TransactionReceipt> {
    if (!this.funded.has(from)) {
      await this.test.setBalance({ address: from, value: 10n ** 24n });
      this.funded.add(from);
    }
    const data = encodeFunctionData({ abi: call.abi, functionName: call.functionName, args: call.args ?? [] });
    let hash: Hex;
    try {
      hash = await this.client.request({
        method: 'eth_sendTransaction',
        params: [{ from, to: call.address, data, ...(call.gas ? { gas: `0x${call.gas.toString(16)}` } : {}) }],
      } as never);
    } catch (err) {
      throw new Error(`${call.functionName} from ${from} reverted: ${describeRevert(err)}`, { cause: err });
    }
    const receipt = await this.receipt(hash, call.functionName);
    if (receipt.status !== 'success') throw new Error(`${call.functionName} from ${from} failed in tx ${hash}`);
    return receipt;
  }

  /** Counts transactions sent, for benchmarks. */
  sent = 0;

  /**
   * Polls for the receipt. Not viem's waitForTransactionReceipt: if the receipt is not indexed
   * on its first look it waits for a new block, which never comes when anvil mines on arrival and
   * nothing else is being sent.
   */
  private async receipt(hash: Hex, what: string): Promise<TransactionReceipt> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const receipt = await this.client.getTransactionReceipt({ hash }).catch(() => undefined);
      if (receipt) {
        this.sent++;
        return receipt;
      }
      if (Date.now() > deadline) throw new Error(`${what}: no receipt for ${hash} within 30 s`);
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  read<T>(call: Call): Promise<T> {
    return this.client.readContract({ ...call, args: call.args ?? [] } as never) as Promise<T>;
  }

  /** Sets the next block's time and mines it, so views see the new time too. */
  async warp(timestamp: bigint): Promise<void> {
    await this.test.setNextBlockTimestamp({ timestamp });
    await this.test.mine({ blocks: 1 });
  }

  async now(): Promise<bigint> {
    return (await this.client.getBlock()).timestamp;
  }

  /**
   * The app's action context for `from`, sending through this driver (impersonated, receipt
   * checked): so scripts run the same actions as the app (src/lib/chain/actions).
   */
  actionContext(from: Address): ActionContext {
    return {
      publicClient: this.client,
      deployment: this.deployment,
      wallet: createWalletClient({ account: from, chain: foundry, transport: http(this.anvil.url) }),
      send: (request) => this.send(from, request.call),
    };
  }

  events(receipt: TransactionReceipt) {
    return parseEventLogs({ abi: ALL_ABIS, logs: receipt.logs });
  }

  stop(): Promise<void> {
    return this.anvil.stop();
  }
}

function describeRevert(err: unknown): string {
  // Walk the cause chain for revert data and decode it against the protocol's errors.
  let e: unknown = err;
  while (e && typeof e === 'object') {
    const data = (e as { data?: unknown }).data;
    if (typeof data === 'string' && data.startsWith('0x') && data.length >= 10) {
      try {
        const decoded = decodeErrorResult({ abi: ALL_ABIS, data: data as Hex });
        return `${decoded.errorName}(${(decoded.args ?? []).map(String).join(', ')})`;
      } catch {
        return data;
      }
    }
    e = (e as { cause?: unknown }).cause;
  }
  return err instanceof Error ? err.message.split('\n')[0]! : String(err);
}

export interface LaunchOptions {
  port?: number;
  rejectQuorum?: bigint;
  minReviewPeriod?: bigint;
}

/** Starts a fresh anvil (EIP-7825 transaction gas cap on) and deploys the protocol. */
export async function launchArena(opts: LaunchOptions = {}): Promise<Driver> {
  const anvil = await startAnvil({
    port: opts.port ?? (await freePort()),
    gasLimit: 60_000_000n,
    extraArgs: ['--auto-impersonate', '--enable-tx-gas-limit'],
  });
  try {
    const account = privateKeyToAccount(ANVIL_KEY_0);
    const wallet = createWalletClient({ account, chain: foundry, transport: http(anvil.url) });
    const client = createPublicClient({ chain: foundry, transport: http(anvil.url) });
    const artifacts = loadArtifacts();
    const bytecodes = Object.fromEntries(Object.entries(artifacts).map(([k, v]) => [k, v.bytecode]));
    const deployment = await deployArena(wallet, client as PublicClient, bytecodes as never, {
      rejectQuorum: opts.rejectQuorum ?? 1_000_000n * 10n ** 18n,
      minReviewPeriod: opts.minReviewPeriod ?? 10n,
      initialSupply: 0n,
      treasury: account.address,
    });
    return new Driver(anvil, deployment);
  } catch (err) {
    await anvil.stop();
    throw err;
  }
}
