// What the app uses to prove ownership: a handle on the proving worker. Importing this module
// loads no snarkjs; the worker does, on its own thread. cancel() terminates the worker (snarkjs
// cannot be interrupted), rejecting the running proof with ProofCancelledError; the next proof
// starts a fresh worker and downloads the artifacts again (the HTTP cache usually has them).
import * as Comlink from 'comlink';
import type { ProveOutcome, ProveWorkerApi } from './worker-api.ts';
import { errorFromWire } from '../error-registry.ts';
import { ProofCancelledError, ZkError } from './errors.ts';
import type { OwnershipProof, ProveProgress } from './prove.ts';
import type { ProveEvents, ProveJob } from './service.ts';

export type { ProveJob, ProveEvents, OwnershipProof, ProveProgress };
export type { ProveOutcome, ProveWorkerApi } from './worker-api.ts';

export interface Prover {
  /** Proves a claim; rejects with a ZkError subclass (WatermarkDoesNotDecodeError, ...). */
  prove(job: ProveJob, events?: ProveEvents): Promise<OwnershipProof>;
  /** Stops the running proof at once (no-op when idle). */
  cancel(reason?: string): void;
  /** Releases the worker for good. */
  terminate(): void;
}

// The prover promises a ZkError: anything else the worker threw becomes an internal one around it.
const asZkError = (e: Error): ZkError => (e instanceof ZkError ? e : new ZkError('internal', e.message, { cause: e }));

/** Default manifest location: public/zk/manifest.json served at the app's base. */
export const defaultManifestUrl = (): string => new URL('zk/manifest.json', globalThis.location?.href).href;

/** `makeWorker` starts a proving worker (the app's proveWorker, src/app/workers.ts); called once per proof after a cancel. */
export function createProver(makeWorker: () => Worker): Prover {
  let current: { worker: Worker; remote: Comlink.Remote<ProveWorkerApi> } | null = null;
  let running: { reject: (e: Error) => void } | null = null;

  const connect = () => {
    if (!current) {
      const worker = makeWorker();
      current = { worker, remote: Comlink.wrap<ProveWorkerApi>(worker) };
    }
    return current;
  };
  const drop = () => {
    if (!current) return;
    current.remote[Comlink.releaseProxy]();
    current.worker.terminate();
    current = null;
  };

  const cancel = (reason?: string) => {
    if (!running) return;
    const r = running;
    running = null;
    drop();
    r.reject(new ProofCancelledError(reason));
  };

  return {
    prove(job, events = {}) {
      if (running)
        return Promise.reject(
          new ZkError('busy', 'a proof is already running on this prover: cancel it or wait for it'),
        );
      const { remote } = connect();
      const ticket = { reject: (_: Error) => {} };
      return new Promise<OwnershipProof>((resolve, reject) => {
        ticket.reject = reject;
        running = ticket;
        // Progress already in flight from a cancelled job's worker must not reach the caller.
        const onProgress = (p: ProveProgress) => {
          if (running === ticket) events.onProgress?.(p);
        };
        remote
          .prove(
            { ...job, manifestUrl: new URL(job.manifestUrl, globalThis.location?.href).href },
            Comlink.proxy({ onProgress }),
          )
          .then(
            (out: ProveOutcome) => (out.ok ? resolve(out.proof) : reject(asZkError(errorFromWire(out.error)))),
            (e: unknown) => reject(e instanceof Error ? e : new Error(String(e))),
          );
      }).finally(() => {
        if (running === ticket) running = null;
      });
    },
    cancel,
    terminate() {
      cancel('the prover was shut down');
      drop();
    },
  };
}
