// The "try the model" box's rules: which models can be tried, the form's refusals, the streamed
// text (UTF-8 split across bytes, the end-of-file byte), and one run over ports: loading, bytes as
// they come, done, cancelled (while loading or generating) and failed with a sentence.
import type { Address, Hex } from 'viem';
import { describe, expect, it } from 'vitest';
import {
  CompletionText,
  TRY_DEFAULTS,
  checkTryForm,
  modelChoices,
  runCompletion,
  tryStatusText,
  type ModelChoice,
  type TryPorts,
  type TryState,
} from '../../../src/lib/app-logic/try-model.ts';
import type { GenerateOutcome } from '../../../src/lib/ml/generate/service.ts';
import { GenerateError } from '../../../src/lib/ml/errors.ts';

const h = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hex;
const A = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8' as Address;
const B = '0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc' as Address;
const bytes = (s: string) => new TextEncoder().encode(s);

describe('models to try', () => {
  it('lists the trainer’s newest model first, then revealed ones newest first, each model once', () => {
    const revealed = [
      { epoch: 0, trainer: B, submissionId: 0n, artifactHash: h(2), artifactRoot: h(12) },
      { epoch: 1, trainer: A, submissionId: 3n, artifactHash: h(1), artifactRoot: null },
      { epoch: 1, trainer: B, submissionId: 2n, artifactHash: h(2), artifactRoot: h(12) },
    ];
    const choices = modelChoices({ artifactHash: h(1), step: 120, sealable: true }, revealed, A);
    expect(choices.map((c) => [c.key, c.label])).toEqual([
      [h(1), 'Your newest model (step 120)'],
      [h(2), 'Epoch 1, submission #2 (0x3c44…93bc), revealed'],
    ]);
    expect(choices[1]!.source).toEqual({ kind: 'revealed', ...revealed[2]! });
    expect(modelChoices(null, revealed, A).map((c) => c.label)).toEqual([
      'Epoch 1, submission #3 (yours), revealed',
      'Epoch 1, submission #2 (0x3c44…93bc), revealed',
    ]);
    expect(modelChoices({ artifactHash: h(5), step: 7, sealable: false }, [], null)[0]!.label).toBe(
      'Your newest model (step 7, not sealable yet)',
    );
  });
});

describe('the form', () => {
  it('greedy by default: the prompt’s UTF-8 bytes, the length, stop at the end of a file', () => {
    const { request, errors } = checkTryForm({ ...TRY_DEFAULTS, prompt: 'contract Ä {' });
    expect(errors).toBeNull();
    expect(request).toEqual({ prompt: bytes('contract Ä {'), maxNewBytes: 200, temperature: 0, stopByte: 0 });
  });
  it('sampled: temperature, top k and seed; without stopping at the end of a file', () => {
    const r = checkTryForm({
      ...TRY_DEFAULTS,
      mode: 'sampled',
      temperature: '0.7',
      topK: '40',
      seed: 'x',
      stopAtEnd: false,
    });
    expect(r.request).toEqual({
      prompt: bytes(TRY_DEFAULTS.prompt),
      maxNewBytes: 200,
      temperature: 0.7,
      topK: 40,
      seed: 'x',
    });
  });
  it('says what is wrong with each field', () => {
    const r = checkTryForm({
      ...TRY_DEFAULTS,
      prompt: 'x'.repeat(4097),
      length: '2001',
      mode: 'sampled',
      temperature: '0',
      topK: '300',
      seed: 's'.repeat(65),
    });
    expect(r.errors).toEqual({
      prompt: 'The prompt is 4,097 bytes; at most 4,096 (the model reads only its last bytes anyway).',
      length: 'Bytes to generate: a whole number from 1 to 2,000.',
      temperature: 'Temperature: a number above 0 and at most 10 (lower is more predictable).',
      topK: 'Top k: a whole number from 1 to 256, or empty to draw from every byte.',
      seed: 'Seed: at most 64 characters.',
    });
    expect(checkTryForm({ ...TRY_DEFAULTS, length: '' }).errors).toEqual({
      length: 'Bytes to generate: a whole number from 1 to 2,000.',
    });
    // Greedy ignores the sampling fields.
    expect(checkTryForm({ ...TRY_DEFAULTS, temperature: 'x', topK: 'y' }).errors).toBeNull();
  });
});

describe('the text as bytes arrive', () => {
  it('decodes UTF-8 across bytes, and the end-of-file byte ends the text', () => {
    const t = new CompletionText();
    for (const b of bytes('a€')) t.push(b);
    expect(t.text).toBe('a€');
    t.push(0xe2);
    expect(t.text).toBe('a€'); // the start of a character waits for the rest
    t.push(0x82);
    t.push(0xac);
    expect(t.text).toBe('a€€');
    t.push(0);
    t.push(0x41);
    expect([t.text, t.bytes, t.ended]).toEqual(['a€€', 9, true]);
    const cut = new CompletionText();
    cut.push(0xe2);
    cut.finish();
    expect(cut.text).toBe('\ufffd');
  });
});

const choice: ModelChoice = {
  key: h(1),
  label: 'Your newest model (step 40)',
  source: { kind: 'own', artifactHash: h(1), step: 40, sealable: true },
};

/** Ports whose worker emits `out` byte by byte (cancel honoured before the next byte). */
function fakePorts(out: string, o: { fail?: Error; loadFails?: Error; slowLoad?: boolean } = {}) {
  const calls: { artifactHash: Hex; maxNewBytes: number }[] = [];
  let cancelled = false;
  const ports: TryPorts = {
    artifact: async (_source, signal) => {
      if (o.slowLoad)
        await new Promise((resolve, reject) => {
          signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
          setTimeout(resolve, 5_000);
        });
      if (o.loadFails) throw o.loadFails;
      return new Uint8Array(8);
    },
    generate: async (job, events): Promise<GenerateOutcome> => {
      calls.push({ artifactHash: job.artifactHash, maxNewBytes: job.maxNewBytes });
      if (o.fail) throw o.fail;
      const sent: number[] = [];
      for (const b of bytes(out)) {
        if (cancelled) break;
        sent.push(b);
        events.onByte?.(b, sent.length);
        await new Promise((r) => setTimeout(r, 1));
      }
      return {
        bytes: Uint8Array.from(sent),
        stop: cancelled ? 'aborted' : 'length',
        backend: 'wasm',
        artifactHash: job.artifactHash,
        seconds: 0.25,
      };
    },
    cancel: async () => {
      cancelled = true;
    },
  };
  return { ports, calls };
}

describe('a completion run', () => {
  const request = { prompt: bytes('contract '), maxNewBytes: 5, temperature: 0 };

  it('loads, streams the text, and ends with what the worker returned', async () => {
    const { ports, calls } = fakePorts('Token');
    const states: TryState[] = [];
    const last = await runCompletion(ports, choice, request, (s) => states.push(s), new AbortController().signal);
    expect(states[0]).toEqual({ status: 'loading', model: 'Your newest model (step 40)' });
    expect(states.filter((s) => s.status === 'generating').map((s) => (s as { text: string }).text)).toEqual([
      '',
      'T',
      'To',
      'Tok',
      'Toke',
      'Token',
    ]);
    expect(last).toEqual({
      status: 'done',
      text: 'Token',
      bytes: 5,
      stop: 'length',
      ended: false,
      seconds: 0.25,
      backend: 'wasm',
      sampled: false,
    });
    expect(calls).toEqual([{ artifactHash: h(1), maxNewBytes: 5 }]);
    expect(tryStatusText(last)).toBe('Done: 5 bytes in 0.3 s on wasm (greedy).');
  });

  it('cancels the worker’s completion: the bytes so far stay', async () => {
    const { ports } = fakePorts('contract Token is ERC20 {');
    const abort = new AbortController();
    const last = await runCompletion(
      ports,
      choice,
      { ...request, maxNewBytes: 100 },
      (s) => s.status === 'generating' && s.bytes === 3 && abort.abort(),
      abort.signal,
    );
    expect(last.status).toBe('cancelled');
    expect(last).toMatchObject({ text: 'con' });
    expect(tryStatusText(last)).toMatch(/^Stopped after 3 bytes\.$/);
  });

  it('cancels while the model is still loading', async () => {
    const { ports, calls } = fakePorts('x', { slowLoad: true });
    const abort = new AbortController();
    const run = runCompletion(ports, choice, request, () => undefined, abort.signal);
    abort.abort();
    expect(await run).toEqual({ status: 'cancelled', text: '', bytes: 0 });
    expect(calls).toEqual([]);
  });

  it('fails with the error’s sentence', async () => {
    const { ports } = fakePorts('x', {
      fail: new GenerateError(
        'generation completes bytes: it needs a next-token model over 256 tokens, "m" has classes',
      ),
    });
    const last = await runCompletion(ports, choice, request, () => undefined, new AbortController().signal);
    expect(tryStatusText(last)).toBe(
      'Could not complete the prompt: generation completes bytes: it needs a next-token model over 256 tokens, "m" has classes',
    );
    const { ports: gone } = fakePorts('x', {
      loadFails: new GenerateError('the model is no longer stored on this device'),
    });
    expect(await runCompletion(gone, choice, request, () => undefined, new AbortController().signal)).toEqual({
      status: 'failed',
      text: '',
      error: 'the model is no longer stored on this device',
    });
  });
});
