// The local stack the end-to-end test plays on, started the way `npm start` starts it
// (scripts/start.ts), from the same pieces: anvil through scripts/lib/anvil.ts (history pruned),
// the contracts deployed with deployArena, the dev accounts funded through the faucet, one block
// a second, the keeper finalizing epochs, the blob store seeded with the public content and
// accepting uploads from the app's origin, and the Vite dev server with the repository's config
// and the same env. Two differences, both for a shared working tree: Vite runs in this process
// without hot reload (another edit to the tree must not reload the pages mid-story), and ports
// are free ones with the state in a temporary folder. No demo task: the test creates its own.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestClient, http, parseEther, type PublicClient } from 'viem';
import { freePort, startAnvil, type Anvil } from '../../scripts/lib/anvil.ts';
import { startStackBlobStore, type StackBlobStore } from '../../scripts/lib/blob-store/index.ts';
import { DEFAULT_MAX_BLOB_BYTES } from '../../scripts/lib/blob-store/server.ts';
import { loadBytecodes } from '../../scripts/lib/bytecodes.ts';
import { ensureContractsBuilt } from '../../scripts/lib/contracts-build.ts';
import { devAccounts } from '../../scripts/lib/dev-accounts.ts';
import { startKeeper, type Keeper } from '../../scripts/lib/keeper.ts';
import { LOCAL_CHAIN_ID, localPublicClient, localWallet } from '../../scripts/lib/local-chain.ts';
import { fundDevAccounts } from '../../scripts/lib/seed-local.ts';
import { createServer, type ViteDevServer } from 'vite';
import { REPO_ROOT } from '../../scripts/lib/paths.ts';
import type { ActionContext, ReadContext } from '../../src/lib/chain/actions/index.ts';
import { devClock, type DevClock } from '../../src/lib/chain/actions/dev/time.ts';
import type { DeployWallet } from '../../src/lib/chain/deploy.ts';
import { deployArena } from '../../src/lib/chain/deploy.ts';
import { parseDeployment, serializeDeployment, type Deployment } from '../../src/lib/chain/deployments.ts';

export const FAUCET_AMOUNT = parseEther('100000');
export const KEEPER_ACCOUNT = 9;

export interface LocalStack {
  appUrl: string;
  rpcUrl: string;
  client: PublicClient;
  deployment: Deployment;
  wallets: DeployWallet[];
  blobs: StackBlobStore;
  /** The blob store's folder (blocks/<cid> are the stored files). */
  blobDir: string;
  clock: DevClock;
  read: ReadContext;
  /** An action context for dev account `index` signing in Node (for steps no page covers). */
  as(index: number): ActionContext;
  /** Everything the stack logged (vite, keeper), for failure messages. */
  log: string[];
  stop(): Promise<void>;
}

export interface LocalStackOptions {
  /** Where the app reads content from (VITE_IPFS_GATEWAYS) instead of the blob store itself. */
  gateways?: string[];
  extraViteEnv?: Record<string, string>;
}

export async function startLocalStack(opts: LocalStackOptions = {}): Promise<LocalStack> {
  const log: string[] = [];
  const say = (line: string) => log.push(line);
  const state = mkdtempSync(join(tmpdir(), 'aiarena-e2e-'));
  const deploymentsDir = join(state, 'deployments');
  mkdirSync(deploymentsDir, { recursive: true });
  let anvil: Anvil | undefined;
  let keeper: Keeper | undefined;
  let blobs: StackBlobStore | undefined;
  let vite: ViteDevServer | undefined;
  const stop = async () => {
    keeper?.stop();
    await vite?.close();
    await blobs?.store.close();
    await anvil?.stop();
    rmSync(state, { recursive: true, force: true });
  };
  try {
    const [rpcPort, appPort, blobPort] = [await freePort(), await freePort(), await freePort()];
    await ensureContractsBuilt(say);
    anvil = await startAnvil({ port: rpcPort, chainId: LOCAL_CHAIN_ID, accounts: 10 });
    const client = localPublicClient(anvil.url);
    const wallets = devAccounts(10).map((a) => localWallet(anvil!.url, a.privateKey));
    const deployer = wallets[0]!;
    const deployment = parseDeployment(
      serializeDeployment(
        await deployArena(deployer, client, loadBytecodes(), {
          rejectQuorum: parseEther('10000'),
          minReviewPeriod: 10n,
          initialSupply: parseEther('10000000'),
          treasury: deployer.account.address,
        }),
      ),
    );
    writeFileSync(join(deploymentsDir, `${LOCAL_CHAIN_ID}.json`), serializeDeployment(deployment));
    await fundDevAccounts(client, wallets, deployment, FAUCET_AMOUNT);
    await createTestClient({ mode: 'anvil', transport: http(anvil.url) }).setIntervalMining({ interval: 1 });
    keeper = startKeeper({ client, wallet: wallets[KEEPER_ACCOUNT]!, deployment, log: say, intervalMs: 1_000 });
    const blobDir = join(state, 'blobs');
    blobs = await startStackBlobStore({
      config: { port: { port: blobPort, explicit: true }, maxBlobBytes: DEFAULT_MAX_BLOB_BYTES, dir: blobDir },
      port: blobPort,
      appPort,
      log: say,
    });
    const env: Record<string, string> = {
      VITE_RPC_URL: anvil.url,
      VITE_CHAIN_ID: String(LOCAL_CHAIN_ID),
      AIARENA_DEPLOYMENTS_DIR: deploymentsDir,
      VITE_REFRESH_MS: '1000',
      ...blobs.viteEnv,
      ...(opts.gateways ? { VITE_IPFS_GATEWAYS: opts.gateways.join(',') } : {}),
      ...opts.extraViteEnv,
    };
    // Vite reads VITE_* from the process env when the server is created (as `npm start` passes
    // them to its child); the config reads AIARENA_DEPLOYMENTS_DIR at the same time.
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    try {
      vite = await createServer({
        root: REPO_ROOT,
        configFile: join(REPO_ROOT, 'vite.config.ts'),
        logLevel: 'warn',
        server: { host: '127.0.0.1', port: appPort, strictPort: true, hmr: false },
      });
      await vite.listen();
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
    const read: ReadContext = { publicClient: client, deployment };
    return {
      appUrl: `http://127.0.0.1:${appPort}`,
      rpcUrl: anvil.url,
      client,
      deployment,
      wallets,
      blobs,
      blobDir,
      clock: devClock(http(anvil.url)),
      read,
      as: (index) => ({ publicClient: client, deployment, wallet: wallets[index]! as ActionContext['wallet'] }),
      log,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

export interface PlainGateway {
  url: string;
  close(): Promise<void>;
}

/**
 * A gateway that serves `<dir>/<cid>` as it lies on disk, checking nothing: stands in for a CDN
 * or public IPFS gateway in front of the store, outside our control (the blob store itself
 * re-hashes every read and refuses a corrupted file, so behind it a tampered file would only
 * ever look missing). Reading through it, a tampered file reaches the validator's client, whose
 * own hash check must refuse it.
 */
export async function startPlainGateway(dir: () => string | undefined): Promise<PlainGateway> {
  const { createServer } = await import('node:http');
  const { readFile } = await import('node:fs/promises');
  const server = createServer((req, res) => {
    const cid = /^\/ipfs\/([a-z2-7]+)/.exec(req.url ?? '')?.[1];
    const base = dir();
    res.setHeader('Access-Control-Allow-Origin', '*');
    if (!cid || !base || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(cid ? 405 : 400).end();
      return;
    }
    readFile(join(base, cid)).then(
      (bytes) => {
        res.writeHead(200, { 'Content-Type': 'application/vnd.ipld.raw', 'Content-Length': String(bytes.length) });
        res.end(req.method === 'HEAD' ? undefined : bytes);
      },
      () => res.writeHead(404, { 'Content-Type': 'text/plain' }).end(`not here: ${cid}`),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the plain gateway did not get a port');
  return { url: `http://127.0.0.1:${address.port}`, close: () => new Promise((r) => server.close(() => r())) };
}
