// The creator's and the pool accounts' action contexts in Node, from private keys (never
// printed: errors name the variable, not the value), and their funding: what each still needs
// for gas and stake, and, on request, funding them (docs/canaries.md, "Costs").
import {
  createPublicClient,
  createTestClient,
  createWalletClient,
  formatEther,
  http,
  parseEther,
  type Address,
  type Hex,
  type PublicClient,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { arenaTokenAbi, stakeManagerAbi } from '../../../src/lib/chain/abi.generated.ts';
import { faucet, type ActionContext } from '../../../src/lib/chain/actions/index.ts';
import type { Deployment } from '../../../src/lib/chain/deployments.ts';
import { isLocalChainId } from '../../../src/lib/chain/wallet/chain.ts';
import { formatTokens } from '../../../src/lib/format.ts';
import { poolAccountKey, type CanaryScope } from '../../../src/lib/agents/canary/index.ts';
import { localChain } from '../local-chain.ts';

export class CanaryAccountError extends Error {
  override name = 'CanaryAccountError';
}

/** A private key from `variable`, checked for shape only; the message never contains it. */
export function readPrivateKey(env: NodeJS.ProcessEnv, variable: string): Hex {
  const raw = env[variable]?.trim();
  if (!raw) throw new CanaryAccountError(`${variable} is not set: export the key (0x + 64 hex digits)`);
  const key = raw.startsWith('0x') ? raw : `0x${raw}`;
  if (!/^0x[0-9a-fA-F]{64}$/.test(key))
    throw new CanaryAccountError(
      `${variable} is malformed: expected 0x followed by 64 hex digits (got ${raw.length} characters)`,
    );
  try {
    privateKeyToAccount(key as Hex);
  } catch {
    throw new CanaryAccountError(`${variable} is not a valid secp256k1 private key`);
  }
  return key as Hex;
}

/** CANARY_POOL_KEYS (comma-separated private keys), or null when not set. */
export function readPoolKeys(env: NodeJS.ProcessEnv): Hex[] | null {
  const raw = env.CANARY_POOL_KEYS?.trim();
  if (!raw) return null;
  const keys = raw
    .split(',')
    .map((k, i) => readPrivateKey({ [`CANARY_POOL_KEYS[${i}]`]: k }, `CANARY_POOL_KEYS[${i}]`));
  if (new Set(keys.map((k) => k.toLowerCase())).size !== keys.length)
    throw new CanaryAccountError('CANARY_POOL_KEYS lists a key twice');
  return keys;
}

/** The pool's private keys: the given ones, or `size` derived from the creator secret for this task. */
export function poolKeys(secret: Hex, scope: CanaryScope, size: number, given: Hex[] | null): Hex[] {
  if (given) return given;
  if (!Number.isSafeInteger(size) || size < 1 || size > 256)
    throw new CanaryAccountError(`the pool size must be a whole number from 1 to 256, got ${size}`);
  return Array.from({ length: size }, (_, i) => poolAccountKey(secret, scope, i));
}

/** An action context for `key` on the chain behind `rpcUrl` (sends: simulate, send, wait). */
export function nodeActionContext(rpcUrl: string, deployment: Deployment, key: Hex): ActionContext {
  const chain = localChain(rpcUrl, deployment.chainId);
  const transport = http(rpcUrl, { timeout: 30_000, retryCount: 2 });
  const publicClient = createPublicClient({ chain, transport, pollingInterval: 250 }) as PublicClient;
  const wallet = createWalletClient({ account: privateKeyToAccount(key), chain, transport, pollingInterval: 250 });
  return { publicClient, deployment, wallet };
}

/** Gas of each pool transaction and of the creator's per epoch, as measured on anvil (test/integration/canaries.test.ts prints them), with a margin. */
export const GAS = { join: 260_000n, sealAndReveal: 330_000n, creatorPerEpoch: 260_000n } as const;

export interface Shortfall {
  account: Address;
  what: string;
}

/**
 * What each account lacks for the rest of the task: native currency for its transactions (at
 * today's gas price, twice over) and, for a pool account not yet joined, tokens for its stake.
 */
export async function fundingShortfalls(
  client: PublicClient,
  deployment: Deployment,
  taskId: bigint,
  creator: Address,
  pool: readonly Address[],
  stake: bigint,
  epochsLeft: { submission: number; scoring: number },
): Promise<Shortfall[]> {
  const gasPrice = await client.getGasPrice();
  const out: Shortfall[] = [];
  const needCreator = GAS.creatorPerEpoch * BigInt(epochsLeft.scoring) * gasPrice * 2n;
  const creatorEth = await client.getBalance({ address: creator });
  if (creatorEth < needCreator || creatorEth === 0n)
    out.push({
      account: creator,
      what: `the creator needs about ${formatEther(needCreator)} native currency for its canary keys (has ${formatEther(creatorEth)})`,
    });
  for (const account of pool) {
    const [eth, tokens, poolView] = await Promise.all([
      client.getBalance({ address: account }),
      client.readContract({
        address: deployment.contracts.token,
        abi: arenaTokenAbi,
        functionName: 'balanceOf',
        args: [account],
      }),
      client.readContract({
        address: deployment.contracts.stakeManager,
        abi: stakeManagerAbi,
        functionName: 'getPool',
        args: [taskId, account],
      }),
    ]);
    const joined = Number(poolView.role) !== 0;
    const needEth = ((joined ? 0n : GAS.join) + GAS.sealAndReveal * BigInt(epochsLeft.submission)) * gasPrice * 2n;
    if (epochsLeft.submission > 0 && (eth < needEth || eth === 0n))
      out.push({
        account,
        what: `needs about ${formatEther(needEth)} native currency for gas (has ${formatEther(eth)})`,
      });
    if (!joined && tokens < stake)
      out.push({
        account,
        what: `needs ${formatTokens(stake, 4)} ARENA for its stake (has ${formatTokens(tokens, 4)})`,
      });
  }
  return out;
}

/**
 * Funds the pool on a local development chain: anvil_setBalance for gas and the token faucet for
 * the stake. Off the local chains the operator funds the accounts (docs/canaries.md: through
 * paths that do not link them to the creator).
 */
export async function fundLocally(
  rpcUrl: string,
  creatorCtx: ActionContext,
  pool: readonly Address[],
  stake: bigint,
): Promise<void> {
  if (!isLocalChainId(creatorCtx.deployment.chainId)) {
    throw new CanaryAccountError(
      `--fund works only on a local development chain; on chain ${creatorCtx.deployment.chainId} fund the pool accounts yourself (docs/canaries.md: through paths that do not link them to the creator)`,
    );
  }
  const test = createTestClient({ mode: 'anvil', transport: http(rpcUrl) });
  for (const account of pool) {
    const eth = await creatorCtx.publicClient.getBalance({ address: account });
    if (eth < parseEther('1')) await test.setBalance({ address: account, value: parseEther('10') });
    const tokens = await creatorCtx.publicClient.readContract({
      address: creatorCtx.deployment.contracts.token,
      abi: arenaTokenAbi,
      functionName: 'balanceOf',
      args: [account],
    });
    if (tokens < stake) await faucet(creatorCtx, { amount: stake - tokens, to: account });
  }
}
