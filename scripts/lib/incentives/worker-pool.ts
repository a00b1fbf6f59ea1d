// The incentive benchmarks' worker pool: each task job runs on one of `workers` threads
// (worker-boot.mjs loads worker.ts); results come back in job order.
import { Worker } from 'node:worker_threads';
import type { TaskOutput } from './runner.ts';
import type { Job } from './worker.ts';

/** Runs the jobs on a pool of worker threads; results in job order. */
export async function runJobs(jobs: Job[], workers: number, onDone: (done: number) => void): Promise<TaskOutput[]> {
  const results = new Array<TaskOutput>(jobs.length);
  let next = 0;
  let done = 0;
  const boot = new URL('./worker-boot.mjs', import.meta.url);
  await Promise.all(
    Array.from({ length: Math.min(workers, jobs.length) }, () => {
      const worker = new Worker(boot);
      return new Promise<void>((resolve, reject) => {
        const feed = () => {
          const job = jobs[next++];
          if (job === undefined) {
            void worker.terminate().then(() => resolve());
            return;
          }
          worker.postMessage(job);
        };
        worker.on('message', (msg: { id: number; output?: TaskOutput; error?: string }) => {
          if (msg.error !== undefined) {
            reject(new Error(`task job ${msg.id} failed: ${msg.error}`));
            void worker.terminate();
            return;
          }
          results[msg.id] = msg.output!;
          onDone(++done);
          feed();
        });
        worker.on('error', reject);
        feed();
      });
    }),
  );
  return results;
}
