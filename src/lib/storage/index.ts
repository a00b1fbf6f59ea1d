export { openCheckpointStore, DB_NAME, type CheckpointStore, type RunSummary, type RunMeta } from './checkpoints.ts';
export { StorageError, openDatabase, transact, requestResult, defaultFactory } from './idb.ts';
