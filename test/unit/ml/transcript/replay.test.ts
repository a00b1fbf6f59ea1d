// Segment replay (docs/transcript.md section 5) on the shipped digits task: every honest segment
// replays on the backend that trained it and on another; altered states, a jump to another
// model and unrounded states fail, naming the coordinates.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { tf } from '../../../../src/lib/ml/backend/tf.ts';
import { RunControl } from '../../../../src/lib/ml/train/control.ts';
import { createProgram, type Program } from '../../../../src/lib/ml/transcript/program.ts';
import { replaySegment } from '../../../../src/lib/ml/transcript/replay.ts';
import { tensorScale } from '../../../../src/lib/ml/transcript/compare.ts';
import { roundToGrid } from '../../../../src/lib/ml/transcript/round.ts';
import { runTranscript } from '../../../../src/lib/ml/transcript/run.ts';
import type { TranscriptStore } from '../../../../src/lib/ml/transcript/store.ts';
import { openTranscriptDir } from '../../../../src/lib/storage/transcripts-fs.ts';
import { useBackend } from '../engine/helpers.ts';
import { BOB, digitsSpec, programOptions } from './fixture.ts';

const K = 3;
let dir: string;
let store: TranscriptStore;
let digits: Awaited<ReturnType<typeof digitsSpec>>;
const states = async (id: string) =>
  Promise.all(Array.from({ length: K + 1 }, (_, i) => store.state(id, i).then((b) => b!)));
let alice: Uint8Array[];
let bob: Uint8Array[];

beforeAll(async () => {
  await useBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'aiarena-replay-'));
  store = await openTranscriptDir(dir);
  digits = await digitsSpec({ interval: 10 });
  await runTranscript({ ...(await programOptions(digits)), id: 'alice', store, segments: K, backend: 'wasm' });
  await runTranscript({ ...(await programOptions(digits, BOB)), id: 'bob', store, segments: K, backend: 'wasm' });
  alice = await states('alice');
  bob = await states('bob');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function withProgram<T>(f: (p: Program) => Promise<T>): Promise<T> {
  const p = await createProgram(await programOptions(digits));
  try {
    return await f(p);
  } finally {
    p.dispose();
  }
}

describe('segment replay', () => {
  test('every honest segment replays bit for bit on the backend that trained it', async () => {
    await withProgram(async (p) => {
      for (let i = 0; i < K; i++) {
        const progress: number[] = [];
        const r = await replaySegment(p, alice[i]!, alice[i + 1]!, { onStep: (done) => progress.push(done) });
        expect(r.status).toBe('done');
        expect(r.check).toMatchObject({
          replays: true,
          failed: 0,
          inBand: 0,
          claimedStep: 10 * (i + 1),
          maxDeviation: 0,
        });
        expect(r.check!.equal).toBe(r.check!.coordinates);
        expect(r.check!.coordinates).toBe(3 * (64 * 128 + 128 + 128 * 10 + 10));
        expect(progress).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      }
    });
  });

  test('every honest segment replays on another backend (cpu), within the tolerance', async () => {
    await useBackend('cpu');
    try {
      await withProgram(async (p) => {
        for (let i = 0; i < K; i++) {
          const r = await replaySegment(p, alice[i]!, alice[i + 1]!);
          const c = r.check!;
          console.log(
            `segment ${i} wasm -> cpu: ${c.equal}/${c.coordinates} equal, ${c.inBand} in band, max deviation ${c.maxDeviation.toExponential(2)}, max relative difference ${c.maxRelativeDifference.toExponential(2)}`,
          );
          expect(c.replays).toBe(true);
          expect(c.maxDeviation).toBeLessThanOrEqual(p.settings.tolerance);
        }
      });
    } finally {
      await useBackend('wasm');
    }
  });

  test('a claimed state with one weight moved beyond the tolerance fails, naming that weight', async () => {
    await withProgram(async (p) => {
      // The default rule has no outlier budget: one weight a few grid steps off fails the segment.
      expect(p.settings.outlierShare).toBe(0);
      const claimed = p.decode(alice[2]!);
      const before = claimed.weights[0]![77]!;
      const scale = Math.max(Math.abs(before), tensorScale(claimed.weights[0]!));
      claimed.weights[0]![77] = roundToGrid(before + 0.02 * scale, p.settings.mantissaBits);
      const r = await replaySegment(p, alice[1]!, p.encode(claimed));
      expect(r.check).toMatchObject({ replays: false, failed: 1, outliers: 0, claimedStep: 20 });
      expect(r.check!.failures).toEqual([
        expect.objectContaining({
          tensor: 'weights layers[1].kernel',
          index: 77,
          claimed: claimed.weights[0]![77],
          rounded: before,
          reason: 'outside-tolerance',
        }),
      ]);
      expect(r.check!.failures[0]!.deviation).toBeGreaterThan(10 * p.settings.tolerance);
      // The same weight moved back onto its honest value replays.
      claimed.weights[0]![77] = before;
      expect((await replaySegment(p, alice[1]!, p.encode(claimed))).check!.replays).toBe(true);
    });
  });

  test('a jump to another model, a wrong step counter and unrounded states fail', async () => {
    await withProgram(async (p) => {
      // Alice's state 1 to Bob's state 2: the thief's "jump" segment.
      const jump = await replaySegment(p, alice[1]!, bob[2]!);
      expect(jump.check!.replays).toBe(false);
      expect(jump.check!.failed).toBeGreaterThan(jump.check!.coordinates * 0.9);
      expect(jump.check!.failures).toHaveLength(10);
      expect(jump.check!.failures[0]!.tensor).toBe('weights layers[1].kernel');
      // Alice's final weights with a step counter that skips a segment.
      const skip = await replaySegment(p, alice[1]!, alice[3]!);
      expect(skip.check).toMatchObject({ replays: false, claimedStep: 30, replayedStep: 20 });
      // A trainer that did not round: its state is off the grid.
      const run = await p.run(p.decode(alice[0]!), 10);
      const unrounded = await replaySegment(p, alice[0]!, p.encode(run.state!));
      expect(unrounded.check!.replays).toBe(false);
      expect(unrounded.check!.failures[0]!.reason).toBe('off-grid');
      expect(p.encode(p.round(run.state!))).toEqual(alice[1]);
    });
  });

  test('refuses bytes that are not states, and stops when cancelled', async () => {
    await withProgram(async (p) => {
      await expect(replaySegment(p, alice[0]!.subarray(1), alice[1]!)).rejects.toThrow(
        /^the start state: a state of this spec is/,
      );
      const wrongSpec = alice[1]!.slice();
      wrongSpec[8] = wrongSpec[8]! ^ 0xff;
      await expect(replaySegment(p, alice[0]!, wrongSpec)).rejects.toThrow(/^the claimed state: state weights: .*spec/);
      const control = new RunControl();
      const r = await replaySegment(p, alice[0]!, alice[1]!, {
        control,
        onStep: (done) => done === 3 && control.cancel('user'),
      });
      expect(r.status).toBe('cancelled');
      expect(r.check).toBeUndefined();
    });
    expect(tf.memory().numTensors).toBe(0);
  });
});
