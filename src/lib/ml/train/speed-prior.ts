// Training speed to assume before anything was measured on this device: the browser rows of
// docs/bench/train.md (headless Chromium on 2 AMD EPYC cores, WebGPU and WebGL on SwiftShader),
// by model spec name and backend. A real GPU trains faster, so the prior only stands in until
// the backend probe has timed the model here; a spec without a row has no prior.
import type { BackendName } from '../backend/types.ts';

/** Samples per second, from docs/bench/train.md (browser, steady state). */
export const BENCH_SAMPLES_PER_SEC: Readonly<Record<string, Readonly<Record<BackendName, number>>>> = {
  'digits-mlp': { wasm: 20617, webgpu: 361, webgl: 1993, cpu: 2680 },
  'fashion-mlp': { wasm: 7426, webgpu: 180, webgl: 1023, cpu: 506 },
  'fashion-cnn': { wasm: 1510, webgpu: 19, webgl: 82, cpu: 74 },
};

/**
 * The benchmark speed of `spec` on `backend`; for 'auto' the fastest benchmarked backend (the one
 * automatic selection picks there). null when the spec was not benchmarked.
 */
export function benchSpeed(
  spec: string,
  backend: BackendName | 'auto',
): { backend: BackendName; samplesPerSec: number } | null {
  const row = BENCH_SAMPLES_PER_SEC[spec];
  if (row === undefined) return null;
  if (backend !== 'auto') return { backend, samplesPerSec: row[backend] };
  const [name, sps] = Object.entries(row).reduce((a, b) => (b[1] > a[1] ? b : a));
  return { backend: name as BackendName, samplesPerSec: sps };
}
