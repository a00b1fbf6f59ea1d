// `npm start`: the whole protocol on this machine. Builds the contracts if needed, runs anvil,
// deploys, funds the dev accounts, seeds a demo task, keeps finalizing epochs, and serves the app.
import { utcTime } from '../src/lib/app-logic/dev-panel.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createTestClient, http, parseEther } from 'viem';
import { deployArena } from '../src/lib/chain/deploy.ts';
import { parseDeployment, serializeDeployment, type ProtocolConfig } from '../src/lib/chain/deployments.ts';
import { startAnvil } from './lib/anvil.ts';
import { readBlobStoreConfig, startStackBlobStore, type StackBlobStore } from './lib/blob-store/index.ts';
import { loadBytecodes } from './lib/bytecodes.ts';
import { ensureContractsBuilt } from './lib/contracts-build.ts';
import { devAccounts } from './lib/dev-accounts.ts';
import { startKeeper, type Keeper } from './lib/keeper.ts';
import { LOCAL_CHAIN_ID, localPublicClient, localWallet } from './lib/local-chain.ts';
import { REPO_ROOT } from './lib/paths.ts';
import { resolvePort } from './lib/ports.ts';
import { createDemoTask, fundDevAccounts } from './lib/seed-local.ts';
import { DEMO_EVAL_SUBSET_SIZE, DEMO_MIN_VALIDATORS } from './lib/demo-task.ts';
import { startDemoFinalEvalReveal, type DemoReveal } from './lib/demo-final-eval.ts';
import { readStartConfig } from './lib/start-config.ts';
import { Supervisor } from './lib/supervisor.ts';
import { startVite } from './lib/vite-server.ts';
import {
  DEMO_CANARIES_PER_EPOCH,
  DEMO_CANARY_POOL,
  demoCanariesEnabled,
  startDemoCanaries,
  type DemoCanaries,
} from './lib/canary/demo.ts';

const FAUCET_AMOUNT = parseEther('100000');
const KEEPER_ACCOUNT = 9;

const t0 = Date.now();
const log = (line: string) => console.log(line);
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

let keeper: Keeper | undefined;
let blobs: StackBlobStore | undefined;
let canaries: DemoCanaries | undefined;
let reveal: DemoReveal | undefined;
let exiting = false;
const supervisor = new Supervisor((name, how) => {
  console.error(`\n${name} stopped unexpectedly (${how}); stopping the local stack.`);
  void shutdown(1);
});

async function shutdown(code: number): Promise<void> {
  if (exiting) return;
  exiting = true;
  keeper?.stop();
  reveal?.stop();
  await Promise.all([supervisor.stopAll(), blobs?.store.close(), canaries?.stop()]);
  log(code === 0 ? 'Local stack stopped.' : 'Local stack stopped after an error.');
  process.exit(code);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    log(`\n${signal}: stopping anvil and vite...`);
    void shutdown(0);
  });
}

async function main(): Promise<void> {
  const config = readStartConfig(process.env);
  const withCanaries = demoCanariesEnabled(process.env);
  const warn = (line: string) => console.warn(`warning: ${line}`);
  const rpcPort = await resolvePort(config.rpcPort, 'AIARENA_RPC_PORT', 'RPC', warn);
  const appPort = await resolvePort(config.appPort, 'AIARENA_APP_PORT', 'App', warn);
  const blobConfig = readBlobStoreConfig(process.env, config.stateDir, {
    AIARENA_RPC_PORT: rpcPort,
    AIARENA_APP_PORT: appPort,
  });
  const blobPort = await resolvePort(blobConfig.port, 'AIARENA_BLOB_PORT', 'Blob store', warn);

  await ensureContractsBuilt(log);
  if (exiting) return;

  // Automine while deploying and seeding (fast), then one block a second so chain time follows
  // the wall clock even when nobody transacts: the task schedule depends on it.
  const anvil = await startAnvil({ port: rpcPort, chainId: LOCAL_CHAIN_ID, accounts: 10 });
  supervisor.watch('anvil', anvil.process);
  if (exiting) return;
  log(`anvil listening at ${anvil.url} (chain id ${LOCAL_CHAIN_ID}) after ${elapsed()}`);

  const client = localPublicClient(anvil.url);
  const accounts = devAccounts(10);
  const wallets = accounts.map((a) => localWallet(anvil.url, a.privateKey));
  const deployer = wallets[0]!;
  const protocol: ProtocolConfig = {
    rejectQuorum: parseEther('10000'),
    minReviewPeriod: 10n,
    initialSupply: parseEther('10000000'),
    treasury: deployer.account.address,
  };
  // Round-trip through the file format for checksummed addresses everywhere.
  const deployment = parseDeployment(
    serializeDeployment(await deployArena(deployer, client, loadBytecodes(), protocol)),
  );
  mkdirSync(config.deploymentsDir, { recursive: true });
  const deploymentFile = join(config.deploymentsDir, `${LOCAL_CHAIN_ID}.json`);
  writeFileSync(deploymentFile, serializeDeployment(deployment));

  await fundDevAccounts(client, wallets, deployment, FAUCET_AMOUNT);
  const demo = await createDemoTask(client, deployer, deployment, config);
  await createTestClient({ mode: 'anvil', transport: http(anvil.url) }).setIntervalMining({ interval: 1 });
  if (exiting) return;

  keeper = startKeeper({ client, wallet: wallets[KEEPER_ACCOUNT]!, deployment, log });

  blobs = await startStackBlobStore({ config: blobConfig, port: blobPort, appPort, log });
  if (exiting) return;
  // The hidden final eval set's secret is a file here: reveal it for the creator when the final
  // phase opens, so the demo's final phase scores on it (README, "The final phase").
  reveal = startDemoFinalEvalReveal({
    client,
    wallet: deployer,
    deployment,
    secretFile: demo.secretFile,
    store: blobs.store,
    log,
  });
  if (withCanaries) {
    canaries = startDemoCanaries({
      rpcUrl: anvil.url,
      deploymentsDir: config.deploymentsDir,
      stateDir: config.stateDir,
      storeUrl: blobs.store.url,
      taskId: demo.taskId,
      creatorKey: accounts[0]!.privateKey,
      log,
    });
  }

  const vite = await startVite({
    port: appPort,
    env: {
      VITE_RPC_URL: anvil.url,
      VITE_CHAIN_ID: String(LOCAL_CHAIN_ID),
      AIARENA_DEPLOYMENTS_DIR: config.deploymentsDir,
      ...blobs.viteEnv,
    },
    log,
  });
  supervisor.watch('vite', vite.process);
  if (exiting) return;

  const rel = (p: string) => relative(REPO_ROOT, p) || p;
  const lines = [
    '',
    `AIArena local stack is up (${elapsed()}).`,
    '',
    `  App:   ${vite.url}`,
    `  RPC:   ${anvil.url}  (chain id ${LOCAL_CHAIN_ID}, one block per second)`,
    `  Blobs: ${blobs.store.url}  (GET /ipfs/<cid>, POST /upload; ${blobs.seededFiles} public files seeded, ${rel(blobConfig.dir)})`,
    `  Deployments file: ${rel(deploymentFile)}`,
    '',
    '  Contracts:',
    ...Object.entries(deployment.contracts).map(([name, address]) => `    ${name.padEnd(15)} ${address}`),
    '',
    `  Demo task #${demo.taskId}: ${config.epochSeconds} s epochs, review ${config.reviewSeconds} s, epoch 0 at ${utcTime(demo.startTime)} (chain time, as the app shows it)`,
    `    scores ${DEMO_EVAL_SUBSET_SIZE} of the 250 eval samples per epoch; an epoch pays out only if ${DEMO_MIN_VALIDATORS} validators reveal (Validator A, B and C)`,
    `    final-eval secret (hash + salt): ${rel(demo.secretFile)}; revealed for the creator when the final phase opens (the first tenth of it)`,
    withCanaries
      ? `    canaries: ${DEMO_CANARY_POOL} pool accounts of the creator (#0) submit a model every epoch, ${DEMO_CANARIES_PER_EPOCH} of them a canary (docs/canaries.md; AIARENA_CANARIES=0 turns them off)`
      : '    canaries: off (AIARENA_CANARIES=0)',
    '',
    `  Dev accounts: PUBLIC anvil test keys, known to everyone; never use them on a real network.`,
    `  Each holds 10000 ETH and ${FAUCET_AMOUNT / 10n ** 18n} ARENA; #0 deployed and created the demo task, #${KEEPER_ACCOUNT} runs the keeper.`,
    ...accounts.map((a) => `    #${a.index} ${a.address}  ${a.privateKey}`),
    '',
    'Press Ctrl-C to stop.',
  ];
  log(lines.join('\n'));
}

main().catch((e: unknown) => {
  console.error(`\nnpm start failed: ${e instanceof Error ? e.message : String(e)}`);
  void shutdown(1);
});
