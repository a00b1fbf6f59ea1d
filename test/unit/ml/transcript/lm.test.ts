// A transcript (SPEC 8) of a next-token model with a watermark: trained on wasm, every segment
// replays bit for bit, a tampered state fails, and the artifact is the last state's weights.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseModelSpecBytes } from '../../../../src/lib/ml/spec/parse.ts';
import { specShapes } from '../../../../src/lib/ml/spec/shapes.ts';
import { memoryData } from '../../../../src/lib/ml/train/data.ts';
import { createProgram, type ProgramOptions } from '../../../../src/lib/ml/transcript/program.ts';
import { replaySegment } from '../../../../src/lib/ml/transcript/replay.ts';
import { runTranscript, type TranscriptRunResult } from '../../../../src/lib/ml/transcript/run.ts';
import type { TranscriptStore } from '../../../../src/lib/ml/transcript/store.ts';
import { deserializeArtifact } from '../../../../src/lib/ml/artifact/index.ts';
import { openTranscriptDir } from '../../../../src/lib/storage/transcripts-fs.ts';
import { useBackend } from '../engine/helpers.ts';
import { countingSequences, tinyLmDoc } from '../lm/helpers.ts';
import { ALICE, keyFor } from './fixture.ts';

const K = 2;
const L = 8;
const task = countingSequences(96, L, 256, 3);
let dir: string;
let store: TranscriptStore;
let options: ProgramOptions;
let result: TranscriptRunResult;
const losses: number[] = [];
const states = () => Promise.all(Array.from({ length: K + 1 }, (_, i) => store.state('lm', i).then((b) => b!)));

beforeAll(async () => {
  await useBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'aiarena-lm-transcript-'));
  store = await openTranscriptDir(dir);
  const base = tinyLmDoc({ len: L, dim: 16, heads: 2, mlpDim: 128, batchSize: 16, epochs: 4, watermark: true });
  // Through the file, as a task publishes it: the transcript section changes the hash.
  const bytes = new TextEncoder().encode(JSON.stringify({ ...base, transcript: { interval: 5 } }));
  const { spec, hash } = await parseModelSpecBytes(bytes);
  options = {
    spec,
    specHash: hash,
    identity: ALICE,
    openData: (seed) => memoryData(task.features, task.labels, L, { seed, labelSize: L }),
    keyBits: keyFor(ALICE.trainer),
  };
  result = await runTranscript({
    ...options,
    id: 'lm',
    store,
    segments: K,
    backend: 'wasm',
    onSegment: (s) => losses.push(s.loss),
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a next-token transcript on wasm', () => {
  test('completes K segments whose loss falls, ending in an artifact of the last state', async () => {
    expect(result.status).toBe('completed');
    expect(result.meta.leaves).toHaveLength(K + 1);
    expect(losses).toHaveLength(K);
    expect(losses[0]).toBeGreaterThan(4); // about ln 256 at the start
    expect(losses[1]).toBeLessThan(losses[0]!);
    const params = specShapes(options.spec).params;
    const weights = deserializeArtifact(result.artifact!, { specHash: hexBytes(options.specHash), params });
    expect(weights).toHaveLength(params.length);
  });

  test('every segment replays bit for bit; a changed weight fails', async () => {
    const all = await states();
    const program = await createProgram(options);
    try {
      for (let i = 0; i < K; i++) {
        const r = await replaySegment(program, all[i]!, all[i + 1]!);
        expect(r.status).toBe('done');
        expect(r.check).toMatchObject({ replays: true, failed: 0, maxDeviation: 0, claimedStep: 5 * (i + 1) });
        expect(r.check!.equal).toBe(r.check!.coordinates);
      }
      const state = program.decode(all[K]!);
      // A coordinate of the first block's w1 (the watermarked kernel) moved by a few grid steps.
      const w1 = specShapes(options.spec).params.findIndex((p) => p.name === 'w1');
      state.weights[w1]![3] = state.weights[w1]![3]! * 1.25 + 0.01;
      const forged = program.encode(program.round(state));
      const bad = await replaySegment(program, all[K - 1]!, forged);
      expect(bad.check!.replays).toBe(false);
      expect(bad.check!.failed).toBeGreaterThanOrEqual(1);
    } finally {
      program.dispose();
    }
  });
});

function hexBytes(hex: string): Uint8Array {
  const h = hex.replace(/^0x/, '');
  return Uint8Array.from({ length: 32 }, (_, i) => parseInt(h.slice(2 * i, 2 * i + 2), 16));
}
