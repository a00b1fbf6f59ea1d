// Where the app starts its workers. Each `new Worker(new URL(..., import.meta.url))` names the
// script literally, which is how Vite finds and bundles a worker; the library's clients
// (src/lib/ml/client.ts, src/lib/zk/client.ts) take the started worker, so src/lib never points
// at workers/.
export const trainWorker = (): Worker =>
  new Worker(new URL('../../workers/train.worker.ts', import.meta.url), { type: 'module', name: 'aiarena-train' });

export const evalWorker = (): Worker =>
  new Worker(new URL('../../workers/eval.worker.ts', import.meta.url), { type: 'module', name: 'aiarena-eval' });

export const proveWorker = (): Worker =>
  new Worker(new URL('../../workers/prove.worker.ts', import.meta.url), { type: 'module', name: 'aiarena-prove' });
