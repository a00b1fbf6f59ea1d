// Training worker: the train service over Comlink. Weights leave as one transferred artifact,
// errors as JSON (src/lib/error-wire.ts).
import * as Comlink from 'comlink';
import { sendErrorsAsJson } from '../src/lib/error-wire.ts';
import { wasmPaths } from '../src/lib/ml/backend/wasm-urls.ts';
import type { TrainWorkerApi } from '../src/lib/ml/worker-api.ts';
import { createTrainService, type TrainEvents, type TrainJob } from '../src/lib/ml/train/service.ts';
import { openCheckpointStore } from '../src/lib/storage/checkpoints.ts';
import { openTranscriptStore } from '../src/lib/storage/transcripts.ts';

const service = createTrainService({
  backend: { wasmPaths },
  openStore: () => openCheckpointStore(),
  openTranscriptStore: () => openTranscriptStore(),
});

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
  async transcript(job, events) {
    const outcome = await service.transcript(job, events);
    return outcome.artifact ? Comlink.transfer(outcome, [outcome.artifact.buffer]) : outcome;
  },
  transcripts: service.transcripts,
  deleteTranscript: service.deleteTranscript,
  loseDevice: service.loseDevice,
};

Comlink.expose(sendErrorsAsJson(api));
