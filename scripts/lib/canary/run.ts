// Wires the canary producer in Node: the creator's and the pool's action contexts, the engine
// that trains canary models, the artifact store and the state folder (buildCanaryProducer), and
// the whole `npm run canaries` run with every check that can fail before a transaction
// (runCanaries): the network, the deployment, the task, its creator, the funds.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPublicClient, http, type Address, type Hex } from 'viem';
import { actionsChainPort, casStorePort } from '../../../src/lib/agents/index.ts';
import { CanaryProducer, actionsCanaryPort, type CanaryConfig } from '../../../src/lib/agents/canary/index.ts';
import { taskRegistryAbi } from '../../../src/lib/chain/abi.generated.ts';
import type { ActionContext } from '../../../src/lib/chain/actions/index.ts';
import { parseDeployment, type Deployment } from '../../../src/lib/chain/deployments.ts';
import { epochAt, phaseAt, scoringEpochs } from '../../../src/lib/chain/schedule.ts';
import { casConfigFromEnv, type CasConfig } from '../../../src/lib/storage/cas/index.ts';
import { redactRpcUrl } from '../deploy-options.ts';
import {
  fundingShortfalls,
  fundLocally,
  nodeActionContext,
  poolKeys,
  readPoolKeys,
  readPrivateKey,
} from './accounts.ts';
import { findModelSpec, findTrainData } from './files.ts';
import { readCanarySecret, type CanaryOptions } from './options.ts';
import { canaryStateDir, fileStash } from './stash.ts';
import { canaryTrainer } from './train.ts';

export interface BuildProducerInput {
  creator: ActionContext;
  pool: readonly ActionContext[];
  taskId: bigint;
  secret: Hex;
  perEpoch: number;
  steps: { min: number; max: number };
  specBytes: Uint8Array;
  trainDir: string;
  trainData: Hex;
  cas: CasConfig;
  /** The folder the state goes under (canaries/<chain>-<registry>-task<id>/). */
  stateRoot: string;
  config?: Partial<CanaryConfig>;
  pollMs?: number;
}

export async function buildCanaryProducer(i: BuildProducerInput): Promise<CanaryProducer> {
  const { deployment } = i.creator;
  const scope = { chainId: deployment.chainId, registry: deployment.contracts.taskRegistry, taskId: i.taskId };
  return CanaryProducer.open({
    chainId: scope.chainId,
    registry: scope.registry,
    secret: i.secret,
    perEpoch: i.perEpoch,
    steps: i.steps,
    creator: actionsCanaryPort(i.creator, i.taskId),
    members: new Map(i.pool.map((ctx) => [ctx.wallet.account.address, actionsChainPort(ctx, i.taskId)] as const)),
    store: casStorePort(i.cas, { name: `aiarena task ${i.taskId}` }),
    models: await canaryTrainer({ specBytes: i.specBytes, trainDir: i.trainDir, trainData: i.trainData }),
    persist: fileStash(canaryStateDir(i.stateRoot, scope)),
    ...(i.config ? { config: i.config } : {}),
    ...(i.pollMs !== undefined ? { pollMs: i.pollMs } : {}),
  });
}

export class CanaryRunError extends Error {
  override name = 'CanaryRunError';
}

/** The deployment on the chain behind the RPC, with its contracts checked to exist there. */
async function connect(opts: CanaryOptions, log: (line: string) => void): Promise<Deployment> {
  const probe = createPublicClient({ transport: http(opts.rpcUrl, { timeout: 20_000, retryCount: 1 }) });
  let chainId: number;
  try {
    chainId = await probe.getChainId();
  } catch (e) {
    throw new CanaryRunError(
      `cannot reach the RPC at ${redactRpcUrl(opts.rpcUrl)}: ${(e as Error).message.split('\n')[0]}`,
    );
  }
  const file = join(opts.deploymentsDir, `${chainId}.json`);
  if (!existsSync(file)) {
    throw new CanaryRunError(
      `no AIArena deployment is recorded for chain ${chainId} (${file} is missing): is --rpc-url the network the task is on?`,
    );
  }
  const deployment = parseDeployment(readFileSync(file, 'utf8'), file);
  const code = await probe.getCode({ address: deployment.contracts.taskRegistry });
  if (!code || code === '0x') {
    throw new CanaryRunError(
      `${file} names a TaskRegistry at ${deployment.contracts.taskRegistry}, but chain ${chainId} has no contract there: a reset local chain, or the wrong network`,
    );
  }
  log(`RPC ${redactRpcUrl(opts.rpcUrl)}: chain id ${chainId}, deployment ${file}`);
  return deployment;
}

/** `npm run canaries`: checks, optional local funding, then the producer until the task's scoring ends. */
export async function runCanaries(
  opts: CanaryOptions,
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): Promise<void> {
  // Environment first: a missing key fails before the network is touched.
  const creatorKey = readPrivateKey(env, 'CANARY_CREATOR_KEY');
  const secret = readCanarySecret(env);
  const givenPool = readPoolKeys(env);
  const deployment = await connect(opts, log);
  const creator = nodeActionContext(opts.rpcUrl, deployment, creatorKey);
  const me = creator.wallet.account.address;
  const read = creator.publicClient;
  const count = await read.readContract({
    address: deployment.contracts.taskRegistry,
    abi: taskRegistryAbi,
    functionName: 'taskCount',
  });
  if (opts.taskId > count)
    throw new CanaryRunError(
      `task ${opts.taskId} does not exist on chain ${deployment.chainId} (it has ${count} task${count === 1n ? '' : 's'})`,
    );
  const task = await read.readContract({
    address: deployment.contracts.taskRegistry,
    abi: taskRegistryAbi,
    functionName: 'getTask',
    args: [opts.taskId],
  });
  if (task.creator.toLowerCase() !== me.toLowerCase()) {
    throw new CanaryRunError(
      `task ${opts.taskId} was created by ${task.creator}, and CANARY_CREATOR_KEY is the key of ${me}: only a task's creator commits and reveals its canaries`,
    );
  }
  const schedule = { ...task.schedule };
  const now = (await read.getBlock()).timestamp;
  const phase = phaseAt(schedule, now);
  if (phase === 'Rejected' || phase === 'Challenge' || phase === 'Ended') {
    log(
      `Task ${opts.taskId} is ${phase === 'Rejected' ? 'rejected' : 'past its scoring epochs'}: no canaries to produce.`,
    );
    return;
  }
  const scope = { chainId: deployment.chainId, registry: deployment.contracts.taskRegistry, taskId: opts.taskId };
  const pool = poolKeys(secret, scope, opts.poolSize, givenPool).map((k) =>
    nodeActionContext(opts.rpcUrl, deployment, k),
  );
  const poolAddresses: Address[] = pool.map((c) => c.wallet.account.address);
  if (poolAddresses.some((a) => a.toLowerCase() === me.toLowerCase()))
    throw new CanaryRunError('the creator cannot be one of its own pool accounts: its seals would be linked to it');
  log(
    `Task ${opts.taskId} (creator ${me}): pool of ${pool.length} account${pool.length === 1 ? '' : 's'}${givenPool ? ' from CANARY_POOL_KEYS' : ' derived from the secret'}, ${opts.perEpoch} canar${opts.perEpoch === 1 ? 'y' : 'ies'} per scoring epoch`,
  );
  for (const a of poolAddresses) log(`  pool ${a}`);

  const stake = opts.stake ?? task.stakeRules.minTrainerStake;
  if (opts.fund) {
    await fundLocally(opts.rpcUrl, creator, poolAddresses, stake);
    log('Funded the pool accounts on the local chain (gas and stake).');
  }
  const { started, epoch } = epochAt(schedule, now);
  const cur = started ? epoch : 0;
  const shortfalls = await fundingShortfalls(read, deployment, opts.taskId, me, poolAddresses, stake, {
    submission: Math.max(0, schedule.submissionEpochs - cur),
    scoring: Math.max(0, scoringEpochs(schedule) - cur),
  });
  if (shortfalls.length > 0) {
    throw new CanaryRunError(
      `not enough funds:\n${shortfalls.map((s) => `  ${s.account} ${s.what}`).join('\n')}\n` +
        `Fund these accounts (on a local chain: --fund; elsewhere through paths that do not link the pool to the creator, docs/canaries.md).`,
    );
  }

  const spec = await findModelSpec(task.modelSpec, opts.specFile);
  const trainDir = await findTrainData(task.trainData, opts.trainDir);
  const cas = casConfigFromEnv({
    ...env,
    ...(opts.store ? { VITE_IPFS_GATEWAYS: opts.store, VITE_UPLOAD_URL: `${opts.store}/upload` } : {}),
  });
  log(`Model spec ${spec.path}; training set ${trainDir}; artifacts to ${cas.upload.url}`);
  const producer = await buildCanaryProducer({
    creator,
    pool,
    taskId: opts.taskId,
    secret,
    perEpoch: opts.perEpoch,
    steps: opts.steps,
    specBytes: spec.bytes,
    trainDir,
    trainData: task.trainData,
    cas,
    stateRoot: opts.stateDir,
    ...(opts.stake !== null ? { config: { stake: opts.stake } } : {}),
    pollMs: opts.pollMs,
  });
  producer.onNote((n) => log(`${n.level === 'info' ? '' : `${n.level}: `}${n.message}`));
  producer.subscribe((e) => {
    if (e.type === 'error')
      log(`error: ${e.error instanceof Error ? e.error.message.split('\n')[0] : String(e.error)} (retrying)`);
  });
  if (opts.once) {
    await producer.tick();
    await producer.settled();
  } else {
    await runUntilDone(producer, opts.pollMs);
  }
  for (const line of producer.summary()) log(line);
}

/** Runs the producer until every scoring epoch has ended, or until SIGINT/SIGTERM. */
export async function runUntilDone(producer: CanaryProducer, pollMs: number): Promise<void> {
  let stopping = false;
  const stop = () => {
    stopping = true;
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  producer.start();
  try {
    while (!stopping) {
      // An unreachable RPC here is reported by the producer's own ticks; keep waiting.
      if (await producer.finished().catch(() => false)) break;
      await new Promise((r) => setTimeout(r, pollMs));
    }
  } finally {
    producer.stop();
    await producer.settled();
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
