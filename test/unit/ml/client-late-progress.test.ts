// The worker clients over a real Comlink channel (a MessageChannel standing in for the worker):
// a callback travels on its proxy's own port and the result on the worker's, and nothing orders
// the two, so progress sent just before the result can arrive after it. The Train page then set a
// finished evaluation back to "running, 250 of 250" for good. Here the fake worker's last
// progress message is delivered after its result, as it can be in a browser.
import * as Comlink from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import { createEvaluator, createTrainer } from '../../../src/lib/ml/client.ts';

const ports: MessagePort[] = [];
afterEach(() => {
  for (const p of ports.splice(0)) p.close();
});

/** A "worker" exposing `api` on one end of a channel; the client gets the other end. */
function fakeWorker(api: object): Worker {
  const { port1, port2 } = new MessageChannel();
  ports.push(port1, port2);
  Comlink.expose(api, port2);
  return Object.assign(port1, { terminate: () => port1.close() }) as unknown as Worker;
}

const later = (f: () => void) => setTimeout(f, 30);
const settle = () => new Promise((r) => setTimeout(r, 120));

describe('worker clients drop callbacks that arrive after the call settled', () => {
  it('evaluate: the last progress, delivered after the result, is not reported', async () => {
    const seen: string[] = [];
    const evaluator = createEvaluator(
      fakeWorker({
        evaluate(_job: unknown, events: { onProgress(d: number, t: number): void }) {
          void events.onProgress(100, 250);
          later(() => void events.onProgress(250, 250));
          return { accuracy: 0.9, score: 0.9, samples: 250 };
        },
      }),
    );
    const r = await evaluator.evaluate({ artifact: new Uint8Array(4) } as never, {
      onProgress: (d, t) => seen.push(`${d}/${t}`),
    });
    seen.push('result');
    await settle();
    expect(r.accuracy).toBe(0.9);
    expect(seen).toEqual(['100/250', 'result']);
  });

  it('replay: the same', async () => {
    const seen: string[] = [];
    const evaluator = createEvaluator(
      fakeWorker({
        replay(_job: unknown, events: { onProgress(d: number, t: number): void }) {
          void events.onProgress(1, 50);
          later(() => void events.onProgress(50, 50));
          return { status: 'done' };
        },
      }),
    );
    await evaluator.replay({ start: new Uint8Array(4), claimed: new Uint8Array(4) } as never, {
      onProgress: (d, t) => seen.push(`${d}/${t}`),
    });
    seen.push('result');
    await settle();
    expect(seen).toEqual(['1/50', 'result']);
  });

  it('train and transcript: late progress and steps are dropped, a late checkpoint or segment is not (they are records, not progress)', async () => {
    const seen: string[] = [];
    const trainer = createTrainer(
      fakeWorker({
        train(_job: unknown, events: Record<string, (x: unknown) => void>) {
          void events.onProgress!({ step: 1 });
          later(() => {
            void events.onProgress!({ step: 2 });
            void events.onCheckpoint!({ step: 2 });
          });
          return { status: 'completed' };
        },
        transcript(_job: unknown, events: Record<string, (...x: unknown[]) => void>) {
          void events.onStep!(1, 100);
          later(() => {
            void events.onStep!(100, 100);
            void events.onSegment!({ index: 1 });
          });
          return { status: 'completed' };
        },
      }),
    );
    await trainer.train({ dataUrl: 'http://local/d' } as never, {
      onProgress: (p) => seen.push(`progress ${(p as { step: number }).step}`),
      onCheckpoint: (c) => seen.push(`checkpoint ${(c as { step: number }).step}`),
    });
    seen.push('trained');
    await settle();
    await trainer.transcript({ dataUrl: 'http://local/d' } as never, {
      onStep: (s, last) => seen.push(`step ${s}/${last}`),
      onSegment: (s) => seen.push(`segment ${(s as { index: number }).index}`),
    });
    seen.push('transcribed');
    await settle();
    expect(seen).toEqual(['progress 1', 'trained', 'checkpoint 2', 'step 1/100', 'transcribed', 'segment 1']);
  });
});
