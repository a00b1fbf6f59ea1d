// Training worker: the train service over Comlink. Weights leave as one transferred artifact,
// errors as JSON (src/lib/error-wire.ts).
import * as Comlink from 'comlink';
import { sendErrorsAsJson } from '../src/lib/error-wire.ts';
import { wasmPaths } from '../src/lib/ml/backend/wasm-urls.ts';
import type { TrainWorkerApi } from '../src/lib/ml/worker-api.ts';
import { createTrainService, type TrainEvents, type TrainJob } from '../src/lib/ml/train/service.ts';
import { openCheckpointStore } from '../src/lib/storage/checkpoints.ts';

const service = createTrainService({ backend: { wasmPaths }, openStore: () => openCheckpointStore() });

const api: TrainWorkerApi = {
  probe: service.probe,
  async train(job: TrainJob, events?: TrainEvents) {
    const outcome = await service.train(job, events);
    return Comlink.transfer(outcome, [outcome.artifact.buffer]);
  },
  pause: service.pause,
  resume: service.resume,
  cancel: service.cancel,
  runs: service.runs,
  deleteRun: service.deleteRun,
  loseDevice: service.loseDevice,
};

Comlink.expose(sendErrorsAsJson(api));
