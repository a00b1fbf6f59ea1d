// A trainer agent: the trainer machine wired to its ports, its IndexedDB record and its key. The
// Train page creates one per (task, account), starts it, sends it the user's commands and renders
// its state, notes and training progress.
import { keccak256, stringToHex, type Hex } from 'viem';
import type { TrainProgress } from '../../ml/train/trainer.ts';
import type { BackendSelection } from '../../ml/backend/select.ts';
import { AgentError, type AgentScope, type StepResult } from '../common.ts';
import { inspectCandidate } from '../artifact-checks.ts';
import { ensureTaskKey, exportTaskKey, importTaskKey, type KeyRef, type KeyStore } from '../keys.ts';
import type { ProverPort, TaskInfo } from '../ports.ts';
import { uploadDisclosure } from '../disclosure.ts';
import { TranscriptError } from '../../ml/transcript/errors.ts';
import { busyKey } from './challenges.ts';
import type { TranscriptStore } from '../../ml/transcript/store.ts';
import { uploadSealedArtifact } from '../upload-sealed.ts';
import type { ExecuteContext, RunnerEvent } from '../runner.ts';
import { RoleAgent, failureOf, openRole, type AgentEnvBase, type TaskSpec } from '../role-agent.ts';
import {
  DEFAULT_TRAINER_CONFIG,
  initialTrainerState,
  trainerCommand,
  trainerReads,
  trainerRecord,
  trainerResultReads,
  trainerStep,
  transcriptsToKeep,
  type TrainerAction,
  type TrainerCommand,
  type TrainerConfig,
  type TrainerObservation,
  type TrainerOutcome,
  type TrainerState,
} from './machine.ts';

export interface TrainerAgentEnv extends AgentEnvBase {
  keys: KeyStore;
  config?: Partial<TrainerConfig>;
  /**
   * Where this trainer's transcripts are kept (the same store the ML port's runs write: the
   * worker's IndexedDB database, or the Node service's directory). With it the agent trains with
   * transcripts, seals their roots and can disclose them; without it runs are plain.
   */
  transcripts?: TranscriptStore;
  /** Makes ownership proofs so the agent answers challenges by itself (SPEC 7); without it the page must. */
  prover?: ProverPort;
}

type TrainingEvent =
  { type: 'train-progress'; progress: TrainProgress } | { type: 'train-backend'; selection: BackendSelection };

export type TrainerEvent = RunnerEvent<TrainerState> | TrainingEvent;

export const trainerRunId = (s: AgentScope) =>
  `agent:${s.chainId}:${s.registry.toLowerCase()}:${s.taskId}:${s.account.toLowerCase()}`;

/**
 * Names this scope's transcript runs in the transcript store: short and file-name safe (Node's
 * store keeps each transcript in a directory of that name), from a digest of the scope.
 */
export const transcriptRunId = (s: AgentScope): string => `tr-${keccak256(stringToHex(trainerRunId(s))).slice(2, 18)}`;

export const keyRefOf = (s: AgentScope): KeyRef => ({
  chainId: s.chainId,
  registry: s.registry,
  taskId: s.taskId,
  account: s.account,
});

export class TrainerAgent extends RoleAgent<
  TrainerState,
  TrainerObservation,
  TrainerAction,
  TrainerOutcome,
  TrainingEvent
> {
  declare protected readonly env: TrainerAgentEnv;
  private readonly config: TrainerConfig;
  private training: 'idle' | 'running' | 'paused' = 'idle';
  /** Challenge actions running in the background (challenges.ts busyKey). */
  private readonly busy = new Set<string>();

  private constructor(env: TrainerAgentEnv, task: TaskInfo, spec: TaskSpec, initial: TrainerState) {
    super(env, task, spec, initial);
    this.config = { ...DEFAULT_TRAINER_CONFIG, transcripts: env.transcripts !== undefined, ...env.config };
  }

  /** Loads (or starts) the agent's state for its scope. A state from another instance of the task is replaced. */
  static async open(env: TrainerAgentEnv): Promise<TrainerAgent> {
    const { task, spec, initial } = await openRole(env, 'trainer', initialTrainerState, (spec) => {
      if (!spec.watermark)
        throw new AgentError(
          'bad-state',
          'the task model spec has no watermark, so a submission could not be defended in a challenge',
        );
    });
    // A run recorded as started belonged to a page that is gone (one tab holds the agent's lock):
    // without this, a reload would wait out the retry delay before resuming from the checkpoint.
    const fresh = { ...initial, training: { ...initial.training, startedAt: null } };
    return new TrainerAgent(env, task, spec, fresh);
  }

  protected step(s: TrainerState, o: TrainerObservation): StepResult<TrainerState, TrainerAction> {
    return trainerStep(s, o, this.config);
  }

  protected record(s: TrainerState, r: TrainerOutcome): StepResult<TrainerState, TrainerAction> {
    if (r.type === 'trained' || (r.type === 'failed' && r.action === 'train')) this.training = 'idle';
    return trainerRecord(s, r, this.config);
  }

  get trainingStatus(): 'idle' | 'running' | 'paused' {
    return this.training;
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

  protected async observe(s: TrainerState): Promise<TrainerObservation> {
    const { chain } = this.env;
    const now = await chain.now();
    const [pool, localKey] = await Promise.all([chain.pool(), this.env.keys.keyCommit(keyRefOf(this.env.scope))]);
    const epochs = trainerReads(s, this.task.schedule, now);
    const [seals, results] = await Promise.all([
      Promise.all(epochs.map(async (e) => [e, await chain.seal(e)] as const)),
      Promise.all(
        trainerResultReads(s, this.task.schedule, now).map(async (e) => [e, await chain.epochOutcome(e)] as const),
      ),
    ]);
    const { minScore, floorBps, minValidators } = this.task.rules;
    const challenges = chain.challenges ? await chain.challenges() : undefined;
    const transcripts = await this.keptTranscripts(s);
    return {
      now,
      schedule: this.task.schedule,
      minStake: this.task.minStake.trainer,
      rules: { minScore, floorBps, minValidators },
      chain: {
        role: pool.role,
        keyCommit: pool.keyCommit,
        eligibleFrom: pool.eligibleFrom,
        excluded: pool.excluded,
        seals: Object.fromEntries(seals),
        results: Object.fromEntries(results),
        ...(challenges ? { challenges } : {}),
      },
      local: {
        keyCommit: localKey,
        training: this.training,
        busy: [...this.busy],
        prover: this.env.prover !== undefined && chain.respondChallenge !== undefined,
        ...(transcripts ? { transcripts } : {}),
      },
      entropy: this.entropy(),
    };
  }

  protected async execute(
    a: Exclude<TrainerAction, { type: 'explain' }>,
    ctx: ExecuteContext<TrainerOutcome>,
  ): Promise<TrainerOutcome | null> {
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
              {
                runId: trainerRunId(scope),
                seed: a.seed,
                epochs: a.epochs,
                backend: a.backend,
                watermark: { keyBits: key.bits, owner: scope.account },
                ...(a.transcript
                  ? {
                      transcript: {
                        base: `${transcriptRunId(scope)}.${a.transcript.base}`,
                        continueFrom: a.transcript.continueFrom,
                        chainId: scope.chainId,
                        task: scope.taskId,
                      },
                    }
                  : {}),
              },
              {
                onProgress: (progress) => this.emit({ type: 'train-progress', progress }),
                onBackend: (selection) => this.emit({ type: 'train-backend', selection }),
              },
            );
            // The worker hashed the artifact it produced: not hashed again here.
            const report = await inspectCandidate(
              this.spec.spec,
              this.spec.hash,
              { bytes: result.artifact, artifactHash: result.artifactHash },
              key,
              scope.account,
            );
            // Stored before the machine hears of it: a candidate it may seal is one it can reveal.
            await persist.putArtifact(scope, report.artifactHash, result.artifact);
            await this.pruneArtifacts(report.artifactHash);
            return {
              type: 'trained',
              status: result.status,
              ...(result.reason !== undefined ? { reason: result.reason } : {}),
              plannedEpochs: result.plannedEpochs,
              candidate: {
                ...report,
                step: result.step,
                trainingEpoch: result.epoch,
                transcript: result.transcript,
                transcriptId: result.transcriptId ?? null,
              },
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
      case 'pruneTranscripts': {
        const store = this.env.transcripts;
        const prefix = `${transcriptRunId(scope)}.`;
        const ids = store ? (await store.list()).map((m) => m.id).filter((id) => id.startsWith(prefix)) : [];
        for (const id of ids) await store!.delete(id);
        return { type: 'pruned', transcripts: ids.length, at: ctx.at };
      }
      case 'seal': {
        const tx = await chain.sealSubmission({
          epoch: a.epoch,
          commitment: a.commitment,
          artifactHash: a.artifactHash,
          wmCommit: a.wmCommit,
          transcript: a.transcript,
          salt: a.salt,
        });
        return { type: 'sent', action: 'seal', epoch: a.epoch, txHash: tx.txHash, at: ctx.at };
      }
      case 'upload': {
        const bytes = await persist.getArtifact(scope, a.artifactHash);
        const { cid, artifactRoot } = await uploadSealedArtifact(
          this.env.store,
          a.artifactHash,
          bytes,
          `the sealed artifact ${a.artifactHash} is no longer stored on this device, so it cannot be revealed`,
        );
        return { type: 'uploaded', epoch: a.epoch, artifactHash: a.artifactHash, cid, artifactRoot, at: ctx.at };
      }
      case 'reveal': {
        const tx = await chain.revealSubmission({
          epoch: a.epoch,
          artifactHash: a.artifactHash,
          artifactRoot: a.artifactRoot,
          wmCommit: a.wmCommit,
          transcript: a.transcript,
          salt: a.salt,
        });
        return { type: 'sent', action: 'reveal', epoch: a.epoch, txHash: tx.txHash, at: ctx.at };
      }
      case 'prove': {
        const { prover } = this.env;
        if (!prover || !chain.respondChallenge)
          throw new AgentError('bad-state', 'this agent has no prover to answer a challenge with');
        const respond = chain.respondChallenge.bind(chain);
        return this.answer(busyKey('prove', a.challengeId), 'prove', a.epoch, ctx, async () => {
          const key = await keys.get(keyRefOf(scope));
          if (!key)
            throw new AgentError(
              'key-missing',
              'the watermark key is not on this device, so the ownership proof cannot be made; import your key backup',
            );
          const proof = await prover.proveOwnership({ challengeId: a.challengeId, key });
          const tx = await respond(a.challengeId, proof);
          return {
            type: 'proven',
            epoch: a.epoch,
            challengeId: a.challengeId,
            txHash: tx.txHash,
            at: this.runner.lastObservedAt,
          };
        });
      }
      case 'uploadDisclosure': {
        const transcripts = this.env.transcripts;
        if (!transcripts)
          throw new AgentError('bad-state', 'this agent keeps no transcripts, so it cannot disclose one');
        return this.answer(busyKey('uploadDisclosure', a.challengeId), 'uploadDisclosure', a.epoch, ctx, async () => {
          const key = await keys.get(keyRefOf(scope));
          if (!key)
            throw new AgentError(
              'key-missing',
              'the watermark key is not on this device, and a disclosure must carry it; import your key backup',
            );
          let uploaded: { manifest: Hex; bytes: number };
          try {
            uploaded = await uploadDisclosure(this.env.store, transcripts, a.transcriptId, key);
          } catch (e) {
            // Missing or changed states do not come back by trying again.
            if (e instanceof TranscriptError) throw new AgentError('transcript-missing', e.message, { cause: e });
            throw e;
          }
          const { manifest, bytes } = uploaded;
          return {
            type: 'disclosure-uploaded',
            epoch: a.epoch,
            challengeId: a.challengeId,
            manifest,
            bytes,
            at: this.runner.lastObservedAt,
          };
        });
      }
      case 'disclose': {
        if (!chain.discloseTranscript) throw new AgentError('bad-state', 'this chain port cannot post a disclosure');
        const tx = await chain.discloseTranscript(a.challengeId, a.manifest);
        return { type: 'disclosed', epoch: a.epoch, challengeId: a.challengeId, txHash: tx.txHash, at: ctx.at };
      }
    }
  }

  /** Whether every state of each transcript a seal names is still stored (the last one read as the check). */
  private async keptTranscripts(s: TrainerState): Promise<Record<string, boolean> | undefined> {
    const store = this.env.transcripts;
    if (!store) return undefined;
    const out: Record<string, boolean> = {};
    for (const id of transcriptsToKeep(s)) {
      const meta = await store.meta(id);
      out[id] =
        meta !== undefined &&
        meta.root !== undefined &&
        meta.leaves.length === meta.segments + 1 &&
        (await store.state(id, meta.segments)) !== undefined;
    }
    return out;
  }

  /** Runs a challenge action in the background, marked busy so the machine does not repeat it meanwhile. */
  private answer(
    key: string,
    action: string,
    epoch: number,
    ctx: ExecuteContext<TrainerOutcome>,
    work: () => Promise<TrainerOutcome>,
  ): null {
    this.busy.add(key);
    ctx.background(
      async () => {
        try {
          return await work();
        } finally {
          this.busy.delete(key);
        }
      },
      (error) => failureOf(action, epoch, error, this.runner.lastObservedAt),
    );
    return null;
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
