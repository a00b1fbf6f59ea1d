// The Train page's check of a planned run against the seal window before it starts (issue 10,
// 1.6): the run's length from the training set's size, the batch size and the speed (measured
// by the probe, or the benchmark prior), compared with the time left in chain time.
import { describe, expect, it } from 'vitest';
import { FIT_SHARE, planSpeed, plannedEpochs, sealPlan } from '../../../src/lib/app-logic/seal-plan.ts';
import { benchSpeed } from '../../../src/lib/ml/train/speed-prior.ts';
import { schedule } from './support/schedule.ts';

// The shared schedule: epochs of 1000 s from t=10000; seal windows [10000, 10500) and [11000, 11500).
// The digits set (1297 samples, batches of 32: 41 steps an epoch) at 1312 samples/s: 1 s an epoch.
const digits = {
  samples: 1297,
  batchSize: 32,
  speed: { backend: 'wasm' as const, samplesPerSec: 1312, measured: true },
};
const at = (now: bigint, epochs: number, eligibleFrom: number | null = 0) =>
  sealPlan({ schedule, now, eligibleFrom, epochs, ...digits });

describe('sealPlan', () => {
  it('is quiet when the run ends exactly as the window closes, and warns one second later', () => {
    expect(at(10_400n, 100)).toEqual({
      next: { epoch: 0, closes: 10_500n },
      stepsPerEpoch: 41,
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
    const speed = planSpeed({ choice: 'auto', probed: null, specName: 'fashion-cnn' })!;
    expect(speed).toEqual({ backend: 'wasm', samplesPerSec: 1510, measured: false });
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

describe('planSpeed', () => {
  const probed = { backend: 'wasm' as const, samplesPerSec: 5000 };
  it('takes the probe’s speed for the backend it timed, else the benchmark’s for the chosen one', () => {
    expect(planSpeed({ choice: 'auto', probed, specName: 'digits-mlp' })).toEqual({ ...probed, measured: true });
    expect(planSpeed({ choice: 'wasm', probed, specName: 'digits-mlp' })).toEqual({ ...probed, measured: true });
    expect(planSpeed({ choice: 'webgl', probed, specName: 'digits-mlp' })).toEqual({
      backend: 'webgl',
      samplesPerSec: 1993,
      measured: false,
    });
    expect(planSpeed({ choice: 'auto', probed: { ...probed, samplesPerSec: 0 }, specName: 'fashion-mlp' })).toEqual({
      backend: 'wasm',
      samplesPerSec: 7426,
      measured: false,
    });
    expect(planSpeed({ choice: 'auto', probed: null, specName: 'someone-elses-model' })).toBeNull();
    expect(benchSpeed('fashion-cnn', 'cpu')).toEqual({ backend: 'cpu', samplesPerSec: 74 });
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
