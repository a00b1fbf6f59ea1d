// Training speed to assume before anything was measured on this device: the browser rows of
// docs/bench/train.md (headless Chromium on 2 AMD EPYC cores, WebGPU and WebGL on SwiftShader),
// by model spec and backend. A real GPU trains faster, so the prior only stands in until the
// backend probe has timed the model here.
// A spec that was not benchmarked gets a rough estimate from the benchmarked ones by its work
// per sample (spec/work.ts), per backend: between two benchmarked specs, the speed follows the
// straight line between them on log-log axes (the measured rows say how speed falls with work
// there: 25 times the work of digits-mlp costs fashion-mlp only 2.8 times the speed on wasm, the
// per-step overhead dominating small models); beyond the heaviest, the speed falls as the inverse
// of the work (arithmetic bound); below the lightest, it stays the lightest's (overhead bound).
import type { BackendName } from '../backend/types.ts';

/** Samples per second, from docs/bench/train.md (browser, steady state). */
export const BENCH_SAMPLES_PER_SEC: Readonly<Record<string, Readonly<Record<BackendName, number>>>> = {
  'digits-mlp': { wasm: 20617, webgpu: 361, webgl: 1993, cpu: 2680 },
  'fashion-mlp': { wasm: 7426, webgpu: 180, webgl: 1023, cpu: 506 },
  'fashion-cnn': { wasm: 1510, webgpu: 19, webgl: 82, cpu: 74 },
};

/**
 * specWork() of the benchmarked specs as bundled in public/specs (a unit test checks them): a
 * spec that shares a name but not the work is not the benchmarked one.
 */
export const BENCH_WORK: Readonly<Record<string, number>> = {
  'digits-mlp': 9_472,
  'fashion-mlp': 235_008,
  'fashion-cnn': 1_236_992,
};

export interface SpeedPrior {
  backend: BackendName;
  samplesPerSec: number;
  /** 'bench': the spec's own benchmark row; 'scaled': estimated from the rows in `from` by work per sample. */
  basis: 'bench' | 'scaled';
  /** The benchmarked specs the number comes from. */
  from: string[];
}

const BACKENDS: readonly BackendName[] = ['wasm', 'webgpu', 'webgl', 'cpu'];

/** The benchmarked specs, lightest first. */
const POINTS = Object.keys(BENCH_SAMPLES_PER_SEC)
  .map((name) => ({ name, work: BENCH_WORK[name]!, sps: BENCH_SAMPLES_PER_SEC[name]! }))
  .sort((a, b) => a.work - b.work);

function onBackend(spec: { name: string; work: number }, backend: BackendName): SpeedPrior {
  const own = BENCH_SAMPLES_PER_SEC[spec.name];
  if (own !== undefined && BENCH_WORK[spec.name] === spec.work)
    return { backend, samplesPerSec: own[backend], basis: 'bench', from: [spec.name] };
  const scaled = (samplesPerSec: number, from: string[]): SpeedPrior => ({
    backend,
    samplesPerSec,
    basis: 'scaled',
    from,
  });
  const first = POINTS[0]!;
  const last = POINTS.at(-1)!;
  if (!(spec.work > first.work)) return scaled(first.sps[backend], [first.name]);
  if (spec.work >= last.work) return scaled((last.sps[backend] * last.work) / spec.work, [last.name]);
  const i = POINTS.findIndex((p) => p.work > spec.work);
  const [a, b] = [POINTS[i - 1]!, POINTS[i]!];
  const slope = Math.log(b.sps[backend] / a.sps[backend]) / Math.log(b.work / a.work);
  return scaled(a.sps[backend] * (spec.work / a.work) ** slope, spec.work === a.work ? [a.name] : [a.name, b.name]);
}

/**
 * The speed to assume for `spec` (its name and specWork()) on `backend`: its benchmark row, or an
 * estimate scaled from the benchmarked specs. For 'auto', the backend with the highest number
 * (the one automatic selection picks where the benchmark ran).
 */
export function speedPrior(spec: { name: string; work: number }, backend: BackendName | 'auto'): SpeedPrior {
  if (backend !== 'auto') return onBackend(spec, backend);
  return BACKENDS.map((b) => onBackend(spec, b)).reduce((a, b) => (b.samplesPerSec > a.samplesPerSec ? b : a));
}
