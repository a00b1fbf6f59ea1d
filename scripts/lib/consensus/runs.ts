// Per-sample evaluations of one artifact on one backend, through the code validators run: the
// eval service in Node, the app's evaluation worker (src/lib/ml/client.ts) in headless Chromium.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Page } from 'playwright-core';
import type { BackendName } from '../../../src/lib/ml/backend/types.ts';
import { createEvalService, type EvalService } from '../../../src/lib/ml/eval/service.ts';
import type { PageEvalJob, PageEvalOutcome } from '../../../test/browser/pages/eval-page.ts';
import type { SampleResults } from './stats.ts';

export type Place = 'node' | 'chromium';

export interface Run extends SampleResults {
  place: Place;
  backend: BackendName;
  /** How the backend was set up when not as the app sets it up ('f16 textures'). */
  variant?: string;
  /** Loaded from the run cache (its seconds are from the run that made it). */
  cached?: boolean;
  floatPrecision: number;
  predictions: Int32Array;
  logits: Float32Array;
  /** Wall-clock seconds of the evaluation call (fresh worker in Chromium). */
  seconds: number;
  /** The service's own score and accuracy on the samples evaluated (a cross-check of the per-sample arrays). */
  score: number;
  accuracy: number;
}

export const runLabel = (r: Pick<Run, 'place' | 'backend' | 'variant'>) =>
  `${r.place} ${r.backend}${r.variant ? ` (${r.variant})` : ''}`;

export interface EvalRequest {
  spec: string;
  specBytes: Uint8Array;
  artifact: Uint8Array;
  /** Dataset folder relative to the repository root, e.g. public/datasets/digits-eval. */
  dataDir: string;
  /** The dataset's labels, to mark each evaluated sample right or wrong. */
  labels: Int32Array;
  /** Samples to evaluate; every sample when absent. */
  indices?: Uint32Array;
}

function toRun(
  place: Place,
  backend: BackendName,
  floatPrecision: number,
  req: EvalRequest,
  p: { predictions: Int32Array; losses: Float32Array; logits: Float32Array },
  extra: { seconds: number; score: number; accuracy: number },
): Run {
  const indices = req.indices ?? Uint32Array.from({ length: req.labels.length }, (_, i) => i);
  if (p.predictions.length !== indices.length)
    throw new Error(`${place} ${backend}: ${p.predictions.length} predictions for ${indices.length} samples`);
  const correct = Uint8Array.from(indices, (s, i) => (p.predictions[i] === req.labels[s] ? 1 : 0));
  return {
    place,
    backend,
    floatPrecision,
    indices,
    correct,
    losses: p.losses,
    predictions: p.predictions,
    logits: p.logits,
    ...extra,
  };
}

/** A fetch over the repository's files: http://local/<path> reads <root>/<path>. */
export function repoFetch(root: string): typeof fetch {
  return (async (input: RequestInfo | URL) => {
    try {
      return new Response(readFileSync(join(root, decodeURIComponent(new URL(String(input)).pathname))));
    } catch {
      return new Response('not found', { status: 404, statusText: 'Not Found' });
    }
  }) as typeof fetch;
}

export function nodeEvaluator(
  root: string,
  wasmPaths: string,
): (backend: BackendName, req: EvalRequest) => Promise<Run> {
  const service: EvalService = createEvalService({ backend: { wasmPaths }, fetch: repoFetch(root) });
  return async (backend, req) => {
    const t0 = performance.now();
    const o = await service.evaluate({
      specBytes: req.specBytes,
      artifact: req.artifact,
      dataUrl: `http://local/${req.dataDir}`,
      backend,
      perSample: true,
      ...(req.indices ? { indices: Array.from(req.indices) } : {}),
    });
    return toRun('node', o.backend, o.floatPrecision, req, o.perSample!, {
      seconds: (performance.now() - t0) / 1000,
      score: o.score,
      accuracy: o.accuracy,
    });
  };
}

const b64 = (s: string) => {
  const b = Buffer.from(s, 'base64');
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
};

/**
 * Evaluates in a fresh dedicated worker of the page (test/browser/pages/eval.html), or with
 * `halfFloat` on the page's own thread with WebGL forced onto 16-bit textures.
 */
export function chromiumEvaluator(
  page: Page,
  opts: { halfFloat?: boolean } = {},
): (backend: BackendName, req: EvalRequest) => Promise<Run> {
  return async (backend, req) => {
    const job: PageEvalJob = {
      spec: req.spec,
      artifactBase64: Buffer.from(req.artifact).toString('base64'),
      // Vite serves public/ at the root and the rest of the repository under its own path.
      dataUrl: `/${req.dataDir.replace(/^public\//, '')}`,
      backend,
      perSample: true,
      allowHalfPrecision: true,
      ...(req.indices ? { indices: Array.from(req.indices) } : {}),
    };
    type PageApi = {
      evalPage: {
        evaluate(j: PageEvalJob): Promise<PageEvalOutcome>;
        evaluateHalfFloatWebGl(j: PageEvalJob): Promise<PageEvalOutcome>;
      };
    };
    const o = opts.halfFloat
      ? await page.evaluate((j) => (window as unknown as PageApi).evalPage.evaluateHalfFloatWebGl(j), job)
      : await page.evaluate((j) => (window as unknown as PageApi).evalPage.evaluate(j), job);
    const p = o.perSample!;
    const run = toRun(
      'chromium',
      o.backend as BackendName,
      o.floatPrecision,
      req,
      {
        predictions: new Int32Array(b64(p.predictions)),
        losses: new Float32Array(b64(p.losses)),
        logits: new Float32Array(b64(p.logits)),
      },
      { seconds: o.seconds, score: o.score, accuracy: o.accuracy },
    );
    return opts.halfFloat ? { ...run, variant: 'f16 textures' } : run;
  };
}

type Evaluate = (backend: BackendName, req: EvalRequest) => Promise<Run>;

/**
 * `evaluate` with its runs kept in `dir` (per artifact, place, backend, variant, dataset and
 * samples), so the analysis can be rerun without evaluating again.
 */
export function cachedEvaluator(dir: string | undefined, place: Place, variant: string, evaluate: Evaluate): Evaluate {
  if (dir === undefined) return evaluate;
  return async (backend, req) => {
    const samples = req.indices ? createHash('sha256').update(req.indices).digest('hex').slice(0, 12) : 'all';
    const hash = createHash('sha256').update(req.artifact).digest('hex').slice(0, 16);
    const file = join(
      dir,
      `run-${hash}-${place}-${backend}${variant ? `-${variant}` : ''}-${basename(req.dataDir)}-${samples}.json`,
    );
    if (existsSync(file)) {
      const j = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      const buf = (k: string) => b64(j[k] as string);
      return {
        ...(j as unknown as Run),
        indices: new Uint32Array(buf('indices')),
        correct: new Uint8Array(buf('correct')),
        losses: new Float32Array(buf('losses')),
        predictions: new Int32Array(buf('predictions')),
        logits: new Float32Array(buf('logits')),
        cached: true,
      };
    }
    const r = await evaluate(backend, req);
    const enc = (v: ArrayBufferView) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      file,
      JSON.stringify({
        ...r,
        indices: enc(r.indices),
        correct: enc(r.correct),
        losses: enc(r.losses),
        predictions: enc(r.predictions),
        logits: enc(r.logits),
      }),
    );
    return r;
  };
}
