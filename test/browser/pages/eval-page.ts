// Test and benchmark page: the app's evaluation client (a dedicated worker) on artifacts handed
// in from the Playwright side, per-sample arrays handed back as base64 (Playwright serializes
// strings cheaply, typed arrays poorly). Also the eval service on this page's own thread with
// WebGL forced onto half-float textures: what a device without float32 render targets runs.
import { registerBackend } from '../../../src/lib/ml/backend/register.ts';
import { tf } from '../../../src/lib/ml/backend/tf.ts';
import { wasmPaths } from '../../../src/lib/ml/backend/wasm-urls.ts';
import { createEvaluator, type EvalJob, type EvalOutcome } from '../../../src/lib/ml/client.ts';
import { evalWorker } from '../../../src/app/workers.ts';
import { createEvalService } from '../../../src/lib/ml/eval/service.ts';

export interface PageEvalJob extends Omit<EvalJob, 'specBytes' | 'artifact'> {
  spec: string;
  artifactBase64: string;
}

export interface PageEvalOutcome {
  score: number;
  loss: number;
  accuracy: number;
  samples: number;
  datasetSamples: number;
  backend: string;
  floatPrecision: number;
  artifactHash: string;
  seconds: number;
  progressTotals: number[];
  perSample: { predictions: string; losses: string; logits: string } | null;
}

const toBase64 = (v: ArrayBufferView) => {
  const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
};
const fromBase64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

function pageOutcome(o: EvalOutcome, seconds: number, totals: Set<number>): PageEvalOutcome {
  const p = o.perSample;
  return {
    score: o.score,
    loss: o.loss,
    accuracy: o.accuracy,
    samples: o.samples,
    datasetSamples: o.datasetSamples,
    backend: o.backend,
    floatPrecision: o.floatPrecision,
    artifactHash: o.artifactHash,
    seconds,
    progressTotals: [...totals],
    perSample: p
      ? { predictions: toBase64(p.predictions), losses: toBase64(p.losses), logits: toBase64(p.logits) }
      : null,
  };
}

const specBytes = async (spec: string) => new Uint8Array(await (await fetch(`/specs/${spec}.json`)).arrayBuffer());

// The page thread's own service, created on first use with WebGL on half-float textures.
let halfFloat: ReturnType<typeof createEvalService> | null = null;

const api = {
  /** One job on a fresh worker (a backend's state never leaks into the next job). */
  async evaluate(job: PageEvalJob): Promise<PageEvalOutcome> {
    const { spec, artifactBase64, ...rest } = job;
    const evaluator = createEvaluator(evalWorker());
    const totals = new Set<number>();
    try {
      const t0 = performance.now();
      const o = await evaluator.evaluate(
        { ...rest, specBytes: await specBytes(spec), artifact: fromBase64(artifactBase64) },
        { onProgress: (_d, t) => totals.add(t) },
      );
      return pageOutcome(o, (performance.now() - t0) / 1000, totals);
    } finally {
      evaluator.terminate();
    }
  },
  /** The same job on this page's thread, WebGL storing every tensor as 16-bit floats. */
  async evaluateHalfFloatWebGl(job: PageEvalJob): Promise<PageEvalOutcome> {
    const { spec, artifactBase64, ...rest } = job;
    if (halfFloat === null) {
      // The flag exists once the webgl module is loaded and must be set before the backend starts.
      await registerBackend('webgl');
      tf.env().set('WEBGL_FORCE_F16_TEXTURES', true);
      halfFloat = createEvalService({ backend: { wasmPaths } });
    }
    const totals = new Set<number>();
    const t0 = performance.now();
    const o = await halfFloat.evaluate(
      {
        ...rest,
        dataUrl: new URL(rest.dataUrl!, location.href).href,
        backend: 'webgl',
        specBytes: await specBytes(spec),
        artifact: fromBase64(artifactBase64),
      },
      { onProgress: (_d, t) => totals.add(t) },
    );
    return pageOutcome(o, (performance.now() - t0) / 1000, totals);
  },
};

(window as unknown as { evalPage: typeof api }).evalPage = api;
document.getElementById('log')!.textContent = 'ready';
