// `npm start` end to end: a real anvil, deployment, demo task, keeper and Vite dev server on free
// ports, then a clean shutdown (and a forced one when a child dies).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPublicClient, http, parseEther, type PublicClient } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/lib/anvil.ts';
import { DEMO_FILES, sha256Hex } from '../../scripts/lib/demo-content.ts';
import { decodeShard } from '../../src/lib/ml/data/shard.ts';
import { urlSource } from '../../src/lib/ml/data/sources.ts';
import { devAccounts } from '../../scripts/lib/dev-accounts.ts';
import { isPortFree } from '../../scripts/lib/ports.ts';
import { arenaTokenAbi, rewardEngineAbi, stakeManagerAbi, taskRegistryAbi } from '../../src/lib/chain/abi.generated.ts';
import { finalEvalCommitment } from '../../src/lib/chain/commitments.ts';
import { parseDeployment, type Deployment } from '../../src/lib/chain/deployments.ts';
import { phaseAt, PHASES } from '../../src/lib/chain/schedule.ts';
import { cleanEnv, pidsMatching, startScript, type ScriptProcess } from './support/script-process.ts';

const EPOCH = 12;
const REVIEW = 15;
// Generous: a stale contracts/out means a forge build first.
const UP_TIMEOUT = 110_000;

interface Stack {
  proc: ScriptProcess;
  rpcPort: number;
  appPort: number;
  appUrl: string;
  dirs: string[];
}

async function startStack(): Promise<Stack> {
  const [rpcPort, appPort] = [await freePort(), await freePort()];
  const deployments = mkdtempSync(join(tmpdir(), 'aiarena-stack-deployments-'));
  const state = mkdtempSync(join(tmpdir(), 'aiarena-stack-state-'));
  const proc = startScript(
    'scripts/start.ts',
    [],
    cleanEnv({
      AIARENA_RPC_PORT: String(rpcPort),
      AIARENA_APP_PORT: String(appPort),
      AIARENA_EPOCH_SECONDS: String(EPOCH),
      AIARENA_REVIEW_SECONDS: String(REVIEW),
      AIARENA_DEPLOYMENTS_DIR: deployments,
      AIARENA_STATE_DIR: state,
      // The demo's canary producer (a child process training models) is tested in
      // canaries.test.ts; here the stack is checked without it (no pool joins the review).
      AIARENA_CANARIES: '0',
    }),
  );
  const [, appUrl] = await proc.waitFor(/App:\s+(http:\/\/\S+)/, UP_TIMEOUT);
  return { proc, rpcPort, appPort, appUrl: appUrl!, dirs: [deployments, state] };
}

async function stopStack(stack: Stack | undefined) {
  if (!stack) return;
  if (stack.proc.child.exitCode === null) stack.proc.child.kill('SIGKILL');
  for (const dir of stack.dirs) rmSync(dir, { recursive: true, force: true });
}

describe('npm start', () => {
  let stack: Stack;
  let client: PublicClient;
  let deployment: Deployment;

  beforeAll(async () => {
    stack = await startStack();
    client = createPublicClient({ transport: http(`http://127.0.0.1:${stack.rpcPort}`) });
  }, UP_TIMEOUT + 10_000);

  afterAll(() => stopStack(stack));

  it('prints the app URL, the contracts and the dev accounts marked as public keys', () => {
    const out = stack.proc.output();
    expect(stack.appUrl).toBe(`http://127.0.0.1:${stack.appPort}/`);
    expect(out).toContain(`RPC:   http://127.0.0.1:${stack.rpcPort}`);
    expect(out).toMatch(/PUBLIC anvil test keys/);
    for (const a of devAccounts(10)) expect(out).toContain(`${a.address}  ${a.privateKey}`);
  });

  it('serves the deployments file, matching the chain', async () => {
    const res = await fetch(new URL('deployments/31337.json', stack.appUrl));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    deployment = parseDeployment(await res.text());
    expect(deployment.chainId).toBe(31337);
    expect(await client.getChainId()).toBe(31337);
    expect(readFileSync(join(stack.dirs[0]!, '31337.json'), 'utf8')).toBe(
      await (await fetch(new URL('deployments/31337.json', stack.appUrl))).text(),
    );
    for (const [name, address] of Object.entries(deployment.contracts)) {
      expect(stack.proc.output(), name).toContain(address);
      expect((await client.getCode({ address }))?.length ?? 0, `${name} has code`).toBeGreaterThan(2);
    }
    const { taskRegistry, token, rewardEngine } = deployment.contracts;
    expect(await client.readContract({ address: taskRegistry, abi: taskRegistryAbi, functionName: 'token' })).toBe(
      token,
    );
    expect(
      await client.readContract({ address: taskRegistry, abi: taskRegistryAbi, functionName: 'rewardEngine' }),
    ).toBe(rewardEngine);
    expect((await fetch(new URL('deployments/1.json', stack.appUrl))).status).toBe(404);
  });

  it('serves the app', async () => {
    const res = await fetch(stack.appUrl);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<title>AIArena</title>');
    expect(html).toContain('<div id="app"></div>');
    expect(html).toContain('/src/main.ts');
    // The Svelte plugin compiles components: the root component comes back as JavaScript.
    const app = await fetch(new URL('src/app/App.svelte', stack.appUrl));
    expect(app.status).toBe(200);
    expect(await app.text()).toMatch(/from "\/node_modules\/.*svelte/);
    const spec = await fetch(new URL('specs/digits-mlp.json', stack.appUrl));
    expect(sha256Hex(new Uint8Array(await spec.arrayBuffer()))).toBe(sha256Hex(readFileSync(DEMO_FILES.modelSpec)));
    // The demo datasets load through the app's server as the client will load them: the shard
    // must come back as stored (no transparent gunzip), or its hash check fails.
    const source = urlSource(new URL('datasets/digits-train', stack.appUrl).href);
    const { manifest, hash } = await source.manifest();
    expect(`0x${hash}`).toBe(sha256Hex(readFileSync(DEMO_FILES.trainData)));
    const shard = await decodeShard(await source.get(manifest.shards[0]!.sha256), manifest, manifest.shards[0]!);
    expect(shard.samples).toBe(1297);
  });

  it('funds the dev accounts and seeds the demo task under review', async () => {
    const { taskRegistry, token, stakeManager } = deployment.contracts;
    const accounts = devAccounts(10);
    for (const a of accounts.slice(1)) {
      expect(
        await client.readContract({ address: token, abi: arenaTokenAbi, functionName: 'balanceOf', args: [a.address] }),
      ).toBe(parseEther('100000'));
    }
    expect(await client.readContract({ address: taskRegistry, abi: taskRegistryAbi, functionName: 'taskCount' })).toBe(
      1n,
    );
    const task = await client.readContract({
      address: taskRegistry,
      abi: taskRegistryAbi,
      functionName: 'getTask',
      args: [1n],
    });
    expect(task.creator).toBe(accounts[0]!.address);
    expect(task.schedule).toMatchObject({
      epochLength: EPOCH,
      submissionEpochs: 3,
      finalEpochs: 1,
      challengeEpochs: 1,
      sealEnd: 5000,
      revealEnd: 6000,
      commitEnd: 8500,
      finalCommitEnd: 7000,
      rejected: false,
    });
    expect(task.schedule.startTime - task.schedule.reviewEnd).toBe(10n);
    expect(task.rewardPerEpoch).toBe(parseEther('1000'));
    expect(
      await client.readContract({
        address: token,
        abi: arenaTokenAbi,
        functionName: 'balanceOf',
        args: [taskRegistry],
      }),
    ).toBe(parseEther('4000'));
    expect(task.modelSpec).toBe(sha256Hex(readFileSync(DEMO_FILES.modelSpec)));
    expect(task.trainData).toBe(sha256Hex(readFileSync(DEMO_FILES.trainData)));
    expect(task.evalData).toBe(sha256Hex(readFileSync(DEMO_FILES.evalData)));
    const secret = JSON.parse(readFileSync(join(stack.dirs[1]!, 'final-eval-31337-task-1.json'), 'utf8'));
    expect(secret.taskRegistry).toBe(taskRegistry);
    expect(sha256Hex(secret.manifest)).toBe(secret.finalEvalHash);
    expect(secret.finalEvalHash).toBe(sha256Hex(readFileSync(DEMO_FILES.finalEval)));
    expect(task.finalEvalCommit).toBe(finalEvalCommitment(secret.finalEvalHash, secret.salt));

    // Under review in the block that created it (read there: on a loaded machine the 15 s review
    // may be over by now), and the contract's phase agrees with the schedule's at the latest block.
    const [created] = await client.getContractEvents({
      address: taskRegistry,
      abi: taskRegistryAbi,
      eventName: 'TaskCreated',
      fromBlock: 0n,
    });
    const atCreation = created!.blockNumber;
    const phase = await client.readContract({
      address: taskRegistry,
      abi: taskRegistryAbi,
      functionName: 'phase',
      args: [1n],
      blockNumber: atCreation,
    });
    expect(PHASES[phase]).toBe('Review');
    expect(phaseAt(task.schedule, (await client.getBlock({ blockNumber: atCreation })).timestamp)).toBe('Review');
    const block = await client.getBlock();
    const phaseNow = await client.readContract({
      address: taskRegistry,
      abi: taskRegistryAbi,
      functionName: 'phase',
      args: [1n],
      blockNumber: block.number,
    });
    expect(PHASES[phaseNow]).toBe(phaseAt(task.schedule, block.timestamp));
    expect(
      await client.readContract({
        address: stakeManager,
        abi: stakeManagerAbi,
        functionName: 'trainersOf',
        args: [1n],
      }),
    ).toEqual([]);
  });

  it('mines a block every second so chain time follows the clock', async () => {
    const a = await client.getBlock();
    await new Promise((r) => setTimeout(r, 2_500));
    const b = await client.getBlock();
    expect(b.number - a.number).toBeGreaterThanOrEqual(2n);
    expect(Math.abs(Number(b.timestamp) - Date.now() / 1000)).toBeLessThan(5);
  });

  it('finalizes epoch 0 with the keeper once it ends', async () => {
    await stack.proc.waitFor(/keeper: task 1 epoch 0 finalized, nothing booked/, (REVIEW + 10 + EPOCH + 20) * 1000);
    const progress = await client.readContract({
      address: deployment.contracts.rewardEngine,
      abi: rewardEngineAbi,
      functionName: 'progressOf',
      args: [1n],
    });
    expect(progress.epoch).toBeGreaterThanOrEqual(1);
    expect(stack.proc.output()).not.toMatch(/keeper: .*retrying/);
  }, 90_000);

  it('stops anvil and vite on SIGINT', async () => {
    stack.proc.child.kill('SIGINT');
    const { code } = await stack.proc.exited;
    expect(code).toBe(0);
    expect(stack.proc.output()).toContain('Local stack stopped.');
    expect(await isPortFree(stack.rpcPort)).toBe(true);
    expect(await isPortFree(stack.appPort)).toBe(true);
    expect(pidsMatching('anvil', `--port ${stack.rpcPort}`)).toEqual([]);
    expect(pidsMatching('vite.js', `--port ${stack.appPort}`)).toEqual([]);
  }, 20_000);
});

describe('npm start when a child dies', () => {
  let stack: Stack | undefined;
  afterAll(() => stopStack(stack));

  it(
    'stops everything and exits non-zero with a message',
    async () => {
      stack = await startStack();
      const [anvilPid] = pidsMatching('anvil', `--port ${stack.rpcPort}`);
      expect(anvilPid).toBeTypeOf('number');
      process.kill(anvilPid!, 'SIGKILL');
      const { code } = await stack.proc.exited;
      expect(code).toBe(1);
      expect(stack.proc.output()).toMatch(/anvil stopped unexpectedly \(killed by SIGKILL\); stopping the local stack/);
      expect(await isPortFree(stack.appPort)).toBe(true);
      expect(pidsMatching('vite.js', `--port ${stack.appPort}`)).toEqual([]);
    },
    UP_TIMEOUT + 20_000,
  );
});

describe('npm start with a taken port', () => {
  it('names the variable when an explicitly chosen port is in use', async () => {
    const { createServer } = await import('node:net');
    const blocker = createServer();
    const port = await freePort();
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', () => r()));
    try {
      const proc = startScript(
        'scripts/start.ts',
        [],
        cleanEnv({ AIARENA_RPC_PORT: String(port), AIARENA_APP_PORT: String(await freePort()) }),
      );
      const { code } = await proc.exited;
      expect(code).toBe(1);
      expect(proc.output()).toContain(`RPC port ${port} (AIARENA_RPC_PORT) is already in use`);
    } finally {
      blocker.close();
    }
  });
});
