// The training speed assumed before the probe has timed the model here: the benchmark row of a
// bundled spec, or for any other spec an estimate from the benchmarked ones by work per sample.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseModelSpecBytes } from '../../../../src/lib/ml/spec/parse.ts';
import type { ModelSpec } from '../../../../src/lib/ml/spec/types.ts';
import { specWork } from '../../../../src/lib/ml/spec/work.ts';
import type { BackendName } from '../../../../src/lib/ml/backend/types.ts';
import { BENCH_SAMPLES_PER_SEC, BENCH_WORK, speedPrior } from '../../../../src/lib/ml/train/speed-prior.ts';
import { dense, makeSpec } from '../engine/helpers.ts';

const bundled = async (name: string): Promise<ModelSpec> =>
  (
    await parseModelSpecBytes(
      new Uint8Array(readFileSync(new URL(`../../../../public/specs/${name}.json`, import.meta.url))),
    )
  ).spec;
const BACKENDS: BackendName[] = ['wasm', 'webgpu', 'webgl', 'cpu'];

describe('specWork', () => {
  it('counts the multiply-accumulates of dense and convolution layers, and the elements of the rest', async () => {
    // digits-mlp: 64 x 128 + 128 x 10.
    expect(specWork(await bundled('digits-mlp'))).toBe(64 * 128 + 128 * 10);
    // fashion-mlp: 784 x 256, dropout over 256, 256 x 128, 128 x 10.
    expect(specWork(await bundled('fashion-mlp'))).toBe(784 * 256 + 256 + 256 * 128 + 128 * 10);
    // fashion-cnn: two 3x3 'same' convolutions (28x28x16 from 1 channel, 14x14x32 from 16), two
    // 2x2 pools, then 1568 x 128, dropout over 128, 128 x 10.
    expect(specWork(await bundled('fashion-cnn'))).toBe(
      28 * 28 * 16 * 9 + 14 * 14 * 16 * 4 + 14 * 14 * 32 * 9 * 16 + 7 * 7 * 32 * 4 + 1568 * 128 + 128 + 128 * 10,
    );
    // Attention over 8 positions of width 16: four projections, scores and the weighted sum.
    const attn = makeSpec(
      [{ type: 'attention', heads: 2, dim: 16 }, { type: 'globalAvgPool1d' }, dense(3)],
      [8, 16],
      3,
    );
    expect(specWork(attn)).toBe(4 * 8 * 16 * 16 + 2 * 8 * 8 * 16 + 8 * 16 + 16 * 3);
  });

  it('is what the speed prior records for the bundled specs', async () => {
    for (const name of Object.keys(BENCH_SAMPLES_PER_SEC))
      expect(specWork(await bundled(name)), name).toBe(BENCH_WORK[name]);
  });
});

describe('speedPrior', () => {
  it('maps a bundled spec to its own measured number on every backend', () => {
    for (const [name, row] of Object.entries(BENCH_SAMPLES_PER_SEC))
      for (const b of BACKENDS)
        expect(speedPrior({ name, work: BENCH_WORK[name]! }, b)).toEqual({
          backend: b,
          samplesPerSec: row[b],
          basis: 'bench',
          from: [name],
        });
    // 'auto': the fastest backend where the benchmark ran.
    expect(speedPrior({ name: 'fashion-cnn', work: BENCH_WORK['fashion-cnn']! }, 'auto')).toMatchObject({
      backend: 'wasm',
      samplesPerSec: 1510,
    });
  });

  it('gives a spec twice as heavy as the heaviest benchmarked one half its speed', () => {
    const work = 2 * BENCH_WORK['fashion-cnn']!;
    for (const b of BACKENDS) {
      const p = speedPrior({ name: 'bigger-cnn', work }, b);
      expect(p.samplesPerSec).toBeCloseTo(BENCH_SAMPLES_PER_SEC['fashion-cnn']![b] / 2, 9);
      expect(p).toMatchObject({ basis: 'scaled', from: ['fashion-cnn'] });
    }
  });

  it('follows the measured curve between benchmarked specs, and the lightest below them', () => {
    const mlp = BENCH_WORK['fashion-mlp']!;
    const cnn = BENCH_WORK['fashion-cnn']!;
    // Halfway on log axes between fashion-mlp and fashion-cnn: the geometric mean of their speeds.
    const mid = speedPrior({ name: 'mid', work: Math.sqrt(mlp * cnn) }, 'wasm');
    expect(mid.samplesPerSec).toBeCloseTo(Math.sqrt(7426 * 1510), 6);
    expect(mid).toMatchObject({ basis: 'scaled', from: ['fashion-mlp', 'fashion-cnn'] });
    // A renamed copy of a benchmarked spec is estimated at exactly its speed.
    expect(speedPrior({ name: 'my-mlp', work: mlp }, 'cpu')).toEqual({
      backend: 'cpu',
      samplesPerSec: 506,
      basis: 'scaled',
      from: ['fashion-mlp'],
    });
    // A spec that only shares a bundled name is not taken for it.
    expect(speedPrior({ name: 'fashion-mlp', work: 2 * cnn }, 'wasm')).toMatchObject({
      basis: 'scaled',
      samplesPerSec: 755,
    });
    // Lighter than every benchmarked spec: per-step overhead bounds it, so no faster than the lightest.
    expect(speedPrior({ name: 'tiny', work: 100 }, 'wasm')).toMatchObject({
      samplesPerSec: 20617,
      from: ['digits-mlp'],
    });
    // Heavier is never faster, on every backend.
    for (const b of BACKENDS) {
      const speeds = [1, 9_472, 20_000, 235_008, 600_000, 1_236_992, 5e6].map(
        (w) => speedPrior({ name: 'x', work: w }, b).samplesPerSec,
      );
      for (let i = 1; i < speeds.length; i++) expect(speeds[i]!, `${b} at ${i}`).toBeLessThanOrEqual(speeds[i - 1]!);
    }
  });
});
