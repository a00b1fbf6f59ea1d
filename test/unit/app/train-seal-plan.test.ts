// The Train page's check of a planned run against the seal window before it starts (issue 10,
// 1.6): the run's length from the training set's size, the batch size and the speed (measured
// by the probe, or the benchmark prior), compared with the time left in chain time.
import { describe, expect, it } from 'vitest';
import { FIT_SHARE, epochsHint, planSpeed, plannedEpochs, sealPlan } from '../../../src/lib/app-logic/seal-plan.ts';
import { BENCH_WORK } from '../../../src/lib/ml/train/speed-prior.ts';
import { schedule } from './support/schedule.ts';

// The shared schedule: epochs of 1000 s from t=10000; seal windows [10000, 10500) and [11000, 11500).
// The digits set (1297 samples, batches of 32: 41 steps an epoch) at 1312 samples/s: 1 s an epoch.
const digits = {
  samples: 1297,
  batchSize: 32,
  speed: { backend: 'wasm' as const, samplesPerSec: 1312, source: 'device' as const },
};
const at = (now: bigint, epochs: number, eligibleFrom: number | null = 0) =>
  sealPlan({ schedule, now, eligibleFrom, epochs, ...digits });

const cnn = { name: 'fashion-cnn', work: BENCH_WORK['fashion-cnn']! };

describe('sealPlan', () => {
  it('is quiet when the run ends exactly as the window closes, and warns one second later', () => {
    expect(at(10_400n, 100)).toEqual({
      next: { epoch: 0, closes: 10_500n },
      stepsPerEpoch: 41,
      stepsLeft: 4100,
      epochSec: 1,
      estimateSec: 100,
      inTime: true,
      fitEpochs: null,
      warning: null,
    });
    const late = at(10_401n, 100)!;
    expect(late.inTime).toBe(false);
    // 99 s left, a tenth kept: 89.1 s, 89 whole training epochs.
    expect(late.fitEpochs).toBe(89);
    expect(late.warning).toBe(
      "At the speed measured on this device of wasm (1,312 samples/s), 100 training epochs of 1,297 samples (41 steps of 32 each) need about 1 min 40 s, but the seal window of epoch 0 closes in 1 min 39 s (chain time). Only the weights the run has by then can be sealed for that epoch. The finished model can be sealed in epoch 1. About 89 training epochs fit before epoch 0's seal window closes, with a tenth of the time left to spare.",
    );
    expect(FIT_SHARE).toBe(0.9);
  });

  it('suggests one epoch when one fits with the margin, and none below that', () => {
    // 2 s left: 1.8 s, one epoch.
    const one = at(10_498n, 10)!;
    expect(one.fitEpochs).toBe(1);
    expect(one.warning).toContain("About 1 training epoch fits before epoch 0's seal window closes");
    // 1 s left: 0.9 s, not a whole epoch.
    const none = at(10_499n, 10)!;
    expect(none.fitEpochs).toBe(0);
    expect(none.warning).toContain("Not even one training epoch fits before epoch 0's seal window closes.");
  });

  it('plans against the window the stake counts in, and the next epoch when not staked', () => {
    expect(at(10_100n, 100, 1)).toMatchObject({ next: { epoch: 1, closes: 11_500n }, inTime: true });
    expect(at(10_100n, 100, null)).toMatchObject({ next: { epoch: 1, closes: 11_500n }, inTime: true });
    expect(at(9_990n, 100, null)).toMatchObject({ next: { epoch: 0, closes: 10_500n }, inTime: true });
  });

  it('says when no window is left, or when even the last one cannot be made', () => {
    expect(at(11_600n, 1)).toMatchObject({
      next: null,
      inTime: false,
      fitEpochs: null,
      warning:
        'No seal window is left that this account can use: a model trained now cannot be submitted in this task.',
    });
    const last = at(11_400n, 200)!;
    expect(last.fitEpochs).toBe(90);
    expect(last.warning).toContain(
      'It cannot finish before the last seal window this account can use (epoch 1) closes either.',
    );
  });

  it('estimates the issue’s CNN run (200 epochs, 1.5 min to the seal) from the benchmark prior', () => {
    const speed = planSpeed({ choice: 'auto', probed: null, spec: cnn });
    expect(speed).toEqual({ backend: 'wasm', samplesPerSec: 1510, source: 'bench', from: ['fashion-cnn'] });
    const p = sealPlan({
      schedule,
      now: 10_410n,
      eligibleFrom: 0,
      samples: 60_000,
      batchSize: 64,
      epochs: 200,
      speed,
    })!;
    // 938 steps of 64 at 1510 samples/s: 39.76 s an epoch, 7952 s in all; 81 s of the 90 left: 2 epochs.
    expect(p.estimateSec).toBe(7952);
    expect(p.fitEpochs).toBe(2);
    expect(p.warning).toBe(
      "At the benchmark speed of wasm (1,510 samples/s, until this device is measured), 200 training epochs of 60,000 samples (938 steps of 64 each) need about 2 h 12 min, but the seal window of epoch 0 closes in 1 min 30 s (chain time). Only the weights the run has by then can be sealed for that epoch. It cannot finish before the last seal window this account can use (epoch 1) closes either. About 2 training epochs fit before epoch 0's seal window closes, with a tenth of the time left to spare.",
    );
  });

  it('has no plan without a size or a speed', () => {
    expect(sealPlan({ schedule, now: 10_000n, eligibleFrom: 0, epochs: 1, ...digits, samples: 0 })).toBeNull();
    expect(
      sealPlan({
        schedule,
        now: 10_000n,
        eligibleFrom: 0,
        epochs: 1,
        ...digits,
        speed: { ...digits.speed, samplesPerSec: 0 },
      }),
    ).toBeNull();
  });
});

describe('sealPlan, training more from a checkpoint', () => {
  // The digits run of 1 s an epoch, continued from the checkpoint at the end of epoch 20 (step
  // 820), or from the middle of epoch 20 (step 840).
  const more = (now: bigint, epochs: number, fromStep: number, addedEpochs = 0) =>
    sealPlan({ schedule, now, eligibleFrom: 0, epochs, fromStep, addedEpochs, ...digits })!;

  it('counts only the steps from the checkpoint to the epochs asked for in all', () => {
    // 100 epochs in all from epoch 20: 80 s, in time with 100 s left; a fresh run would need 100 s.
    expect(more(10_400n, 100, 820)).toMatchObject({ stepsLeft: 3280, estimateSec: 80, inTime: true, warning: null });
    expect(more(10_421n, 100, 820)).toMatchObject({ estimateSec: 80, inTime: false });
    expect(more(10_420n, 100, 840)).toMatchObject({ stepsLeft: 3260, estimateSec: 80, inTime: true });
    // Step 0 is a fresh run.
    expect(more(10_400n, 100, 0)).toEqual(at(10_400n, 100));
  });

  it('suggests the epochs in all (the checkpoint’s counted) that fit, and says so', () => {
    // 79 s left, a tenth kept: 71.1 s, 71 more epochs after the 20 trained: 91 in all.
    const p = more(10_421n, 100, 820);
    expect(p.fitEpochs).toBe(91);
    expect(p.warning).toBe(
      "At the speed measured on this device of wasm (1,312 samples/s), training on from the checkpoint at step 820 to 100 training epochs of 1,297 samples (3,280 more steps of 32 each) needs about 1 min 20 s, but the seal window of epoch 0 closes in 1 min 19 s (chain time). Only the weights the run has by then can be sealed for that epoch. The finished model can be sealed in epoch 1. About 91 training epochs in all (those already trained included) fit before epoch 0's seal window closes, with a tenth of the time left to spare.",
    );
    // Mid-epoch: 20.5 epochs trained, 71.1 s more reach 91.6 epochs: 91 in all.
    expect(more(10_421n, 100, 840).fitEpochs).toBe(91);
    // A fresh run at the same instant would be offered 71.
    expect(at(10_421n, 100)!.fitEpochs).toBe(71);
  });

  it('offers nothing when not one more epoch fits past the checkpoint', () => {
    // 1 s left: 0.9 s more; from step 840 (20.5 epochs) that reaches 21.4, so epoch 21 ends in time.
    expect(more(10_499n, 100, 840).fitEpochs).toBe(21);
    // From the end of epoch 20, 0.9 s reaches 20.9: no whole epoch more.
    const none = more(10_499n, 100, 820);
    expect(none.fitEpochs).toBe(0);
    expect(none.warning).toContain("Not even one more training epoch fits before epoch 0's seal window closes.");
  });

  it('asks for no time when the epochs asked for are already trained', () => {
    expect(more(10_499n, 20, 820)).toMatchObject({ stepsLeft: 0, estimateSec: 0, inTime: true, warning: null });
    expect(more(10_499n, 10, 820)).toMatchObject({ stepsLeft: 0, inTime: true });
  });

  it('counts the epochs the agent added for the watermark on top of those asked for', () => {
    // Asked for 20, trained 21 (one added): the checkpoint is at step 861. Asking for 100 trains
    // to 101 epochs: 80 s, and the epochs that fit are in the field's terms (the added one out).
    const p = more(10_421n, 100, 861, 1);
    expect(p).toMatchObject({ stepsLeft: 80 * 41, estimateSec: 80, inTime: false, fitEpochs: 91 });
    expect(p.warning).toContain(
      'training on from the checkpoint at step 861 to 101 training epochs (the 100 asked for and 1 epoch the agent added so the watermark could be sealed) of 1,297 samples (3,280 more steps of 32 each) needs about 1 min 20 s',
    );
  });
});

describe('epochsHint', () => {
  const resume = (fromStep: number, addedEpochs = 0) => ({ fromStep, stepsPerEpoch: 41, addedEpochs });
  it('names the spec’s default for a fresh run, and what the field counts when the run continues', () => {
    expect(epochsHint({ specEpochs: 30, epochs: 30, resume: null })).toBe('The model spec suggests 30.');
    expect(epochsHint({ specEpochs: null, epochs: 5, resume: resume(0) })).toBe('');
    expect(epochsHint({ specEpochs: 30, epochs: 40, resume: resume(820) })).toBe(
      'In all, counting the 20 already trained: the run continues from the checkpoint saved on this device at step 820. The model spec suggests 30.',
    );
    expect(epochsHint({ specEpochs: 30, epochs: 20, resume: resume(840) })).toBe(
      'In all, counting the 20.5 already trained: the run continues from the checkpoint saved on this device at step 840. Asking for 20 trains nothing more: ask for more than 20.5. The model spec suggests 30.',
    );
    expect(epochsHint({ specEpochs: null, epochs: 1, resume: resume(861, 1) })).toBe(
      'In all, counting the 20 already trained: the run continues from the checkpoint saved on this device at step 861. The agent trains 1 epoch more than the number asked for, added so the watermark could be sealed. Asking for 1 trains nothing more: ask for more than 20.',
    );
  });
});

describe('planSpeed', () => {
  const probed = { backend: 'wasm' as const, samplesPerSec: 5000 };
  const spec = (name: string) => ({ name, work: BENCH_WORK[name]! });
  it('takes the probe’s speed for the backend it timed, else the benchmark’s for the chosen one', () => {
    const digitsSpec = spec('digits-mlp');
    expect(planSpeed({ choice: 'auto', probed, spec: digitsSpec })).toEqual({ ...probed, source: 'device' });
    expect(planSpeed({ choice: 'wasm', probed, spec: digitsSpec })).toEqual({ ...probed, source: 'device' });
    expect(planSpeed({ choice: 'webgl', probed, spec: digitsSpec })).toEqual({
      backend: 'webgl',
      samplesPerSec: 1993,
      source: 'bench',
      from: ['digits-mlp'],
    });
    expect(planSpeed({ choice: 'auto', probed: { ...probed, samplesPerSec: 0 }, spec: spec('fashion-mlp') })).toEqual({
      backend: 'wasm',
      samplesPerSec: 7426,
      source: 'bench',
      from: ['fashion-mlp'],
    });
    expect(planSpeed({ choice: 'cpu', probed: null, spec: cnn })).toMatchObject({ samplesPerSec: 74, source: 'bench' });
  });

  it('estimates a spec that was not benchmarked from those that were, and says so', () => {
    // Twice the CNN's work: half its speed, scaled from it.
    const heavy = planSpeed({ choice: 'auto', probed: null, spec: { name: 'someone-elses-cnn', work: 2 * cnn.work } });
    expect(heavy).toEqual({ backend: 'wasm', samplesPerSec: 755, source: 'scaled', from: ['fashion-cnn'] });
    const p = sealPlan({
      schedule,
      now: 10_410n,
      eligibleFrom: 0,
      samples: 60_000,
      batchSize: 64,
      epochs: 20,
      speed: heavy,
    })!;
    // 938 steps of 64 at 755 samples/s: 79.5 s an epoch, 1591 s in all; 81 s of the 90 left: 1 epoch.
    expect(p.estimateSec).toBe(1591);
    expect(p.fitEpochs).toBe(1);
    expect(p.warning).toMatch(
      /^At a rough estimate of the speed of wasm \(755 samples\/s, estimated from the benchmark of fashion-cnn by the work per sample, until this device is measured\), 20 training epochs of 60,000 samples/,
    );
    const between = planSpeed({ choice: 'wasm', probed: null, spec: { name: 'mid', work: 100_000 } });
    expect(between).toMatchObject({ source: 'scaled', from: ['digits-mlp', 'fashion-mlp'] });
    expect(
      sealPlan({
        schedule,
        now: 10_410n,
        eligibleFrom: 0,
        samples: 60_000,
        batchSize: 64,
        epochs: 200,
        speed: between,
      })!.warning,
    ).toMatch(
      /^At a rough estimate of the speed of wasm \([\d,]+ samples\/s, estimated from the benchmarks of digits-mlp and fashion-mlp by the work per sample, until this device is measured\), /,
    );
  });
});

describe('plannedEpochs', () => {
  it('reads 1 to 1000, the spec’s default when empty, and nothing else', () => {
    expect(plannedEpochs('', 30)).toBe(30);
    expect(plannedEpochs(' 1000 ', 30)).toBe(1000);
    expect(plannedEpochs('1', null)).toBe(1);
    expect(plannedEpochs('1001', 30)).toBeNull();
    expect(plannedEpochs('0', 30)).toBeNull();
    expect(plannedEpochs('2.5', 30)).toBeNull();
    expect(plannedEpochs('1e3', 30)).toBeNull();
  });
});
