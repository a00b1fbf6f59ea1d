// Test page: drives the real workers through the app's client and exposes a small API on
// window for the Playwright side.
import { deserializeArtifact } from '../../../src/lib/ml/artifact/deserialize.ts';
import { serializeArtifact } from '../../../src/lib/ml/artifact/serialize.ts';
import { createEvaluator, createTrainer, type TrainJob, type TrainProgress } from '../../../src/lib/ml/client.ts';
import { evalWorker, trainWorker } from '../../../src/app/workers.ts';
import { specHashBytes } from '../../../src/lib/ml/eval/evaluate.ts';
import { parseModelSpecBytes } from '../../../src/lib/ml/spec/parse.ts';
import { specShapes } from '../../../src/lib/ml/spec/shapes.ts';

interface RunLog {
  progress: TrainProgress[];
  checkpoints: number[];
  backends: string[];
  deviceLost: number[];
}

const trainer = createTrainer(trainWorker());
const evaluator = createEvaluator(evalWorker());
const log: RunLog = { progress: [], checkpoints: [], backends: [], deviceLost: [] };

async function specBytes(name: string): Promise<Uint8Array> {
  return new Uint8Array(await (await fetch(`/specs/${name}.json`)).arrayBuffer());
}

const keyBits = Uint8Array.from({ length: 64 * 128 }, (_, i) => (i * 2654435761) >>> 31);

let lastArtifact: Uint8Array = new Uint8Array(0);

const api = {
  log,
  resetLog() {
    log.progress.length = 0;
    log.checkpoints.length = 0;
    log.backends.length = 0;
    log.deviceLost.length = 0;
  },
  /** The last artifact, parsed by the strict reader and serialized again: must be the same bytes. */
  async artifactRoundTrip(spec: string): Promise<{ identical: boolean; bytes: number[] }> {
    const { spec: parsed, hash } = await parseModelSpecBytes(await specBytes(spec));
    const params = specShapes(parsed).params;
    const again = serializeArtifact(
      specHashBytes(hash),
      params,
      deserializeArtifact(lastArtifact, { specHash: specHashBytes(hash), params }),
    );
    const identical = again.length === lastArtifact.length && again.every((b, i) => b === lastArtifact[i]);
    return { identical, bytes: Array.from(lastArtifact) };
  },
  async gpuInWorker(): Promise<unknown> {
    const src = `self.onmessage = async () => { const a = navigator.gpu ? await navigator.gpu.requestAdapter() : null; postMessage(a ? { ...a.info && { vendor: a.info.vendor, architecture: a.info.architecture, fallback: a.info.isFallbackAdapter ?? a.isFallbackAdapter } } : null); };`;
    const w = new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })));
    const answer = new Promise((resolve) => (w.onmessage = (e) => resolve(e.data)));
    w.postMessage(null);
    const r = await answer;
    w.terminate();
    return r;
  },
  async probe(spec: string, backend?: string) {
    return trainer.probe(await specBytes(spec), backend as TrainJob['backend']);
  },
  async train(spec: string, job: Partial<TrainJob> & { loseDeviceAtStep?: number }) {
    const { loseDeviceAtStep, ...rest } = job;
    let lost = false;
    const outcome = await trainer.train(
      {
        runId: 'browser-run',
        specBytes: await specBytes(spec),
        dataUrl: '/datasets/digits-train',
        seed: 5,
        watermark: { keyBits, owner: '0x5b38da6a701c568545dcfcddfc4b11fc0a3f9d6e' },
        ...rest,
      },
      {
        onBackend: (s) => log.backends.push(s.backend),
        onProgress: (p) => {
          log.progress.push(p);
          if (loseDeviceAtStep !== undefined && !lost && p.step >= loseDeviceAtStep) {
            lost = true;
            void trainer.loseDevice();
          }
        },
        onCheckpoint: (c) => log.checkpoints.push(c.step),
        onDeviceLost: (d) => log.deviceLost.push(d.restartStep),
      },
    );
    const { artifact, ...rest2 } = outcome;
    lastArtifact = artifact;
    return { ...rest2, artifactBytes: artifact.length };
  },
  async evaluate(spec: string, backend?: string) {
    return evaluator.evaluate({
      specBytes: await specBytes(spec),
      artifact: lastArtifact,
      dataUrl: '/datasets/digits-eval',
      backend: backend as TrainJob['backend'],
    });
  },
  runs: () => trainer.runs(),
  deleteRun: (id: string) => trainer.deleteRun(id),
};

(window as unknown as { engine: typeof api }).engine = api;
document.getElementById('log')!.textContent = 'ready';
