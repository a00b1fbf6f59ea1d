// Everything the headless agents of one process share, and how each one is opened: one RPC
// client and one account (its transactions one at a time), the state folder (agent states,
// watermark keys, checkpoints, transcripts, locks), one content cache (model specs, datasets)
// and one ML engine (tfjs on wasm, as in the app's workers; evaluations queued so validators of
// one process take turns). Each trainer gets its own train service: a run is one per service,
// and a trainer's snapshot must stop its own run only. The agents are the app's own
// (src/lib/agents), over the same ports the app builds (src/app/pages/train/role-ports.ts).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Address, Hex } from 'viem';
import {
  TrainerAgent,
  ValidatorAgent,
  actionsChainPort,
  actionsChallengePort,
  casStorePort,
  mlPort,
  type AgentScope,
  type AgentStore,
  type EvaluatorHandle,
  type ChainPort,
  type KeyStore,
  type MlPort,
  type ProverPort,
  type TabLock,
  type TrainerHandle,
} from '../lib/agents/index.ts';
import type { ActionContext } from '../lib/chain/actions/context.ts';
import { gatewayFetcher } from '../lib/chain/reads/gateway.ts';
import type { CasConfig } from '../lib/storage/cas/index.ts';
import { agentStoreInDir } from '../lib/storage/agent-store-fs.ts';
import { openContentCache, type ContentCache } from '../lib/storage/content-cache-fs.ts';
import { fileFetch } from '../lib/storage/file-fetch-fs.ts';
import { fileLocks } from '../lib/storage/file-lock-fs.ts';
import { accountWrapKeys, keyStoreInDir } from '../lib/storage/key-store-fs.ts';
import type { Network } from './connect.ts';
import type { Signer } from './account.ts';
import { PUBLIC_DIR } from './paths.ts';
import { PUBLISHED_DATASETS } from '../lib/app-logic/spec-templates.ts';

/** The agents' store, whose writes can be switched off once the process is stopping. */
export interface FreezableStore extends AgentStore {
  /** From now on writes are dropped: a background result arriving after the stop changes nothing on disk. */
  freeze(): void;
}

export function freezable(inner: AgentStore): FreezableStore {
  let frozen = false;
  return {
    loadState: (s) => inner.loadState(s),
    saveState: async (s, state, fp) => (frozen ? undefined : inner.saveState(s, state, fp)),
    deleteState: async (s) => (frozen ? undefined : inner.deleteState(s)),
    listScopes: () => inner.listScopes(),
    putArtifact: async (s, h, b) => (frozen ? undefined : inner.putArtifact(s, h, b)),
    getArtifact: (s, h) => inner.getArtifact(s, h),
    pruneArtifacts: async (s, keep) => (frozen ? 0 : inner.pruneArtifacts(s, keep)),
    putSamples: async (s, k, v) => (frozen ? undefined : inner.putSamples(s, k, v)),
    getSamples: (s, k) => inner.getSamples(s, k),
    clearSamples: async (s) => (frozen ? 0 : inner.clearSamples(s)),
    close: () => inner.close(),
    freeze: () => {
      frozen = true;
    },
  };
}

interface MlEngine {
  evaluator: EvaluatorHandle;
  newTrainer(): TrainerHandle;
  proveService(): import('../lib/app-logic/ownership.ts').ProverLike;
}

/** Runs jobs one after another. */
function queue(): <T>(job: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (job) => {
    const run = tail.then(job, job);
    tail = run.catch(() => undefined);
    return run;
  };
}

/** An opened agent with the ports it runs on (the command reads the pool and stops training through them). */
export interface Opened<A> {
  agent: A;
  chain: ChainPort;
  ml: MlPort;
}

export interface HostOptions {
  net: Network;
  ctx: ActionContext & { address: Address };
  signer: Signer;
  cas: CasConfig;
  stateDir: string;
  pollMs: number;
}

export class AgentHost {
  readonly persist: FreezableStore;
  readonly keys: KeyStore;
  readonly content: ContentCache;
  private readonly locks: ReturnType<typeof fileLocks>;
  /** Lock releases, given back only once the agents are idle (not when their ticking stops). */
  private readonly releases: (() => void)[] = [];
  private engine: Promise<MlEngine> | null = null;
  private readonly fetch = fileFetch();

  constructor(readonly o: HostOptions) {
    this.persist = freezable(agentStoreInDir(join(o.stateDir, 'agents')));
    this.keys = keyStoreInDir(join(o.stateDir, 'keys'), accountWrapKeys(o.signer.privateKey));
    this.locks = fileLocks(join(o.stateDir, 'locks'));
    this.content = openContentCache({
      datasetDirs: PUBLISHED_DATASETS.map((d) => join(PUBLIC_DIR, 'datasets', d)),
      fileDirs: [join(PUBLIC_DIR, 'specs')],
      cacheDir: join(o.stateDir, 'cache'),
      gateways: o.cas.gateways,
    });
  }

  /** The agents' lock: held until release(), whatever the agent's own stop does. */
  readonly lock: TabLock = async (name) => {
    const release = await this.locks(name);
    if (release === null) return null;
    this.releases.push(release);
    return () => {};
  };

  releaseLocks(): void {
    for (const r of this.releases.splice(0)) r();
  }

  private ml(): Promise<MlEngine> {
    return (this.engine ??= (async () => {
      const [{ tf }, { createTrainService }, { createEvalService }, { checkpointStoreInDir }, { openTranscriptDir }] =
        await Promise.all([
          import('../lib/ml/backend/tf.ts'),
          import('../lib/ml/train/service.ts'),
          import('../lib/ml/eval/service.ts'),
          import('../lib/storage/checkpoints-fs.ts'),
          import('../lib/storage/transcripts-fs.ts'),
        ]);
      // Silences tfjs's "install tfjs-node" banner and per-op debug checks.
      tf.enableProdMode();
      const require = createRequire(import.meta.url);
      const wasmPaths = `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'))}/dist/`;
      const backend = { wasmPaths };
      const evalService = createEvalService({ backend, fetch: this.fetch });
      const inTurn = queue();
      const dir = this.o.stateDir;
      let prover: import('../lib/app-logic/ownership.ts').ProverLike | null = null;
      return {
        evaluator: {
          evaluate: (job, events) => inTurn(() => evalService.evaluate(job, events)),
          replay: (job, events) => inTurn(() => evalService.replay(job, events)),
        },
        newTrainer: () =>
          createTrainService({
            backend,
            fetch: this.fetch,
            openStore: async () => checkpointStoreInDir(join(dir, 'checkpoints')),
            openTranscriptStore: () => openTranscriptDir(join(dir, 'transcripts')),
          }),
        proveService: () => {
          if (prover) return prover;
          const lazy = import('../lib/zk/service.ts').then(({ createProveService }) =>
            createProveService({ fetch: this.fetch }),
          );
          prover = { prove: async (job, events) => (await lazy).prove(job, events) };
          return prover;
        },
      };
    })());
  }

  scope(taskId: bigint, role: AgentScope['role']): AgentScope {
    return {
      chainId: this.o.net.deployment.chainId,
      registry: this.o.net.deployment.contracts.taskRegistry,
      taskId,
      account: this.o.ctx.address,
      role,
    };
  }

  /** The task's model spec file (bundled, cached or through the gateways; hash-checked). */
  private async taskContent(taskId: bigint, role: 'trainer' | 'validator') {
    const chain = actionsChainPort(this.o.ctx, taskId);
    const task = await chain.task();
    const specBytes = await this.content.file(task.modelSpec);
    const folders = new Map<string, string>();
    const add = async (hash: Hex, required: boolean) => {
      try {
        folders.set(hash.toLowerCase(), pathToFileURL(await this.content.dataset(hash)).href);
      } catch (e) {
        if (required) throw e;
      }
    };
    // A trainer cannot train without its training set; the eval set only previews its model.
    // A validator reads a set it does not have through the gateways (the eval service can).
    if (role === 'trainer') await Promise.all([add(task.trainData, true), add(task.evalData, false)]);
    else await Promise.all([add(task.evalData, false), add(task.trainData, false)]);
    return { chain, task, specBytes, folders };
  }

  async openTrainer(taskId: bigint): Promise<Opened<TrainerAgent>> {
    const [
      { chain, task, specBytes, folders },
      engine,
      { openTranscriptDir },
      { parseModelSpecBytes },
      { ownershipProverPort },
    ] = await Promise.all([
      this.taskContent(taskId, 'trainer'),
      this.ml(),
      import('../lib/storage/transcripts-fs.ts'),
      import('../lib/ml/spec/parse.ts'),
      import('../lib/agents/adapters/prover.ts'),
    ]);
    const transcripts = await openTranscriptDir(join(this.o.stateDir, 'transcripts'));
    const ml = mlPort({
      trainer: engine.newTrainer(),
      evaluator: engine.evaluator,
      specBytes,
      trainData: task.trainData,
      dataUrl: (hash) => folders.get(hash.toLowerCase()) ?? { gateways: this.o.cas.gateways },
      evalBackend: 'wasm',
      train: { checkpointEvery: 20 },
      transcripts,
      fetch: this.fetch,
    });
    const { spec } = await parseModelSpecBytes(specBytes);
    const account = this.o.ctx.address;
    const prover: ProverPort = {
      proveOwnership: (p) =>
        ownershipProverPort(
          this.o.ctx,
          {
            prover: engine.proveService(),
            manifestUrl: pathToFileURL(join(PUBLIC_DIR, 'zk', 'manifest.json')).href,
            content: gatewayFetcher(this.o.cas.gateways),
            spec,
            specHash: task.modelSpec,
          },
          account,
        ).proveOwnership(p),
    };
    const agent = await TrainerAgent.open({
      scope: this.scope(taskId, 'trainer'),
      chain,
      store: casStorePort(this.o.cas, { name: `aiarena task ${taskId}` }),
      ml,
      persist: this.persist,
      keys: this.keys,
      transcripts,
      prover,
      lock: this.lock,
      pollMs: this.o.pollMs,
    });
    return { agent, chain, ml };
  }

  async openValidator(taskId: bigint): Promise<Opened<ValidatorAgent>> {
    const [{ chain, task, specBytes, folders }, engine] = await Promise.all([
      this.taskContent(taskId, 'validator'),
      this.ml(),
    ]);
    const ml = mlPort({
      // A validator never trains; replays go through the evaluator.
      trainer: {
        train: () => Promise.reject(new Error('a validator does not train')),
        pause: () => {},
        resume: () => {},
        cancel: () => {},
      },
      evaluator: engine.evaluator,
      specBytes,
      trainData: task.trainData,
      dataUrl: (hash) => folders.get(hash.toLowerCase()) ?? { gateways: this.o.cas.gateways },
      evalBackend: 'wasm',
      fetch: this.fetch,
    });
    const agent = await ValidatorAgent.open({
      scope: this.scope(taskId, 'validator'),
      chain,
      store: casStorePort(this.o.cas, { name: `aiarena task ${taskId}` }),
      ml,
      persist: this.persist,
      ...(this.o.net.deployment.contracts.challengeModule
        ? { challenges: actionsChallengePort(this.o.ctx, taskId) }
        : {}),
      lock: this.lock,
      pollMs: this.o.pollMs,
    });
    return { agent, chain, ml };
  }
}
