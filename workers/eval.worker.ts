// Evaluation worker: the eval service over Comlink; the artifact arrives transferred.
import * as Comlink from 'comlink';
import { wasmPaths } from '../src/lib/ml/backend/wasm-urls.ts';
import { createEvalService, type EvalEvents, type EvalJob } from '../src/lib/ml/eval/service.ts';

const service = createEvalService({ backend: { wasmPaths } });

const api = {
  evaluate: (job: EvalJob, events?: EvalEvents) => service.evaluate(job, events),
};

export type EvalWorkerApi = typeof api;

Comlink.expose(api);
