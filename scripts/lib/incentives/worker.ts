// worker_threads entry (started through worker-boot.mjs): runs the tasks the main thread sends.

import { parentPort } from 'node:worker_threads';
import { allScenarios, closeCompetitionScenarios, committeeScenarios, sweepScenarios } from './adversaries.ts';
import type { SimConfig } from './config.ts';
import type { BackendNoise } from './noise.ts';
import { runTask } from './runner.ts';

export interface Job {
  id: number;
  kind: 'main' | 'sweep' | 'close' | 'committees';
  config: SimConfig;
  noise: BackendNoise;
  seed: number;
  index: number;
  ablation: boolean;
}

const port = parentPort;
if (port === null) throw new Error('worker.ts must run in a worker thread');
port.on('message', (job: Job) => {
  try {
    const scenarios =
      job.kind === 'main'
        ? allScenarios(job.config)
        : job.kind === 'sweep'
          ? sweepScenarios()
          : job.kind === 'committees'
            ? committeeScenarios()
            : closeCompetitionScenarios();
    const output = runTask(job.config, job.noise, job.seed, job.index, scenarios, job.ablation);
    port.postMessage({ id: job.id, output });
  } catch (error) {
    port.postMessage({
      id: job.id,
      error: error instanceof Error ? `${error.message}\n${error.stack}` : String(error),
    });
  }
});
