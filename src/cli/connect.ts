// From options to a live connection: the RPC reached, its chain id read, the deployment record
// for that chain found and checked against what is on chain, and (for commands that send) the
// account's wallet. Every way this can fail is a CliError that says what to do.
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { createPublicClient, createWalletClient, http, type Address, type Hex, type PublicClient } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { ActionContext } from '../lib/chain/actions/context.ts';
import { parseDeployment, type Deployment } from '../lib/chain/deployments.ts';
import { serialSender } from '../lib/chain/tx/serial-send.ts';
import type { AccountWallet } from '../lib/chain/tx/types.ts';
import { arenaChain, isLocalChainId } from '../lib/chain/wallet/chain.ts';
import { walkCauses } from '../lib/errors.ts';
import { CliError } from './errors.ts';
import type { NetworkConfig } from './options.ts';

export { CliError };

export interface Network {
  rpcUrl: string;
  chainId: number;
  client: PublicClient;
  deployment: Deployment;
  /** Where the deployment record was read from (for messages). */
  deploymentSource: string;
}

const firstLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0]!.trim();

/** What went wrong underneath (viem says "HTTP request failed."; its cause says "connect ECONNREFUSED ..."). */
function rootCause(e: unknown): string {
  const inner = walkCauses(e);
  const top = firstLine(e);
  const deep = inner instanceof Error ? firstLine(inner) : '';
  return deep && deep !== top ? `${top} ${deep}` : top;
}

async function readDeployment(file: string, shown: string, missing: string): Promise<Deployment> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new CliError(missing);
    throw new CliError(`cannot read ${shown}: ${firstLine(e)}`);
  }
  try {
    return parseDeployment(text, shown);
  } catch (e) {
    throw new CliError(`${firstLine(e)}: the deployment record is malformed (made by npm start or npm run deploy?)`);
  }
}

export async function connect(cfg: NetworkConfig, cwd: string): Promise<Network> {
  const probe = createPublicClient({ transport: http(cfg.rpcUrl, { retryCount: 1, timeout: 10_000 }) });
  let chainId: number;
  try {
    chainId = await probe.getChainId();
  } catch (e) {
    throw new CliError(
      `cannot reach the RPC at ${cfg.rpcUrl} (${rootCause(e)}). Is the local stack running (npm start, in another terminal)? Otherwise pass --rpc <url> or set AIARENA_RPC_URL.`,
    );
  }
  const shown = (f: string) => relative(cwd, f) || f;
  let deployment: Deployment;
  let source: string;
  if (cfg.deploymentFile !== null) {
    source = shown(cfg.deploymentFile);
    deployment = await readDeployment(
      cfg.deploymentFile,
      source,
      `no deployment file at ${source}: check --deployment / AIARENA_DEPLOYMENT`,
    );
    if (deployment.chainId !== chainId)
      throw new CliError(
        `wrong network: ${source} is a deployment on chain ${deployment.chainId}, but the RPC at ${cfg.rpcUrl} is chain ${chainId}. Point --rpc at a node of chain ${deployment.chainId}, or use chain ${chainId}'s deployment file.`,
      );
  } else {
    const file = join(cfg.deploymentsDir, `${chainId}.json`);
    source = shown(file);
    deployment = await readDeployment(
      file,
      source,
      isLocalChainId(chainId)
        ? `no deployment for chain ${chainId} (${source} does not exist). Start the local stack with npm start (it deploys and writes that file), or pass --deployment <file>.`
        : `no deployment for chain ${chainId} (${source} does not exist). Pass --deployment <file> with the protocol's deployment record for this chain.`,
    );
  }
  const chain = arenaChain({ chainId, rpcUrls: [cfg.rpcUrl] });
  const client = createPublicClient({
    chain,
    transport: http(cfg.rpcUrl, { retryCount: 3 }),
    pollingInterval: isLocalChainId(chainId) ? 250 : 4_000,
  }) as PublicClient;
  const code = await client.getCode({ address: deployment.contracts.taskRegistry }).catch((e: unknown) => {
    throw new CliError(`cannot read from the RPC at ${cfg.rpcUrl}: ${firstLine(e)}`);
  });
  if (code === undefined || code === '0x')
    throw new CliError(
      `${source} names a task registry at ${deployment.contracts.taskRegistry}, but chain ${chainId} has no contract there${isLocalChainId(chainId) ? ' (the local chain was restarted since: restart npm start so it deploys again)' : ': is this the right deployment record for this chain?'}`,
    );
  return { rpcUrl: cfg.rpcUrl, chainId, client, deployment, deploymentSource: source };
}

/** The action context of `privateKey` on `net`; its transactions go out one at a time (serial-send.ts). */
export function accountContext(net: Network, privateKey: Hex): ActionContext & { address: Address } {
  const chain = arenaChain({ chainId: net.chainId, rpcUrls: [net.rpcUrl] });
  const wallet = createWalletClient({
    account: privateKeyToAccount(privateKey),
    chain,
    transport: http(net.rpcUrl, { retryCount: 3 }),
    pollingInterval: isLocalChainId(net.chainId) ? 250 : 4_000,
  }) as AccountWallet;
  return {
    publicClient: net.client,
    deployment: net.deployment,
    wallet,
    send: serialSender(net.client, wallet),
    address: wallet.account.address,
  };
}

/** A read-only context. */
export const readContext = (net: Network) => ({ publicClient: net.client, deployment: net.deployment });
