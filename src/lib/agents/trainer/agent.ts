// A trainer agent: the trainer machine wired to its ports, its IndexedDB record and its key. The
// Train page creates one per (task, account), starts it, sends it the user's commands and renders
// its state, notes and training progress.
import { toHex, type Hex } from 'viem';
import type { ModelSpec } from '../../ml/spec/types.ts';
import { parseModelSpecBytes } from '../../ml/spec/parse.ts';
import { cidFromDigest } from '../../ml/artifact/cid.ts';
import type { TrainProgress } from '../../ml/train/trainer.ts';
import type { BackendSelection } from '../../ml/backend/select.ts';
import { AgentError, type ActionFailure, type AgentScope } from '../common.ts';
import { inspectCandidate } from '../artifact-checks.ts';
import { ensureTaskKey, exportTaskKey, importTaskKey, type KeyRef, type KeyStore } from '../keys.ts';
import { PortError, type ChainPort, type MlPort, type StorePort, type TaskInfo } from '../ports.ts';
import { AgentRunner, type MachineDriver, type RunnerEvent } from '../runner.ts';
import { scopeKey, type AgentStore } from '../store.ts';
import { webLocks, type TabLock } from '../lock.ts';
import {
  DEFAULT_TRAINER_CONFIG,
  initialTrainerState,
  trainerCommand,
  trainerReads,
  trainerRecord,
  trainerStep,
  type TrainerAction,
  type TrainerCommand,
  type TrainerConfig,
  type TrainerObservation,
  type TrainerOutcome,
  type TrainerState,
} from './machine.ts';

export interface AgentEnvBase {
  scope: AgentScope;
  chain: ChainPort;
  store: StorePort;
  ml: MlPort;
  persist: AgentStore;
  /** Exclusive lock per scope across tabs; default: the browser's Web Locks (none in Node). */
  lock?: TabLock | null;
  /** Milliseconds between ticks once started. Default 2000. */
  pollMs?: number;
  /** Fills `bytes` with secure random bytes (salts, seeds). Default crypto.getRandomValues. */
  random?: (bytes: Uint8Array<ArrayBuffer>) => void;
}

export interface TrainerAgentEnv extends AgentEnvBase {
  keys: KeyStore;
  config?: Partial<TrainerConfig>;
}

export type TrainerEvent =
  | RunnerEvent<TrainerState>
  | { type: 'train-progress'; progress: TrainProgress }
  | { type: 'train-backend'; selection: BackendSelection };

export const trainerRunId = (s: AgentScope) => `agent:${s.chainId}:${s.registry.toLowerCase()}:${s.taskId}:${s.account.toLowerCase()}`;

/** Identifies the task instance (a reset local chain reuses task ids and addresses). */
export const taskFingerprint = (t: TaskInfo) => `${t.schedule.startTime}:${t.modelSpec.toLowerCase()}`;

export const keyRefOf = (s: AgentScope): KeyRef => ({ chainId: s.chainId, registry: s.registry, taskId: s.taskId, account: s.account });

export function entropyFrom(random: (bytes: Uint8Array<ArrayBuffer>) => void): Hex {
  const b = new Uint8Array(32);
  random(b);
  return toHex(b);
}

/** Takes the scope's tab lock, if locks exist here; throws AgentError 'locked' when another tab holds it. */
export async function takeLock(env: AgentEnvBase): Promise<(() => void) | null> {
  const lock = env.lock === undefined ? webLocks() : env.lock;
  if (lock === null) return null;
  const release = await lock(`aiarena-agent:${scopeKey(env.scope)}`);
  if (release === null) {
    throw new AgentError('locked', `This ${env.scope.role} agent is already running in another tab or window; close it there to run it here.`);
  }
  return release;
}

export function failureOf(action: string, epoch: number | null, error: unknown, at: bigint): ActionFailure {
  const retryable = error instanceof PortError ? error.retryable : !(error instanceof AgentError);
  const message = error instanceof Error ? error.message : String(error);
  return { type: 'failed', action, epoch, message, retryable, at };
}

export class TrainerAgent {
  private readonly runner: AgentRunner<TrainerState, TrainerObservation, TrainerAction, TrainerOutcome>;
  private readonly listeners = new Set<(e: TrainerEvent) => void>();
  private training: 'idle' | 'running' | 'paused' = 'idle';
  private release: (() => void) | null = null;

  private constructor(
    private readonly env: TrainerAgentEnv,
    private readonly task: TaskInfo,
    private readonly spec: { spec: ModelSpec; hash: string },
    initial: TrainerState,
  ) {
    const config: TrainerConfig = { ...DEFAULT_TRAINER_CONFIG, ...env.config };
    const fingerprint = taskFingerprint(task);
    const driver: MachineDriver<TrainerState, TrainerObservation, TrainerAction, TrainerOutcome> = {
      step: (s, o) => trainerStep(s, o, config),
      record: (s, r) => {
        if (r.type === 'trained' || (r.type === 'failed' && r.action === 'train')) this.training = 'idle';
        return trainerRecord(s, r, config);
      },
      observe: (s) => this.observe(s),
      timeOf: (o) => o.now,
      execute: (a, ctx) => this.execute(a, ctx),
      failure: (a, error, at) => failureOf(a.type, 'epoch' in a ? a.epoch : null, error, at),
    };
    this.runner = new AgentRunner(driver, { save: (s) => env.persist.saveState(env.scope, s, fingerprint) }, initial, { pollMs: env.pollMs ?? 2000 });
    this.runner.subscribe((e) => this.emit(e));
  }

  /** Loads (or starts) the agent's state for its scope. A state from another instance of the task is replaced. */
  static async open(env: TrainerAgentEnv): Promise<TrainerAgent> {
    if (env.scope.role !== 'trainer') throw new AgentError('wrong-scope', 'a trainer agent needs a trainer scope');
    const [task, specBytes] = await Promise.all([env.chain.task(), env.ml.specBytes()]);
    const spec = await parseModelSpecBytes(specBytes);
    if (`0x${spec.hash}` !== task.modelSpec.toLowerCase()) {
      throw new AgentError('bad-state', `the model spec file hashes to 0x${spec.hash}, the task names ${task.modelSpec}`);
    }
    if (!spec.spec.watermark) throw new AgentError('bad-state', 'the task model spec has no watermark, so a submission could not be defended in a challenge');
    const stored = await env.persist.loadState<TrainerState>(env.scope);
    const initial = stored && stored.fingerprint === taskFingerprint(task) ? stored.state : initialTrainerState(env.scope);
    return new TrainerAgent(env, task, spec, initial);
  }

  get state(): TrainerState {
    return this.runner.current;
  }

  get trainingStatus(): 'idle' | 'running' | 'paused' {
    return this.training;
  }

  get taskInfo(): TaskInfo {
    return this.task;
  }

  subscribe(listener: (e: TrainerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: TrainerEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // A broken listener must not stop the agent.
      }
    }
  }

  /**
   * Starts ticking, holding this scope's tab lock (env.lock, by default the browser's Web Locks):
   * a second tab automating the same task and account gets an AgentError 'locked'.
   */
  async start(): Promise<void> {
    if (this.runner.isStarted) return;
    this.release ??= await takeLock(this.env);
    this.runner.start();
  }

  /** Stops ticking and gives the tab lock back (a running training run continues until paused or stopped). */
  stop(): void {
    this.runner.stop();
    this.release?.();
    this.release = null;
  }

  tick(): Promise<void> {
    return this.runner.tick();
  }

  settled(): Promise<void> {
    return this.runner.settled();
  }

  async command(cmd: TrainerCommand): Promise<TrainerState> {
    const next = await this.runner.command((s) => trainerCommand(s, cmd));
    // Pause and resume act on a live run at once; the state keeps the choice across reloads.
    if (cmd.type === 'pauseTraining' && this.training === 'running') {
      await this.env.ml.pause();
      this.training = 'paused';
    } else if (cmd.type === 'resumeTraining' && this.training === 'paused') {
      await this.env.ml.resume();
      this.training = 'running';
    } else if (cmd.type === 'stopTraining' && this.training !== 'idle') {
      await this.env.ml.stop('user');
    }
    return next;
  }

  /** The encrypted backup of this task's watermark key. */
  exportKey(passphrase: string): Promise<string> {
    return exportTaskKey(this.env.keys, keyRefOf(this.env.scope), passphrase);
  }

  /** Imports a key backup; once joined, the file must hold the key committed on chain. */
  async importKey(file: string, passphrase: string): Promise<Hex> {
    const pool = await this.env.chain.pool();
    return importTaskKey(this.env.keys, keyRefOf(this.env.scope), file, passphrase, {
      expectedKeyCommit: pool.role === 'Trainer' ? pool.keyCommit : null,
    });
  }

  private async observe(s: TrainerState): Promise<TrainerObservation> {
    const { chain } = this.env;
    const now = await chain.now();
    const [pool, localKey] = await Promise.all([chain.pool(), this.env.keys.keyCommit(keyRefOf(this.env.scope))]);
    const epochs = trainerReads(s, this.task.schedule, now);
    const seals = Object.fromEntries(await Promise.all(epochs.map(async (e) => [e, await chain.seal(e)] as const)));
    return {
      now,
      schedule: this.task.schedule,
      chain: { role: pool.role, keyCommit: pool.keyCommit, eligibleFrom: pool.eligibleFrom, excluded: pool.excluded, seals },
      local: { keyCommit: localKey, training: this.training },
      entropy: entropyFrom(this.env.random ?? ((b) => crypto.getRandomValues(b))),
    };
  }

  private async execute(a: Exclude<TrainerAction, { type: 'explain' }>, ctx: { at: bigint; background(work: () => Promise<TrainerOutcome>, onError: (e: unknown) => TrainerOutcome): void }): Promise<TrainerOutcome | null> {
    const { chain, ml, keys, persist, scope } = this.env;
    switch (a.type) {
      case 'generateKey': {
        const wm = this.spec.spec.watermark!;
        await ensureTaskKey(keys, keyRefOf(scope), { T: wm.bits, N: wm.length });
        return null;
      }
      case 'join': {
        const tx = await chain.join('Trainer', a.amount, a.sigma, a.keyCommit);
        return { type: 'sent', action: 'join', epoch: null, txHash: tx.txHash, at: ctx.at };
      }
      case 'train': {
        const key = await keys.get(keyRefOf(scope));
        if (!key) throw new AgentError('key-missing', 'the watermark key is not on this device');
        this.training = 'running';
        ctx.background(
          async () => {
            const result = await ml.train(
              { runId: trainerRunId(scope), seed: a.seed, epochs: a.epochs, backend: a.backend, watermark: { keyBits: key.bits, owner: scope.account } },
              {
                onProgress: (progress) => this.emit({ type: 'train-progress', progress }),
                onBackend: (selection) => this.emit({ type: 'train-backend', selection }),
              },
            );
            const report = await inspectCandidate(this.spec.spec, this.spec.hash, result.artifact, key, scope.account);
            // Stored before the machine hears of it: a candidate it may seal is one it can reveal.
            await persist.putArtifact(scope, report.artifactHash, result.artifact);
            await this.pruneArtifacts(report.artifactHash);
            return {
              type: 'trained',
              status: result.status,
              ...(result.reason !== undefined ? { reason: result.reason } : {}),
              plannedEpochs: result.plannedEpochs,
              candidate: { ...report, step: result.step, trainingEpoch: result.epoch },
              at: this.runner.lastObservedAt,
            };
          },
          (error) => failureOf('train', null, error, this.runner.lastObservedAt),
        );
        return null;
      }
      case 'snapshot':
        await ml.stop('snapshot');
        return null;
      case 'seal': {
        const tx = await chain.sealSubmission({ epoch: a.epoch, commitment: a.commitment, artifactHash: a.artifactHash, wmCommit: a.wmCommit, salt: a.salt });
        return { type: 'sent', action: 'seal', epoch: a.epoch, txHash: tx.txHash, at: ctx.at };
      }
      case 'upload': {
        const bytes = await persist.getArtifact(scope, a.artifactHash);
        if (!bytes) throw new AgentError('artifact-missing', `the sealed artifact ${a.artifactHash} is no longer stored on this device, so it cannot be revealed`);
        const cid = await this.env.store.upload(bytes);
        const expected = cidFromDigest(a.artifactHash);
        if (cid !== expected) throw new PortError('store', 'cid', `the store answered CID ${cid} for an artifact whose CID is ${expected}`, true);
        return { type: 'uploaded', epoch: a.epoch, artifactHash: a.artifactHash, cid, at: ctx.at };
      }
      case 'reveal': {
        const tx = await chain.revealSubmission({ epoch: a.epoch, artifactHash: a.artifactHash, wmCommit: a.wmCommit, salt: a.salt });
        return { type: 'sent', action: 'reveal', epoch: a.epoch, txHash: tx.txHash, at: ctx.at };
      }
    }
  }

  /** Keeps the artifacts the state can still need: the best, the newest, and every unrevealed seal's. */
  private async pruneArtifacts(newest: Hex): Promise<void> {
    const s = this.runner.current;
    const keep = new Set<Hex>([newest]);
    if (s.best) keep.add(s.best.artifactHash);
    for (const r of s.epochs) if (r.seal && r.outcome === 'open') keep.add(r.seal.artifactHash);
    await this.env.persist.pruneArtifacts(this.env.scope, [...keep]);
  }
}
