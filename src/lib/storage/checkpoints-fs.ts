// Training checkpoints in a folder (storage/checkpoints.ts CheckpointStore, Node only), for the
// headless agents' train service: a restarted process resumes a plain run where it stopped.
// Per run, named by a digest of its id: `<digest>.ckpt.bin` (the checkpoint, weights included)
// and `<digest>.run.bin` (its summary, what list() reads). The checkpoint is written before the
// summary that describes it, each atomically (records-fs.ts).
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { TrainCheckpoint } from '../ml/train/checkpoint.ts';
import { runSummary, type CheckpointStore, type RunSummary } from './checkpoints.ts';
import { listDir, readRecord, removeFile, writeRecord } from './records-fs.ts';

const digest = (runId: string) => createHash('sha256').update(runId).digest('hex').slice(0, 40);

export function checkpointStoreInDir(dir: string): CheckpointStore {
  const ckpt = (runId: string) => join(dir, `${digest(runId)}.ckpt.bin`);
  const run = (runId: string) => join(dir, `${digest(runId)}.run.bin`);
  return {
    async save(runId, checkpoint, meta) {
      const previous = await readRecord<RunSummary>(run(runId));
      const summary = runSummary(runId, checkpoint, meta, previous);
      await writeRecord(ckpt(runId), checkpoint);
      await writeRecord(run(runId), summary);
    },
    load: (runId) => readRecord<TrainCheckpoint>(ckpt(runId)),
    summary: (runId) => readRecord<RunSummary>(run(runId)),
    async list() {
      const names = (await listDir(dir)).filter((n) => n.endsWith('.run.bin'));
      const all = await Promise.all(names.map((n) => readRecord<RunSummary>(join(dir, n))));
      return all.filter((s): s is RunSummary => s !== undefined).sort((a, b) => b.savedAt - a.savedAt);
    },
    async delete(runId) {
      await removeFile(run(runId));
      await removeFile(ckpt(runId));
    },
    close() {},
  };
}
