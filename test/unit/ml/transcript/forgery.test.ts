// Issue 11 attacks on the shipped digits task at a short interval (docs/bench/transcript.md has
// the measured numbers at the spec's settings): (a) a thief's fabricated transcript replays up to
// its jump and never across it, whatever the disguise; (b) the tolerance walk's claims replay and
// move towards the target no further than the rule allows; (c) a trainer's transcript does not
// replay as anyone else's; (d) another trainer's start and a grinded seed are refused.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { compareStates } from '../../../../src/lib/ml/transcript/compare.ts';
import { merkleRoot } from '../../../../src/lib/ml/transcript/merkle.ts';
import { createProgram, type Program } from '../../../../src/lib/ml/transcript/program.ts';
import { isSeededStart, replaySegment } from '../../../../src/lib/ml/transcript/replay.ts';
import { roundArray } from '../../../../src/lib/ml/transcript/round.ts';
import { leafOf, stateArtifact, type TranscriptState } from '../../../../src/lib/ml/transcript/state.ts';
import type { TranscriptStore } from '../../../../src/lib/ml/transcript/store.ts';
import { openTranscriptDir } from '../../../../src/lib/storage/transcripts-fs.ts';
import { disguise, forgeTheft, forgeTranscript } from '../../../../scripts/lib/transcript-forgery.ts';
import { distance, nextGridValue, nudgeTowards, walkBounds } from '../../../../scripts/lib/transcript-walk.ts';
import { useBackend } from '../engine/helpers.ts';
import { ALICE, BOB, digitsSpec, keyFor, programOptions } from './fixture.ts';

let dir: string;
let store: TranscriptStore;
let digits: Awaited<ReturnType<typeof digitsSpec>>;
let alice: Program;
let bob: Program;
/** Alice's honest rounded states 0..2 (the stolen model is state 2's weights). */
let honest: TranscriptState[];

beforeAll(async () => {
  await useBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'aiarena-forgery-'));
  store = await openTranscriptDir(dir);
  digits = await digitsSpec({ interval: 10 });
  alice = await createProgram(await programOptions(digits, ALICE));
  bob = await createProgram(await programOptions(digits, BOB));
  honest = [alice.startState()];
  for (let i = 0; i < 2; i++) honest.push(alice.round((await alice.run(honest[i]!, 10)).state!));
});
afterAll(() => {
  alice.dispose();
  bob.dispose();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a thief’s fabricated transcript (attack (a))', () => {
  test.each(['copy', 'permute'] as const)(
    'a %s of the stolen model: its start and honest segment pass, the jump fails',
    async (how) => {
      const stolen = await disguise(honest[2]!.weights, how, {
        spec: digits.spec,
        keyBits: keyFor(BOB.trainer),
        thief: BOB.trainer,
        data: () => {
          throw new Error('no training for weight surgery');
        },
      });
      const f = await forgeTranscript({
        ...(await programOptions(digits, BOB)),
        stolen,
        honestSegments: 1,
        store,
        id: `thief-${how}`,
        backend: 'wasm',
      });
      expect(f).toMatchObject({ segments: 2, jump: 1 });
      const meta = (await store.meta(`thief-${how}`))!;
      expect(meta).toMatchObject({ segments: 2, trainer: BOB.trainer, start: { kind: 'seeded' } });
      expect(meta.leaves).toHaveLength(3);
      expect(f.root).toBe(merkleRoot(meta.leaves));
      const states = await Promise.all([0, 1, 2].map((i) => store.state(`thief-${how}`, i).then((b) => b!)));
      for (const [i, s] of states.entries()) expect(await leafOf(s)).toBe(meta.leaves[i]);
      // The sealed artifact is the stolen model on the grid.
      expect(f.artifact).toEqual(stateArtifact(states[2]!, bob.params));
      expect(bob.decode(states[2]!).weights).toEqual(stolen.map((w) => roundArray(w, 8)));
      expect(bob.decode(states[2]!).step).toBe(20);

      expect(await isSeededStart(bob, meta.leaves[0]!)).toBe(true);
      expect((await replaySegment(bob, states[0]!, states[1]!)).check!.replays).toBe(true);
      const jump = (await replaySegment(bob, states[1]!, states[2]!)).check!;
      expect(jump.replays).toBe(false);
      // Nearly every coordinate is beyond even the outlier tolerance.
      expect(jump.failed).toBeGreaterThan(jump.coordinates / 2);
      expect(jump.maxDeviation).toBeGreaterThan(1);
    },
  );

  test('forgeTheft: a published artifact, re-watermarked, behind a jump that fails', async () => {
    const opts = await programOptions(digits, BOB);
    const artifact = stateArtifact(alice.encode(honest[2]!), alice.params).slice();
    const f = await forgeTheft({
      ...opts,
      artifact,
      data: () => opts.openData(7),
      honestSegments: 1,
      store,
      id: 'theft',
    });
    // Re-watermarking trained the stolen weights a little: not the victim's bytes any more.
    expect(distance(f.stolen, honest[2]!.weights)).toBeGreaterThan(0);
    const states = await Promise.all([1, 2].map((i) => store.state('theft', i).then((b) => b!)));
    const jump = (await replaySegment(bob, states[0]!, states[1]!)).check!;
    expect(jump.replays).toBe(false);
    expect(jump.failed).toBeGreaterThan(jump.coordinates / 2);
  });

  test('disguises change the weights but rescaling and permuting keep the function', async () => {
    const o = {
      spec: digits.spec,
      keyBits: keyFor(BOB.trainer),
      thief: BOB.trainer,
      data: () => {
        throw new Error('no training for weight surgery');
      },
    };
    const w = honest[2]!.weights;
    const permuted = await disguise(w, 'permute', o);
    const rescaled = await disguise(w, 'rescale', o);
    const norm = distance(
      w,
      w.map((t) => new Float32Array(t.length)),
    );
    expect(distance(permuted, w)).toBeGreaterThan(0.1 * norm);
    expect(distance(rescaled, w)).toBeGreaterThan(0.05 * norm);
    // The same multiset of first-layer biases after a permutation.
    const sorted = (t: Float32Array) => [...t].sort((a, b) => a - b);
    expect(sorted(permuted[1]!)).toEqual(sorted(w[1]!));
  });
});

describe('the tolerance walk (attack (b))', () => {
  test('every nudged claim replays, moves towards the target, and uses the outlier budget', async () => {
    const target = bob.round((await bob.run(bob.startState(), 10)).state!).weights;
    const u = (await alice.run(honest[1]!, 10)).state!;
    const plain = alice.round(u);
    // The state-wide outlier budget, an option for specs replayed across backends (the default has none).
    const settings = { ...alice.settings, outlierShare: 0.0025 };
    const walked = nudgeTowards(u, target, settings, alice.params);
    const check = compareStates(u, walked.claimed, { settings, params: alice.params });
    expect(check.replays).toBe(true);
    expect(check.outliers).toBe(check.outlierBudget);
    expect(walked.outliers).toBe(check.outlierBudget);
    expect(walked.inBand).toBeGreaterThan(0);
    const before = distance(plain.weights, target);
    const after = distance(walked.claimed.weights, target);
    expect(after).toBeLessThan(before);
    // One segment's progress is a small fraction of the distance between the two models.
    expect((before - after) / before).toBeLessThan(0.005);
    // Without the budget the same walk stays inside the band: no outliers, less progress.
    const band = nudgeTowards(u, target, { ...settings, outlierShare: 0 }, alice.params);
    expect(compareStates(u, band.claimed, { settings, params: alice.params })).toMatchObject({
      replays: true,
      outliers: 0,
    });
    expect(distance(band.claimed.weights, target)).toBeGreaterThan(after);
    // The first-order bound covers the measured step; confining outliers to one unit tightens it.
    const b = walkBounds(plain.weights, target, settings, 1, check.coordinates, alice.params);
    expect(b.budget).toBe(check.outlierBudget);
    expect((before - after) / before).toBeLessThan(b.band + b.outliers);
    expect(b.unitOutliers).toBeGreaterThan(0);
    expect(b.unitOutliers).toBeLessThan(b.outliers);
    expect(b.bandWorst).toBeCloseTo(Math.SQRT2 * settings.tolerance, 12);
    // Under the one-unit rule (outlierScope 'unit') the walk puts all its outliers in one unit:
    // the unit rule accepts it, and it gains less than the state-wide walk.
    const unitSettings = { ...settings, outlierScope: 'unit' as const };
    const unit = nudgeTowards(u, target, unitSettings, alice.params);
    const unitCheck = compareStates(u, unit.claimed, { settings: unitSettings, params: alice.params });
    expect(unitCheck).toMatchObject({ replays: true, outliersOutsideUnit: 0, outliers: unit.outliers });
    expect(unit.outliers).toBeGreaterThan(0);
    expect(unit.outliers).toBeLessThanOrEqual(check.outlierBudget);
    expect(unitCheck.outlierUnit).toMatch(/^layers\[[12]\] unit \d+$/);
    const unitAfter = distance(unit.claimed.weights, target);
    expect(unitAfter).toBeLessThan(distance(band.claimed.weights, target));
    expect(unitAfter).toBeGreaterThan(after);
    // The state-wide walk's outliers span many units: the one-unit rule refuses them.
    const spread = compareStates(u, walked.claimed, { settings: unitSettings, params: alice.params });
    expect(spread.replays).toBe(false);
    expect(spread.outliersOutsideUnit).toBeGreaterThan(0);
    expect(spread.failures.some((f) => f.reason === 'other-unit')).toBe(true);
    const bu = walkBounds(plain.weights, target, unitSettings, 1, check.coordinates, alice.params);
    expect(bu.outliers).toBeCloseTo(b.unitOutliers, 12);
    expect((before - unitAfter) / before).toBeLessThan(bu.band + bu.outliers);
  });

  test('nextGridValue steps through the grid, across zero and binades', () => {
    expect(nextGridValue(1, 1, 8)).toBe(1 + 2 ** -8);
    expect(nextGridValue(1, -1, 8)).toBe(1 - 2 ** -9);
    expect(nextGridValue(-1, -1, 8)).toBe(-(1 + 2 ** -8));
    expect(nextGridValue(0, 1, 8)).toBe(2 ** (-149 + 15));
    expect(nextGridValue(2 ** (-149 + 15), -1, 8)).toBe(0);
    expect(nextGridValue(0, -1, 8)).toBe(-(2 ** (-149 + 15)));
  });
});

describe('near-copies and starts (attacks (c), (d))', () => {
  test('a transcript replays only for the address whose seeds it used', async () => {
    const leaf0 = await leafOf(alice.encode(honest[0]!));
    expect(await isSeededStart(alice, leaf0)).toBe(true);
    expect(await isSeededStart(bob, leaf0)).toBe(false);
    const asAlice = await replaySegment(alice, alice.encode(honest[0]!), alice.encode(honest[1]!));
    const asBob = await replaySegment(bob, bob.encode(honest[0]!), bob.encode(honest[1]!));
    expect(asAlice.check!.replays).toBe(true);
    expect(asBob.check!.replays).toBe(false);
    expect(asBob.check!.failed).toBeGreaterThan(1000);
  });

  test('another task’s or chain’s seed (a grinded seed) is not a seeded start', async () => {
    for (const other of [
      { ...BOB, task: 2 },
      { ...BOB, chainId: 1 },
    ]) {
      const p = await createProgram(await programOptions(digits, other));
      const leaf = await leafOf(p.encode(p.startState()));
      p.dispose();
      expect(await isSeededStart(bob, leaf)).toBe(false);
    }
  });
});
