// The local stack the end-to-end test plays on, started the way `npm start` starts it
// (scripts/start.ts), from the same pieces: anvil through scripts/lib/anvil.ts (history pruned),
// the contracts deployed with deployArena, the dev accounts funded through the faucet, one block
// a second, the keeper finalizing epochs, the blob store seeded with the public content and
// accepting uploads from the app's origin, and the Vite dev server as a child process. Ports
// are free ones and the state lives in a temporary folder. No demo task: the test creates its
// own.
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
import { startVite, type ViteServer } from '../../scripts/lib/vite-server.ts';
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

export async function startLocalStack(opts: { extraViteEnv?: Record<string, string> } = {}): Promise<LocalStack> {
  const log: string[] = [];
  const say = (line: string) => log.push(line);
  const state = mkdtempSync(join(tmpdir(), 'aiarena-e2e-'));
  const deploymentsDir = join(state, 'deployments');
  mkdirSync(deploymentsDir, { recursive: true });
  let anvil: Anvil | undefined;
  let keeper: Keeper | undefined;
  let blobs: StackBlobStore | undefined;
  let vite: ViteServer | undefined;
  const stop = async () => {
    keeper?.stop();
    if (vite && vite.process.exitCode === null) {
      const exited = new Promise((r) => vite!.process.once('exit', r));
      vite.process.kill('SIGTERM');
      await exited;
    }
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
    vite = await startVite({
      port: appPort,
      env: {
        VITE_RPC_URL: anvil.url,
        VITE_CHAIN_ID: String(LOCAL_CHAIN_ID),
        AIARENA_DEPLOYMENTS_DIR: deploymentsDir,
        VITE_REFRESH_MS: '1000',
        ...blobs.viteEnv,
        ...opts.extraViteEnv,
      },
      log: say,
      timeoutMs: 60_000,
    });
    const read: ReadContext = { publicClient: client, deployment };
    return {
      appUrl: vite.url.replace(/\/$/, ''),
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
