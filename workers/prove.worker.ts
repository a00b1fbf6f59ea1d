// Proving worker: the ownership prover (src/lib/zk/service.ts) over Comlink. Typed errors travel
// as JSON (structured clone keeps only an Error's message); cancel is the client terminating
// this worker, since snarkjs's proving cannot be interrupted from inside.
import * as Comlink from 'comlink';
import { errorToJson } from '../src/lib/error-wire.ts';
import type { ProveProgress } from '../src/lib/zk/prove.ts';
import { createProveService, type ProveJob } from '../src/lib/zk/service.ts';
import type { ProveOutcome, ProveWorkerApi } from '../src/lib/zk/worker-api.ts';

const service = createProveService();

const api: ProveWorkerApi = {
  async prove(job: ProveJob, events?: { onProgress(p: ProveProgress): void }): Promise<ProveOutcome> {
    try {
      return { ok: true, proof: await service.prove(job, { onProgress: (p) => events?.onProgress(p) }) };
    } catch (e) {
      return { ok: false, error: errorToJson(e) };
    }
  },
};

Comlink.expose(api);
