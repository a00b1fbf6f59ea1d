// Transcript runs (docs/transcript.md section 6) on the shipped digits task: the fixed program,
// rounded states, leaves and root, storage in IndexedDB and on disk, resuming a closed tab and a
// killed process to the same root, continuation, and what the program refuses.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IDBFactory } from 'fake-indexeddb';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { tf } from '../../../../src/lib/ml/backend/tf.ts';
import { TRANSCRIPT_DEFAULTS } from '../../../../src/lib/ml/spec/transcript.ts';
import { sha256Hex } from '../../../../src/lib/ml/hash.ts';
import { serializeArtifact } from '../../../../src/lib/ml/artifact/serialize.ts';
import { RunControl } from '../../../../src/lib/ml/train/control.ts';
import { TranscriptError } from '../../../../src/lib/ml/transcript/errors.ts';
import { merkleProof, merkleRoot, verifyMerkleProof } from '../../../../src/lib/ml/transcript/merkle.ts';
import { createProgram } from '../../../../src/lib/ml/transcript/program.ts';
import { isSeededStart } from '../../../../src/lib/ml/transcript/replay.ts';
import { onGrid } from '../../../../src/lib/ml/transcript/round.ts';
import { runTranscript, type TranscriptRunResult } from '../../../../src/lib/ml/transcript/run.ts';
import { leafOf, stateArtifact } from '../../../../src/lib/ml/transcript/state.ts';
import type { TranscriptStore } from '../../../../src/lib/ml/transcript/store.ts';
import { openTranscriptStore } from '../../../../src/lib/storage/transcripts.ts';
import { openTranscriptDir } from '../../../../src/lib/storage/transcripts-fs.ts';
import { useBackend } from '../engine/helpers.ts';
import { ALICE, BOB, digitsSpec, programOptions } from './fixture.ts';

const K = 4;
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'aiarena-transcript-'));
  dirs.push(d);
  return d;
};
let digits: Awaited<ReturnType<typeof digitsSpec>>;
let whole: TranscriptRunResult;
let wholeStore: TranscriptStore;
const losses: number[] = [];

beforeAll(async () => {
  await useBackend('wasm');
  digits = await digitsSpec({ interval: 10 });
  wholeStore = await openTranscriptDir(tempDir());
  whole = await runTranscript({
    ...(await programOptions(digits)),
    id: 'alice-1',
    store: wholeStore,
    segments: K,
    onSegment: (s) => losses.push(s.loss),
  });
});
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('a transcript run', () => {
  test("stores K + 1 rounded states whose leaves make the root; the artifact is the last state's prefix", async () => {
    expect(whole.status).toBe('completed');
    const meta = whole.meta;
    expect(meta.leaves).toHaveLength(K + 1);
    expect(whole.root).toBe(merkleRoot(meta.leaves));
    expect(meta.root).toBe(whole.root);
    expect(meta.start).toEqual({ kind: 'seeded' });
    expect(meta.settings).toEqual({ ...TRANSCRIPT_DEFAULTS, interval: 10 });
    // It trains: the mean loss of the last segment is well below the first's.
    expect(losses).toHaveLength(K);
    expect(losses[K - 1]!).toBeLessThan(losses[0]! * 0.7);

    const program = await createProgram(await programOptions(digits));
    try {
      for (let i = 0; i <= K; i++) {
        const bytes = (await wholeStore.state('alice-1', i))!;
        expect(await leafOf(bytes)).toBe(meta.leaves[i]);
        const state = program.decode(bytes);
        expect(state.step).toBe(10 * i);
        for (const t of [...state.weights, ...state.slots.flat()]) expect(t.every((x) => onGrid(x, 8))).toBe(true);
        expect(verifyMerkleProof(whole.root!, meta.leaves[i]!, i, K + 1, merkleProof(meta.leaves, i))).toBe(true);
      }
      const last = (await wholeStore.state('alice-1', K))!;
      expect(Buffer.from(whole.artifact!).equals(Buffer.from(stateArtifact(last, program.params)))).toBe(true);
      const { weights } = program.decode(last);
      expect(whole.artifact).toEqual(serializeArtifact(program.specHash, program.params, weights));
      expect(whole.artifactHash).toBe(`0x${await sha256Hex(whole.artifact!)}`);
      // Leaf 0 is the seeded start of this trainer, and of no other.
      expect(await isSeededStart(program, meta.leaves[0]!)).toBe(true);
      const bob = await createProgram(await programOptions(digits, BOB));
      expect(await isSeededStart(bob, meta.leaves[0]!)).toBe(false);
      bob.dispose();
    } finally {
      program.dispose();
    }
    expect(readdirSync(join(dirs[0]!, 'alice-1')).sort()).toEqual([
      'state-0.bin',
      'state-1.bin',
      'state-2.bin',
      'state-3.bin',
      'state-4.bin',
      'transcript.json',
    ]);
    expect(tf.memory().numTensors).toBe(0);
  });

  test('a closed tab (IndexedDB) resumes from the last rounded state to the same root', async () => {
    const factory = new IDBFactory();
    const options = await programOptions(digits);
    const tab1 = await openTranscriptStore(factory);
    // Killed in the middle of segment 3: state 2 is the last one stored.
    const control = new RunControl();
    const first = await runTranscript({
      ...options,
      id: 'alice-1',
      store: tab1,
      segments: K,
      control,
      onStep: (step) => {
        if (step === 25) control.cancel('tab closed');
      },
    });
    expect(first.status).toBe('cancelled');
    expect(first.meta.leaves).toEqual(whole.meta.leaves.slice(0, 3));
    tab1.close();

    const tab2 = await openTranscriptStore(factory);
    expect((await tab2.list()).map((m) => [m.id, m.leaves.length])).toEqual([['alice-1', 3]]);
    const second = await runTranscript({ ...options, id: 'alice-1', store: tab2, segments: K });
    expect(second).toMatchObject({ status: 'completed', resumedFrom: 2, root: whole.root });
    expect(second.artifactHash).toBe(whole.artifactHash);
    // A finished transcript asked again is returned as it is.
    const again = await runTranscript({ ...options, id: 'alice-1', store: tab2, segments: K });
    expect(again).toMatchObject({ status: 'completed', resumedFrom: K, root: whole.root });
    await tab2.delete('alice-1');
    expect(await tab2.meta('alice-1')).toBeUndefined();
    expect(await tab2.state('alice-1', 0)).toBeUndefined();
    tab2.close();
  });

  test('continues from its own finished transcript: the two together are one longer transcript', async () => {
    const store = await openTranscriptDir(tempDir());
    const options = await programOptions(digits);
    const a = await runTranscript({ ...options, id: 'epoch-1', store, segments: 2, maxSegments: 1 });
    expect(a.status).toBe('stopped');
    const a2 = await runTranscript({ ...options, id: 'epoch-1', store, segments: 2 });
    expect(a2.meta.leaves).toEqual(whole.meta.leaves.slice(0, 3));
    const b = await runTranscript({ ...options, id: 'epoch-2', store, segments: 2, continueFrom: 'epoch-1' });
    expect(b.status).toBe('completed');
    expect(b.meta.start).toEqual({
      kind: 'continued',
      from: 'epoch-1',
      root: a2.root,
      segments: 2,
      leaf: whole.meta.leaves[2],
    });
    expect(b.meta.leaves).toEqual(whole.meta.leaves.slice(2));
    expect(b.artifactHash).toBe(whole.artifactHash);

    // Only the same trainer's finished transcript of the same task.
    const bob = await programOptions(digits, BOB);
    await expect(runTranscript({ ...bob, id: 'bob-2', store, segments: 1, continueFrom: 'epoch-1' })).rejects.toThrow(
      /same trainer's transcript of the same task \(SPEC 8.1\): trainer is 0x7099/,
    );
    await expect(
      runTranscript({
        ...options,
        identity: { ...ALICE, task: 2 },
        id: 't2',
        store,
        segments: 1,
        continueFrom: 'epoch-1',
      }),
    ).rejects.toThrow(/task is 1 there, 2 here/);
    await runTranscript({ ...options, id: 'half', store, segments: 3, maxSegments: 1 });
    await expect(runTranscript({ ...options, id: 'c', store, segments: 1, continueFrom: 'half' })).rejects.toThrow(
      /half is not finished \(1 of 3 segments\)/,
    );
    await expect(runTranscript({ ...options, id: 'c', store, segments: 1, continueFrom: 'nope' })).rejects.toThrow(
      /nope to continue from is not in the store/,
    );
  });

  test('refuses local overrides, a missing key, another run under the same id, and tampered states', async () => {
    const store = await openTranscriptDir(tempDir());
    const options = await programOptions(digits);
    for (const extra of [{ overrides: { learningRate: 0.1 } }, { seed: 5 }, { initialWeights: [] }]) {
      const err = await runTranscript({ ...options, ...extra, id: 'x', store, segments: 1 } as never).catch((e) => e);
      expect(err).toBeInstanceOf(TranscriptError);
      expect((err as Error).message).toMatch(/hyperparameters from the model spec .* refused: /);
    }
    const { keyBits: _, ...noKey } = options;
    await expect(runTranscript({ ...noKey, id: 'x', store, segments: 1 })).rejects.toThrow(/needs the trainer's key/);
    await runTranscript({ ...options, id: 'x', store, segments: 2, maxSegments: 1 });
    await expect(runTranscript({ ...options, id: 'x', store, segments: 3 })).rejects.toThrow(
      /exists with other settings \(segments: stored 2, asked 3\)/,
    );
    // A state changed on disk no longer matches its leaf: the run stops instead of building on it.
    const bytes = (await store.state('x', 1))!;
    bytes[100] = bytes[100]! ^ 1;
    const meta = (await store.meta('x'))!;
    await store.save(meta, 1, bytes);
    await expect(runTranscript({ ...options, id: 'x', store, segments: 2 })).rejects.toThrow(
      /state 1 of transcript x hashes to 0x[0-9a-f]{64}, its leaf is 0x/,
    );
    await expect(runTranscript({ ...options, id: '../x', store, segments: 1 })).rejects.toThrow(
      /transcript id must match/,
    );
  });
});
