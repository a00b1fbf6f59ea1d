// Training checkpoints in IndexedDB, keyed by run id, so a closed or crashed tab resumes where
// it stopped. One record per run (the latest checkpoint) plus a small summary per run that lists
// resumable runs without loading their weights.
import type { TrainCheckpoint } from '../ml/train/checkpoint.ts';
import { defaultFactory, openDatabase, requestResult, transact } from './idb.ts';

export const DB_NAME = 'aiarena-ml';
export const DB_VERSION = 1;
const CHECKPOINTS = 'checkpoints';
const RUNS = 'runs';

/** What the app attaches to a run (task, dataset, spec hash...): plain JSON-like data. */
export type RunMeta = Record<string, unknown>;

export interface RunSummary {
  runId: string;
  step: number;
  epoch: number;
  epochs: number;
  backend: string;
  savedAt: number;
  last?: TrainCheckpoint['last'];
  meta: RunMeta;
}

export interface CheckpointStore {
  save(runId: string, checkpoint: TrainCheckpoint, meta?: RunMeta): Promise<void>;
  load(runId: string): Promise<TrainCheckpoint | undefined>;
  summary(runId: string): Promise<RunSummary | undefined>;
  list(): Promise<RunSummary[]>;
  delete(runId: string): Promise<void>;
  close(): void;
}

/** What a store keeps about a run next to its checkpoint; `meta` sticks until a save changes it. */
export function runSummary(
  runId: string,
  checkpoint: TrainCheckpoint,
  meta: RunMeta | undefined,
  previous: RunSummary | undefined,
): RunSummary {
  return {
    runId,
    step: checkpoint.step,
    epoch: checkpoint.epoch,
    epochs: checkpoint.hyper.epochs,
    backend: checkpoint.backend,
    savedAt: checkpoint.savedAt,
    ...(checkpoint.last ? { last: checkpoint.last } : {}),
    meta: meta ?? previous?.meta ?? {},
  };
}

function upgrade(db: IDBDatabase, oldVersion: number): void {
  if (oldVersion < 1) {
    db.createObjectStore(CHECKPOINTS);
    db.createObjectStore(RUNS, { keyPath: 'runId' });
  }
}

export async function openCheckpointStore(
  factory: IDBFactory = defaultFactory(),
  name = DB_NAME,
): Promise<CheckpointStore> {
  const db = await openDatabase(factory, name, DB_VERSION, upgrade);
  return {
    async save(runId, checkpoint, meta) {
      await transact(db, [CHECKPOINTS, RUNS], 'readwrite', async (tx) => {
        const runs = tx.objectStore(RUNS);
        const previous = (await requestResult(runs.get(runId))) as RunSummary | undefined;
        const summary = runSummary(runId, checkpoint, meta, previous);
        tx.objectStore(CHECKPOINTS).put(checkpoint, runId);
        runs.put(summary);
      });
    },
    async load(runId) {
      return transact(
        db,
        [CHECKPOINTS],
        'readonly',
        (tx) => requestResult(tx.objectStore(CHECKPOINTS).get(runId)) as Promise<TrainCheckpoint | undefined>,
      );
    },
    async summary(runId) {
      return transact(
        db,
        [RUNS],
        'readonly',
        (tx) => requestResult(tx.objectStore(RUNS).get(runId)) as Promise<RunSummary | undefined>,
      );
    },
    async list() {
      const all = await transact(
        db,
        [RUNS],
        'readonly',
        (tx) => requestResult(tx.objectStore(RUNS).getAll()) as Promise<RunSummary[]>,
      );
      return all.sort((a, b) => b.savedAt - a.savedAt);
    },
    async delete(runId) {
      await transact(db, [CHECKPOINTS, RUNS], 'readwrite', (tx) => {
        tx.objectStore(CHECKPOINTS).delete(runId);
        tx.objectStore(RUNS).delete(runId);
      });
    },
    close() {
      db.close();
    },
  };
}
