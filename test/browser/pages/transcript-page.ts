// Test page for transcripts: runs the training worker's transcript jobs and the eval worker's
// segment replays through the app's client, and reads the stored states from IndexedDB.
import { createEvaluator, createTrainer, type ReplayOutcome } from '../../../src/lib/ml/client.ts';
import { evalWorker, trainWorker } from '../../../src/app/workers.ts';
import type { BackendName } from '../../../src/lib/ml/backend/types.ts';
import { openTranscriptStore } from '../../../src/lib/storage/transcripts.ts';

const trainer = createTrainer(trainWorker());
const evaluator = createEvaluator(evalWorker());
const keyBits = Uint8Array.from({ length: 64 * 128 }, (_, i) => (i * 2654435761) >>> 31);
const identity = { chainId: 31337, task: 1, trainer: '0x5b38da6a701c568545dcfcddfc4b11fc0a3f9d6e' as const };

/** digits-mlp with a 10-step interval: the file's bytes as the task would publish them. */
async function specBytes(): Promise<Uint8Array> {
  const doc = (await (await fetch('/specs/digits-mlp.json')).json()) as object;
  return new TextEncoder().encode(JSON.stringify({ ...doc, transcript: { interval: 10 } }, null, 2));
}

const state = { lastStep: 0 };

const api = {
  state,
  async run(id: string, segments: number) {
    const out = await trainer.transcript(
      {
        transcriptId: id,
        specBytes: await specBytes(),
        dataUrl: '/datasets/digits-train',
        identity,
        keyBits,
        segments,
        backend: 'wasm',
      },
      { onStep: (step) => (state.lastStep = step) },
    );
    return {
      status: out.status,
      resumedFrom: out.resumedFrom,
      leaves: out.meta.leaves,
      root: out.meta.root,
      artifactHash: out.artifactHash,
    };
  },
  list: async () => (await trainer.transcripts()).map((m) => ({ id: m.id, leaves: m.leaves.length })),
  async replay(id: string, index: number, backend: BackendName, cancelAtStep?: number) {
    const store = await openTranscriptStore();
    const start = (await store.state(id, index))!;
    const claimed = (await store.state(id, index + 1))!;
    store.close();
    const progress: number[] = [];
    const out: ReplayOutcome = await evaluator.replay(
      { specBytes: await specBytes(), dataUrl: '/datasets/digits-train', identity, keyBits, start, claimed, backend },
      {
        onProgress: (done) => {
          progress.push(done);
          if (done === cancelAtStep) void evaluator.cancel('test');
        },
      },
    );
    return { status: out.status, backend: out.backend, check: out.check, progress };
  },
};

(window as unknown as { transcript: typeof api }).transcript = api;
document.getElementById('log')!.textContent = 'ready';
