// One whole task on the real contracts (issue 13 part 2): set-up (tokens, the task, joins,
// delegations), real training, the submission epochs, the final phase on the hidden set the
// creator reveals, the challenge phase, and every claim after the end. Returns what happened for
// the report (results.ts); what each phase does is in epoch.ts, challenges.ts and models.ts.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Address, Hex } from 'viem';
import { actionsChainPort } from '../../../src/lib/agents/index.ts';
import { finalEvalCommitment } from '../../../src/lib/chain/commitments.ts';
import {
  claimDelegationRewards,
  claimOwnRewards,
  createTask,
  delegate,
  faucet,
  joinTask,
  randomSalt,
  readSchedule,
  revealFinalEval,
  withdrawRemainder,
} from '../../../src/lib/chain/actions/index.ts';
import { gatewayFetcher } from '../../../src/lib/chain/reads/gateway.ts';
import { endTime } from '../../../src/lib/chain/schedule.ts';
import { DEFAULT_REWARD_PARAMS, maxUnfarmableBond } from '../../../src/lib/chain/task-defaults.ts';
import { TxError } from '../../../src/lib/chain/tx/errors.ts';
import { keyCommit } from '../../../src/lib/ml/watermark/commit.ts';
import { fieldToBytes32 } from '../../../src/lib/ml/watermark/field.ts';
import { WAD } from '../../../src/lib/protocol/wad.ts';
import { releaseProverThreads } from '../../../src/lib/zk/index.ts';
import { createProveService } from '../../../src/lib/zk/service.ts';
import { PUBLIC_DIR } from '../../../src/cli/paths.ts';
import { defaultTaskParams } from '../actions.ts';
import { seedFiles } from '../blob-store/index.ts';
import { driveUntil, openAgentValidator, tickAll, type AgentValidator } from './agents.ts';
import { settleChallenges } from './challenges.ts';
import { checkConfig, type SimConfig } from './config.ts';
import { playFinalEpoch, playSubmissionEpoch, warp } from './epoch.ts';
import { DATASET_DIRS, openMlEnv } from './ml-env.ts';
import { accuracyOn, trainHonest, trainerKey, untrainedModel } from './models.ts';
import { openNetwork } from './network.ts';
import { inPool } from './pool.ts';
import { buildPopulation, type Population } from './population.ts';
import { SharedEvaluations } from './scoring.ts';
import type { ChallengeRecord, World } from './world.ts';
import type { SimAccount } from './accounts.ts';

/** Task shape: long epochs (the clock is moved window by window), challenge stages inside a window. */
export const EPOCH_SECONDS = 20_000;
export const REWARD_PER_EPOCH = 1_000n * WAD;
const MIN_TRAINER_STAKE = 2n * WAD;
const SLASH_BPS = 5_000;
const STAGE_SECONDS = 300;

export interface RunOptions {
  workDir?: string;
  log?: (line: string) => void;
}

export interface Claims {
  trainers: bigint[];
  validators: bigint[];
  delegators: bigint[];
  remainder: bigint;
}

export interface SimRun {
  config: SimConfig;
  pop: Population;
  world: Omit<World, 'net' | 'env' | 'reader' | 'shared' | 'agents' | 'ownership' | 'log'>;
  claims: Claims;
  /** Stake each pool had in every scored epoch (own + delegated), by index. */
  poolStakes: { trainers: bigint[]; validators: bigint[] };
  rpc: { role: string; index: number; agent: boolean; requests: number; methods: Record<string, number> }[];
  txs: World['net']['ledger']['txs'];
  agentErrors: string[];
  /** Models the honest validators' shared cache evaluated, and evaluations the agents ran. */
  evaluations: { shared: number; agents: number };
  timing: { totalSeconds: number; setupSeconds: number; trainingSeconds: number; endSeconds: number };
  memory: { peakRssBytes: number; anvilPeakRssBytes: number | null };
  machine: { cpus: number; model: string; node: string; loadBefore: number[]; loadAfter: number[] };
  challenges: ChallengeRecord[];
}

/** anvil's peak resident memory (Linux: VmHWM), or null where it cannot be read. */
function processPeakRss(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Claims the chain refuses because there is nothing (left) to pay: nothing booked, or forfeited. */
const NOTHING = ['NothingToClaim', 'RewardsForfeited'];
const isNothingToClaim = (e: unknown) => e instanceof TxError && NOTHING.includes(e.errorName ?? '');

async function claimed(claim: () => Promise<{ amount: bigint }>): Promise<bigint> {
  try {
    return (await claim()).amount;
  } catch (e) {
    if (isNothingToClaim(e)) return 0n;
    throw e;
  }
}

export async function runSim(config: SimConfig, o: RunOptions = {}): Promise<SimRun> {
  checkConfig(config);
  const log = o.log ?? (() => {});
  const t0 = performance.now();
  const loadBefore = loadavg();
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 200);
  sampler.unref();
  const ownDir = o.workDir === undefined;
  const workDir = o.workDir ?? mkdtempSync(join(tmpdir(), 'aiarena-sim-'));
  const pop = buildPopulation(config);
  const env = await openMlEnv(workDir);
  const net = await openNetwork(config.seed, pop, workDir);
  const agents: AgentValidator[] = [];
  try {
    const { creator, keeper, ledger } = net;
    ledger.phase = 'setup';
    // The task's spec is content like any other: the agents read it from the store by its hash.
    await net.store.upload(env.specBytes);

    // Test tokens from the local faucet: each account takes what it stakes, and some for bonds.
    const budget = (a: SimAccount): bigint => {
      if (a.role === 'creator') return REWARD_PER_EPOCH * BigInt(config.submissionEpochs + config.finalEpochs) + WAD;
      if (a.role === 'trainer') return pop.trainers[a.index]!.stake + 10n * WAD;
      if (a.role === 'validator') return pop.validators[a.index]!.stake + 20n * WAD;
      if (a.role === 'delegator') return pop.delegators[a.index]!.amount + WAD;
      return WAD;
    };
    const everyone = [creator, keeper, ...net.trainers, ...net.validators, ...net.delegators];
    await inPool(everyone, config.concurrency, (a) => faucet(a.ctx, { amount: budget(a) }));

    const finalSalt = randomSalt();
    const now = await net.driver.now();
    const params = defaultTaskParams(now + 600n, {
      modelSpec: env.specHash,
      trainData: env.data.train,
      evalData: env.data.eval,
      finalEvalCommit: finalEvalCommitment(env.data.hidden, finalSalt),
      epochLength: EPOCH_SECONDS,
      reviewPeriod: 100,
      submissionEpochs: config.submissionEpochs,
      finalEpochs: config.finalEpochs,
      challengeEpochs: config.challengeEpochs,
      rewardPerEpoch: REWARD_PER_EPOCH,
      reward: { ...DEFAULT_REWARD_PARAMS },
      stakeRules: {
        minTrainerStake: MIN_TRAINER_STAKE,
        minValidatorStake: WAD,
        maxTrainers: 256,
        maxValidators: 512,
        sigmaCooldown: 1,
      },
      challenge: {
        bond: maxUnfarmableBond(MIN_TRAINER_STAKE, SLASH_BPS),
        responseTime: STAGE_SECONDS,
        slashBps: SLASH_BPS,
        disputeTime: STAGE_SECONDS,
        voteTime: STAGE_SECONDS,
        juryBps: 1_000,
      },
      evalSubsetSize: config.evalSubsetSize,
    });
    const { taskId } = await createTask(creator.ctx, params);
    const schedule = await readSchedule(creator.ctx, taskId);
    log(
      `task ${taskId}: ${pop.trainers.length} trainers, ${pop.validators.length} validators, ${pop.delegators.length} delegators`,
    );

    // Joins and delegations, all before the start: they count from epoch 0.
    const keys = pop.trainers.map((t) => trainerKey(config.seed, t.index));
    await inPool(pop.trainers, config.concurrency, (t) =>
      joinTask(net.trainers[t.index]!.ctx, {
        taskId,
        role: 'trainer',
        amount: t.stake,
        sigma: t.sigma,
        keyCommit: fieldToBytes32(keyCommit(keys[t.index]!)) as Hex,
      }),
    );
    const direct = pop.validators.filter((v) => !v.agent);
    await inPool(direct, config.concurrency, (v) =>
      joinTask(net.validators[v.index]!.ctx, { taskId, role: 'validator', amount: v.stake, sigma: v.sigma }),
    );
    for (const v of pop.validators.filter((x) => x.agent)) {
      agents.push(
        await openAgentValidator({
          index: v.index,
          account: net.validators[v.index]!,
          rpcUrl: net.driver.anvil.url,
          taskId,
          cas: net.cas,
          workDir,
        }),
      );
    }
    // Each agent stakes by itself, as `aiarena agent validate --stake` does.
    for (const a of agents) {
      const v = pop.validators[a.index]!;
      await a.agent.command({ type: 'join', amount: v.stake, sigma: v.sigma });
    }
    await driveUntil(agents, (a) => !['not-joined', 'joining'].includes(a.agent.state.phase), 'the join');
    await inPool(pop.delegators, config.concurrency, (d) =>
      delegate(net.delegators[d.index]!.ctx, {
        taskId,
        delegatee: (d.to.role === 'trainer' ? net.trainers : net.validators)[d.to.index]!.address,
        amount: d.amount,
      }),
    );
    const setupSeconds = (performance.now() - t0) / 1000;

    // Training: every honest trainer its own run; the free rider does not train.
    const tTrain = performance.now();
    const trained = new Map<number, import('./models.ts').Model>();
    const chainId = net.driver.deployment.chainId;
    for (const t of pop.trainers) {
      const id = { chainId, taskId, address: net.trainers[t.index]!.address, key: keys[t.index]! };
      if (t.role === 'honest') trained.set(t.index, await trainHonest(env, id, t.segments));
      else if (t.role === 'freeRider') trained.set(t.index, await untrainedModel(env, id));
    }
    const quality = new Map<string, number>();
    for (const m of trained.values()) quality.set(m.artifactHash, await accuracyOn(env, m, env.data.hidden));
    const trainingSeconds = (performance.now() - tTrain) / 1000;
    log(`trained ${trained.size} models in ${trainingSeconds.toFixed(1)} s`);

    const w: World = {
      config,
      pop,
      net,
      env,
      taskId,
      schedule,
      reader: actionsChainPort(keeper.ctx, taskId),
      shared: new SharedEvaluations({
        store: net.store,
        ml: env.scoring,
        spec: env.spec,
        specHash: env.specHash.slice(2),
      }),
      agents,
      keys,
      ownership: {
        prover: createProveService({ fetch: env.fetch }),
        manifestUrl: pathToFileURL(join(PUBLIC_DIR, 'zk', 'manifest.json')).href,
        content: gatewayFetcher(net.cas.gateways),
        spec: env.spec,
        specHash: env.specHash,
      },
      trained,
      submitted: [],
      quality,
      bookings: { trainers: [], validators: [] },
      epochs: [],
      challenges: [],
      thief: null,
      log,
    };

    for (let e = 0; e < config.submissionEpochs; e++) {
      const r = await playSubmissionEpoch(w, e);
      w.epochs.push(r);
      log(
        `epoch ${e}: ${r.columns} columns, ${r.revealed} validators, ${r.finalizeCalls} finalize calls, ${r.wallSeconds.toFixed(1)} s`,
      );
    }
    const revealHidden = async () => {
      // Fetchable the moment the reveal lands: validators load it by the revealed hash.
      const files = readdirSync(DATASET_DIRS.hidden)
        .filter((n) => n === 'manifest.json' || /^[0-9a-f]{64}\.bin$/.test(n))
        .map((n) => join(DATASET_DIRS.hidden, n));
      await seedFiles(net.blobs.disk, files, net.blobs.maxBlobBytes);
      await revealFinalEval(creator.ctx, { taskId, finalEvalHash: env.data.hidden, salt: finalSalt });
    };
    for (let e = config.submissionEpochs; e < config.submissionEpochs + config.finalEpochs; e++) {
      const r = await playFinalEpoch(w, e, revealHidden);
      w.epochs.push(r);
      log(
        `epoch ${e} (final): ${r.columns} columns, ${r.revealed} validators, ${r.finalizeCalls} finalize calls, ${r.wallSeconds.toFixed(1)} s`,
      );
    }

    // The challenge phase: whatever is unsettled settles; then the task ends and everyone claims.
    const tEnd = performance.now();
    ledger.phase = 'end';
    await settleChallenges(w, config.submissionEpochs + config.finalEpochs);
    await warp(w, endTime(schedule) + 1n);
    await settleChallenges(w, config.submissionEpochs + config.finalEpochs);
    const claims: Claims = {
      trainers: await inPool(net.trainers, config.concurrency, (a) =>
        claimed(() => claimOwnRewards(a.ctx, { taskId })),
      ),
      validators: await inPool(net.validators, config.concurrency, (a) =>
        claimed(() => claimOwnRewards(a.ctx, { taskId })),
      ),
      delegators: await inPool(pop.delegators, config.concurrency, (d) =>
        claimed(() =>
          claimDelegationRewards(net.delegators[d.index]!.ctx, {
            taskId,
            delegatee: (d.to.role === 'trainer' ? net.trainers : net.validators)[d.to.index]!.address as Address,
          }),
        ),
      ),
      remainder: await claimed(() => withdrawRemainder(creator.ctx, { taskId })),
    };
    // Jurors in a majority take their share by themselves.
    await tickAll(agents, 2);
    const endSeconds = (performance.now() - tEnd) / 1000;

    const delegated = (role: 'trainer' | 'validator', index: number) =>
      pop.delegators.filter((d) => d.to.role === role && d.to.index === index).reduce((s, d) => s + d.amount, 0n);
    const anvilPeak = processPeakRss(net.driver.anvil.process.pid);
    const { net: _n, env: _e, reader: _r, shared, agents: _a, ownership: _o, log: _l, ...kept } = w;
    return {
      config,
      pop,
      world: kept,
      claims,
      poolStakes: {
        trainers: pop.trainers.map((t) => t.stake + delegated('trainer', t.index)),
        validators: pop.validators.map((v) => v.stake + delegated('validator', v.index)),
      },
      rpc: [creator, keeper, ...net.trainers, ...net.validators, ...net.delegators].map((a) => ({
        role: a.role,
        index: a.index,
        agent: a.role === 'validator' && pop.validators[a.index]!.agent,
        requests: a.rpc.requests,
        methods: Object.fromEntries(a.rpc.methods),
      })),
      txs: ledger.txs,
      agentErrors: agents.flatMap((a) =>
        a.errors.map((e) => `agent ${a.index}: ${e instanceof Error ? e.message : String(e)}`),
      ),
      evaluations: {
        shared: shared.evaluations,
        agents: agents.reduce((s, a) => s + Object.keys(a.agent.state.evaluations).length, 0),
      },
      timing: { totalSeconds: (performance.now() - t0) / 1000, setupSeconds, trainingSeconds, endSeconds },
      memory: { peakRssBytes: peakRss, anvilPeakRssBytes: anvilPeak },
      machine: {
        cpus: cpus().length,
        model: cpus()[0]?.model ?? 'cpu',
        node: process.version,
        loadBefore,
        loadAfter: loadavg(),
      },
      challenges: w.challenges,
    };
  } finally {
    clearInterval(sampler);
    for (const a of agents) {
      a.agent.stop();
      a.host.releaseLocks();
    }
    env.transcripts.close();
    await net.stop();
    await releaseProverThreads();
    if (ownDir) rmSync(workDir, { recursive: true, force: true });
  }
}
