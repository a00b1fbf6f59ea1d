// Test page: jobs that fail in the train and eval workers, run through the app's ML client. The
// rejection is described here, in the page, where `instanceof` means what the app's code sees
// (Playwright would hand the Node side only a message).
import { ArenaError } from '../../../src/lib/errors.ts';
import { createEvaluator, createTrainer, type EvalJob, type TrainJob } from '../../../src/lib/ml/client.ts';
import { EvalJobError } from '../../../src/lib/ml/eval/service.ts';
import { SpecError } from '../../../src/lib/ml/spec/parse.ts';
import { TrainJobError } from '../../../src/lib/ml/train/service.ts';
import { evalWorker, trainWorker } from '../../../src/app/workers.ts';

export interface RejectionView {
  /** The classes (of those below) the rejection is an instance of. */
  instanceOf: string[];
  name: string | null;
  message: string | null;
  code: unknown;
  retryable: unknown;
  details: unknown;
  /** SpecError's own field: the offending path in the spec. */
  field: unknown;
}

const classes = { Error, ArenaError, EvalJobError, TrainJobError, SpecError };

function view(e: unknown): RejectionView {
  const o = (e ?? {}) as Record<string, unknown>;
  return {
    instanceOf: Object.entries(classes)
      .filter(([, C]) => e instanceof C)
      .map(([n]) => n),
    name: typeof o.name === 'string' ? o.name : null,
    message: typeof o.message === 'string' ? o.message : null,
    code: o.code ?? null,
    retryable: o.retryable ?? null,
    details: o.details ?? null,
    field: o.field ?? null,
  };
}

const specBytes = async (spec: string) => new Uint8Array(await (await fetch(`/specs/${spec}.json`)).arrayBuffer());
const bytesOf = (spec: string | { text: string }) =>
  typeof spec === 'string' ? specBytes(spec) : Promise.resolve(new TextEncoder().encode(spec.text));

type PageJob<J> = Omit<J, 'specBytes' | 'artifact'> & { spec: string | { text: string } };

const api = {
  /** Runs an evaluation that should fail and describes how it failed (null: it did not). */
  async evaluateRejection(job: PageJob<EvalJob>): Promise<RejectionView | null> {
    const { spec, ...rest } = job;
    const evaluator = createEvaluator(evalWorker());
    try {
      await evaluator.evaluate({ ...rest, specBytes: await bytesOf(spec), artifact: new Uint8Array(64) });
      return null;
    } catch (e) {
      return view(e);
    } finally {
      evaluator.terminate();
    }
  },
  async trainRejection(job: PageJob<TrainJob>): Promise<RejectionView | null> {
    const { spec, ...rest } = job;
    const trainer = createTrainer(trainWorker());
    try {
      await trainer.train({ ...rest, specBytes: await bytesOf(spec) });
      return null;
    } catch (e) {
      return view(e);
    } finally {
      trainer.terminate();
    }
  },
};

(window as unknown as { workerErrors: typeof api }).workerErrors = api;
document.getElementById('log')!.textContent = 'ready';
