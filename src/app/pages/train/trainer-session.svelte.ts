// The Train page's live view of one trainer agent (task, account): opens the agent over the
// page's ports, starts it, and mirrors its state, notes, training progress and backend choice
// into runes. Commands go straight to the agent; the agent persists everything that matters, so
// a reload opens the same state and resumes training from its last checkpoint, or, for a
// transcript run (SPEC 8, the default), from the last state its transcript stored.
import {
  expectedArtifactBytes,
  TrainerAgent,
  trainerRunId,
  transcriptRunId,
  type TrainerCommand,
  type TrainerState,
} from '../../../lib/agents/index.ts';
import { readStoredTranscript, type StoredTranscript } from '../../../lib/app-logic/transcript-plan.ts';
import type { ModelSpec } from '../../../lib/ml/spec/types.ts';
import type { BackendSelection } from '../../../lib/ml/backend/select.ts';
import type { BackendName } from '../../../lib/ml/backend/types.ts';
import type { TrainProgress } from '../../../lib/ml/train/trainer.ts';
import type { RunSummary } from '../../../lib/storage/checkpoints.ts';
import type { Hex } from 'viem';
import { messageOf, openFailure, type SessionInput, type SessionStatus } from '../role/agent-session.ts';
import { runningAgents } from '../role/running-agents.svelte.ts';
import { openRolePorts, type RolePorts } from './role-ports.ts';
import { appendHistory, type HistoryPoint } from './train-view.ts';
import type { PublicEval } from '../../../lib/app-logic/public-eval.ts';
import type { TryPorts } from '../../../lib/app-logic/try-model.ts';
import { GenerateError } from '../../../lib/ml/errors.ts';

/** Chart history per run, kept in localStorage so a reload still shows the curve so far. */
const historyKey = (runId: string) => `aiarena-train-history:${runId}`;

function loadHistory(runId: string): HistoryPoint[] {
  try {
    const raw = globalThis.localStorage?.getItem(historyKey(runId));
    const parsed: unknown = raw ? JSON.parse(raw) : [];
    return Array.isArray(parsed) ? (parsed as HistoryPoint[]).filter((p) => typeof p?.step === 'number') : [];
  } catch {
    return [];
  }
}

function saveHistory(runId: string, history: readonly HistoryPoint[]): void {
  try {
    globalThis.localStorage?.setItem(historyKey(runId), JSON.stringify(history));
  } catch {
    // A full or disabled storage only costs the chart after a reload.
  }
}

/** The checkpoint summary of a run in this origin's checkpoint store (the worker's), if any. */
async function storedCheckpoint(runId: string): Promise<RunSummary | null> {
  try {
    const { openCheckpointStore } = await import('../../../lib/storage/checkpoints.ts');
    return (await (await openCheckpointStore()).summary(runId)) ?? null;
  } catch {
    return null;
  }
}

/** Changes when a run ends: the worker saved its last checkpoint before reporting it. */
const runMark = (s: TrainerState | null): string => {
  const last = s?.training.last;
  return last ? `${last.artifactHash}:${last.step}:${last.at}` : '';
};

/** Least time between two progress updates on screen. */
const PROGRESS_MS = 400;

export class TrainerSession {
  status = $state<SessionStatus>('opening');
  /** Why opening failed, or why the agent is not running here. */
  problem = $state<string | null>(null);
  state = $state.raw<TrainerState | null>(null);
  /** The task's model spec, once the agent is open (its metric picks the charts; an LM gets the try box). */
  spec = $state.raw<ModelSpec | null>(null);
  progress = $state.raw<TrainProgress | null>(null);
  history = $state.raw<HistoryPoint[]>([]);
  /** The backend the current (or last) run uses. */
  selection = $state.raw<BackendSelection | null>(null);
  /** A probe's report before any run (the backend training would pick here). */
  probed = $state.raw<BackendSelection | null>(null);
  probing = $state(false);
  training = $state<'idle' | 'running' | 'paused'>('idle');
  /**
   * The run's checkpoint stored on this device when the page opened with training to continue
   * (after a reload or a closed tab): the run resumes from it, not from step 0.
   */
  resumeFrom = $state.raw<RunSummary | null>(null);
  /**
   * The run's checkpoint stored on this device now: the next start ("Train more", or a run
   * stopped earlier) continues from it, so a plan counts only the steps after it. Read when the
   * page opens and whenever a run ends.
   */
  checkpoint = $state.raw<RunSummary | null>(null);
  /** Whether the agent trains transcript runs here (it has a transcript store). */
  transcripts = $state(false);
  /** Whether the agent can make ownership proofs here, so it answers challenges by itself. */
  canProve = $state(false);
  /**
   * The transcript run in progress as stored on this device (null: none, or not a transcript
   * agent). Read when the page opens and whenever a run ends.
   */
  storedTranscript = $state.raw<StoredTranscript | null>(null);
  /** The stored transcript state the run resumed from when the page opened with training to continue. */
  resumeTranscript = $state.raw<StoredTranscript | null>(null);
  /** keyCommit of the watermark key stored on this device for this task and account. */
  deviceKey = $state<Hex | null>(null);
  /** The last failure of the agent's loop (chain unreachable...); cleared by the next good state. */
  loopError = $state<string | null>(null);
  /** The model's accuracy (and loss) on the task's public eval set, by artifact hash (evaluated in the eval worker). */
  publicEval = $state.raw<Record<string, PublicEval>>({});
  /**
   * The agent's last step as stored when this tab opened it, before its first step here: since
   * when it had not run (a challenge whose window passed meanwhile failed with its tab closed).
   */
  openedLastSeen = $state<bigint | null>(null);

  #agent: TrainerAgent | null = null;
  #ports: RolePorts | null = null;
  #unsubscribe: (() => void) | null = null;
  #runId = '';
  #pending: TrainProgress | null = null;
  #flushTimer: ReturnType<typeof setTimeout> | null = null;
  readonly ready: Promise<void>;

  constructor(input: SessionInput) {
    this.ready = this.#open(input);
  }

  get agent(): TrainerAgent | null {
    return this.#agent;
  }

  get ports(): RolePorts | null {
    return this.#ports;
  }

  async #open(input: SessionInput): Promise<void> {
    try {
      const ports = await openRolePorts({ ...input, ctx: await input.ctx(), role: 'trainer' });
      this.#ports = ports;
      const agent = await TrainerAgent.open({ ...ports, ...(input.pollMs ? { pollMs: input.pollMs } : {}) });
      if (this.status === 'closed') {
        ports.close();
        return;
      }
      this.#agent = agent;
      this.spec = agent.taskSpec.spec;
      this.#runId = trainerRunId(ports.scope);
      this.history = loadHistory(this.#runId);
      this.state = agent.state;
      this.openedLastSeen = agent.state.lastSeen;
      this.#unsubscribe = agent.subscribe((e) => {
        switch (e.type) {
          case 'state':
            if (
              runMark(e.state) !== runMark(this.state) ||
              e.state.training.transcript?.base !== this.state?.training.transcript?.base
            )
              void this.#readCheckpoint(e.state);
            this.state = e.state;
            this.training = agent.trainingStatus;
            this.loopError = null;
            void this.#readDeviceKey();
            break;
          case 'error':
            this.loopError = messageOf(e.error);
            break;
          case 'train-progress':
            this.#queueProgress(e.progress);
            break;
          case 'train-backend':
            this.selection = e.selection;
            break;
          case 'note':
            break;
        }
      });
      await this.#readDeviceKey();
      const plan = agent.state.training;
      this.transcripts = ports.transcripts !== undefined;
      this.canProve = ports.prover !== undefined;
      if (this.transcripts) {
        await this.#readTranscript(agent.state);
        if ((plan.wanted || plan.paused) && (this.storedTranscript?.stored ?? 0) > 0)
          this.resumeTranscript = this.storedTranscript;
      } else {
        this.checkpoint = await storedCheckpoint(this.#runId);
        if (plan.wanted || plan.paused) this.resumeFrom = this.checkpoint;
      }
      await agent.start();
      this.status = 'ready';
      runningAgents.set({ role: 'trainer', taskId: input.taskId });
    } catch (e) {
      this.#ports?.close();
      ({ status: this.status, problem: this.problem } = openFailure(e));
    }
  }

  /**
   * Progress arrives every few steps, much faster than is worth drawing: the screen and the chart
   * history take the newest report at most every PROGRESS_MS (rendering every report would
   * outrun the main thread and queue up behind it).
   */
  #queueProgress(p: TrainProgress): void {
    const first = this.#pending === null && this.#flushTimer === null;
    this.#pending = p;
    if (first) this.#flushProgress();
    else this.#flushTimer ??= setTimeout(() => this.#flushProgress(), PROGRESS_MS);
  }

  #flushProgress(): void {
    this.#flushTimer = null;
    const p = this.#pending;
    if (p === null) return;
    this.#pending = null;
    this.progress = p;
    this.training = this.#agent?.trainingStatus ?? this.training;
    this.history = appendHistory(this.history, p);
    saveHistory(this.#runId, this.history);
    // Hold the next flush back for a full interval.
    this.#flushTimer = setTimeout(() => this.#flushProgress(), PROGRESS_MS);
  }

  /** The run in progress's transcript as stored (its last state is where a start resumes). */
  async #readTranscript(state: TrainerState | null = this.state): Promise<void> {
    const ports = this.#ports;
    const plan = state?.training.transcript;
    if (!ports?.transcripts || !plan) {
      this.storedTranscript = null;
      return;
    }
    try {
      this.storedTranscript = await readStoredTranscript(
        ports.transcripts,
        `${transcriptRunId(ports.scope)}.${plan.base}`,
      );
    } catch {
      // Unreadable storage only costs the hint; the agent warns about missing states itself.
    }
  }

  async #readCheckpoint(state: TrainerState): Promise<void> {
    if (this.transcripts) return this.#readTranscript(state);
    const runId = this.#runId;
    const c = await storedCheckpoint(runId);
    if (runId === this.#runId) this.checkpoint = c;
  }

  async #readDeviceKey(): Promise<void> {
    const ports = this.#ports;
    if (!ports) return;
    const { chainId, registry, taskId, account } = ports.scope;
    this.deviceKey = await ports.keys.keyCommit({ chainId, registry, taskId, account }).catch(() => this.deviceKey);
  }

  async command(cmd: TrainerCommand): Promise<void> {
    const agent = this.#agent;
    if (!agent) throw new Error('the trainer agent is not running');
    this.state = await agent.command(cmd);
    this.training = agent.trainingStatus;
    // Act on it now rather than at the next poll.
    void agent.tick().catch((e: unknown) => (this.loopError = messageOf(e)));
  }

  /** Starts (or continues: the run resumes from its checkpoint) training. */
  start(epochs: number | null, backend: BackendName | 'auto'): Promise<void> {
    return this.command({ type: 'startTraining', epochs, backend });
  }

  /** The backend a run would use here, timed on this model, without training. */
  async probe(backend: BackendName | 'auto'): Promise<void> {
    const ports = this.#ports;
    if (!ports || this.training !== 'idle') return;
    this.probing = true;
    try {
      this.probed = await ports.trainer().probe(ports.specBytes, backend);
    } finally {
      this.probing = false;
    }
  }

  /** Whether the public eval set is served here (a trainer's model can be evaluated on it). */
  get canEvaluatePublic(): boolean {
    return this.#ports?.evalData != null;
  }

  /**
   * Evaluates a stored model (the sealable candidate, or the newest) on the task's public eval set
   * in the eval worker, once per model: the trainer sees what validators will measure on it (they
   * score a seeded subset of the same set), not only the training batches' accuracy.
   */
  async evaluatePublic(artifactHash: Hex, again = false): Promise<void> {
    const ports = this.#ports;
    const key = artifactHash.toLowerCase();
    if (!ports || ports.evalData === null) return;
    const prev = this.publicEval[key];
    if (prev && (prev.status !== 'failed' || !again)) return;
    const set = (v: PublicEval) => (this.publicEval = { ...this.publicEval, [key]: v });
    set({ status: 'running', done: 0, total: 0 });
    try {
      const artifact = await ports.persist.getArtifact(ports.scope, artifactHash);
      if (!artifact) throw new Error('the model is no longer stored on this device');
      const r = await ports.ml.evaluate(
        { artifact, artifactHash, dataHash: ports.evalData },
        { onProgress: (done, total) => set({ status: 'running', done, total }) },
      );
      set({ status: 'done', accuracy: r.accuracy, score: r.score, samples: r.samples, loss: r.loss });
    } catch (e) {
      set({ status: 'failed', error: messageOf(e) });
    }
  }

  /**
   * What the "try the model" box runs on: the trainer's own models from this device's store, a
   * revealed model from the artifact store (checked against its CID, at most the spec's artifact
   * size), completions in the page's eval worker.
   */
  tryPorts(): TryPorts | null {
    const ports = this.#ports;
    const spec = this.spec;
    if (!ports || !spec) return null;
    return {
      async artifact(source, signal) {
        if (source.kind === 'own') {
          const bytes = await ports.persist.getArtifact(ports.scope, source.artifactHash);
          if (!bytes) throw new GenerateError('the model is no longer stored on this device');
          return bytes;
        }
        return ports.store.fetchVerified(
          { hash: source.artifactHash, ...(source.artifactRoot ? { root: source.artifactRoot } : {}) },
          { maxBytes: expectedArtifactBytes(spec), signal },
        );
      },
      generate: (job, events) => ports.generate({ ...job, specBytes: ports.specBytes }, events),
      cancel: () => ports.cancelGenerate(),
    };
  }

  exportKey(passphrase: string): Promise<string> {
    if (!this.#agent) throw new Error('the trainer agent is not running');
    return this.#agent.exportKey(passphrase);
  }

  async importKey(file: string, passphrase: string): Promise<void> {
    if (!this.#agent) throw new Error('the trainer agent is not running');
    await this.#agent.importKey(file, passphrase);
    await this.#readDeviceKey();
    await this.#agent.tick();
    this.state = this.#agent.state;
  }

  /** Stops the agent and its workers (training stops; the state stays stored). */
  close(): void {
    if (this.status === 'ready') runningAgents.remove('trainer');
    this.status = 'closed';
    if (this.#flushTimer !== null) clearTimeout(this.#flushTimer);
    this.#unsubscribe?.();
    this.#agent?.stop();
    this.#ports?.close();
  }
}
