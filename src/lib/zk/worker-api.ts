// The contract between the proving client and its worker: workers/prove.worker.ts implements it,
// src/lib/zk/client.ts calls it over Comlink. Typed errors travel as JSON (src/lib/error-wire.ts:
// structured clone keeps only an Error's name and message).
import type { ErrorJson } from '../error-wire.ts';
import type { OwnershipProof, ProveProgress } from './prove.ts';
import type { ProveJob } from './service.ts';

export type ProveOutcome = { ok: true; proof: OwnershipProof } | { ok: false; error: ErrorJson };

export interface ProveWorkerApi {
  prove(job: ProveJob, events?: { onProgress(p: ProveProgress): void }): Promise<ProveOutcome>;
}
