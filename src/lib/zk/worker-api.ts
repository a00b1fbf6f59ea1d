// The contract between the proving client and its worker: workers/prove.worker.ts implements it,
// src/lib/zk/client.ts calls it over Comlink. Typed errors travel as JSON (structured clone keeps
// only an Error's message).
import type { ZkErrorJson } from './errors.ts';
import type { OwnershipProof, ProveProgress } from './prove.ts';
import type { ProveJob } from './service.ts';

export type ProveOutcome = { ok: true; proof: OwnershipProof } | { ok: false; error: ZkErrorJson };

export interface ProveWorkerApi {
  prove(job: ProveJob, events?: { onProgress(p: ProveProgress): void }): Promise<ProveOutcome>;
}
