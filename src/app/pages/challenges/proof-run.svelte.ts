// One ownership proof at a time in the page: its step for the progress bar, cancel, and the
// error as a sentence. The prover (a worker with snarkjs) and the agents' key store load on the
// first proof, so viewing challenges costs neither.
import type { Address, Hex } from 'viem';
import { errorSentence } from '../../../lib/app-logic/errors.ts';
import type { ContentFetcher } from '../../../lib/chain/reads/gateway.ts';
import type { WatermarkKey } from '../../../lib/ml/watermark/types.ts';
import type { Prover } from '../../../lib/zk/client.ts';
import { proveWorker } from '../../workers.ts';
import type { OwnershipEnv, ProofStep } from '../../../lib/app-logic/ownership.ts';

export interface KeyPlace {
  chainId: number;
  registry: Address;
  taskId: bigint;
  account: Address;
}

/** The watermark key the trainer agent keeps for this task and account on this device. */
export async function deviceKey(ref: KeyPlace): Promise<WatermarkKey | undefined> {
  const [{ openAgentDatabase }, { keyStoreOn }] = await Promise.all([
    import('../../../lib/agents/store.ts'),
    import('../../../lib/agents/keys.ts'),
  ]);
  const db = await openAgentDatabase();
  try {
    return await keyStoreOn(db).get(ref);
  } finally {
    db.close();
  }
}

/** Thrown by `check()` inside a run that was cancelled: nothing after it happens. */
class RunCancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'RunCancelled';
  }
}

export interface RunHandle {
  onStep(s: ProofStep): void;
  /** Throws once the run was cancelled: call it before anything that cannot be undone (sending). */
  check(): void;
}

export class ProofRun {
  step = $state.raw<ProofStep | null>(null);
  running = $state(false);
  /** What went wrong, as a sentence; null after a success or a cancel. */
  error = $state<string | null>(null);
  /** What the last run achieved, as a sentence. */
  done = $state<string | null>(null);
  #prover: Prover | null = null;
  /** Bumped by every run and every cancel: a run whose token is stale shows and sends nothing. */
  #token = 0;

  /** The proving environment for a task: the worker, the app's zk manifest, its model spec. */
  async env(content: ContentFetcher, modelSpec: Hex): Promise<OwnershipEnv> {
    const [{ createProver, defaultManifestUrl }, { readModelSpec }] = await Promise.all([
      import('../../../lib/zk/client.ts'),
      import('../../../lib/chain/reads/content.ts'),
    ]);
    this.#prover ??= createProver(proveWorker);
    const { spec } = await readModelSpec(content, modelSpec);
    return { prover: this.#prover, manifestUrl: defaultManifestUrl(), content, spec, specHash: modelSpec };
  }

  /** Runs `work` (prove, then send). Resolves null when it failed or was cancelled. */
  async run<T>(work: (h: RunHandle) => Promise<T>, success: (result: T) => string): Promise<T | null> {
    if (this.running) return null;
    const token = ++this.#token;
    const current = () => token === this.#token;
    this.running = true;
    this.error = null;
    this.done = null;
    this.step = null;
    try {
      const result = await work({
        onStep: (s) => {
          if (current()) this.step = s;
        },
        check: () => {
          if (!current()) throw new RunCancelled();
        },
      });
      if (!current()) return null;
      this.done = success(result);
      return result;
    } catch (e) {
      if (current()) this.error = errorSentence(e);
      return null;
    } finally {
      if (current()) {
        this.running = false;
        this.step = null;
      }
    }
  }

  /** Stops the proof at once (the worker is terminated); a run still loading stops at its next check. */
  cancel(): void {
    if (!this.running) return;
    this.#token++;
    this.#prover?.cancel('You cancelled the proof.');
    this.running = false;
    this.step = null;
    this.error = null;
  }

  close(): void {
    this.cancel();
    this.#prover?.terminate();
    this.#prover = null;
  }
}
