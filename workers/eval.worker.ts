// Evaluation worker: the eval service over Comlink; the artifact arrives transferred, per-sample
// arrays (when asked for) go back transferred, errors as JSON (src/lib/error-wire.ts).
import * as Comlink from 'comlink';
import { sendErrorsAsJson } from '../src/lib/error-wire.ts';
import { wasmPaths } from '../src/lib/ml/backend/wasm-urls.ts';
import { createEvalService, type EvalEvents, type EvalJob } from '../src/lib/ml/eval/service.ts';
import type { EvalWorkerApi } from '../src/lib/ml/worker-api.ts';

const service = createEvalService({ backend: { wasmPaths } });

const api: EvalWorkerApi = {
  evaluate: async (job: EvalJob, events?: EvalEvents) => {
    const outcome = await service.evaluate(job, events);
    const p = outcome.perSample;
    return p
      ? Comlink.transfer(outcome, [
          p.predictions.buffer,
          p.correct.buffer,
          p.losses.buffer,
          p.logits.buffer,
          ...(p.accuracy ? [p.accuracy.buffer] : []),
        ])
      : outcome;
  },
  replay: (job, events) => service.replay(job, events),
  cancel: (reason) => service.cancel(reason),
};

Comlink.expose(sendErrorsAsJson(api));
