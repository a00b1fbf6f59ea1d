// The Train page's "try the model" box for a language-model task: which models can be tried (the
// trainer's own newest, and every model revealed in the task), the form (prompt, length, greedy or
// sampled), and one completion run over ports: the model's bytes from this device or from the
// artifact store (CID-checked), the completion from the eval worker, streamed into text as bytes
// arrive. Nothing here runs a model: the worker does (src/lib/ml/generate/service.ts).
import type { Address, Hex } from 'viem';
import type { GenerateEvents, GenerateJob, GenerateOutcome } from '../ml/generate/service.ts';
import { shortHex } from '../format.ts';
import { errorSentence } from './errors.ts';

/** Where a model to try comes from. */
export type ModelSource =
  | { kind: 'own'; artifactHash: Hex; step: number; sealable: boolean }
  | {
      kind: 'revealed';
      artifactHash: Hex;
      /** The UnixFS root its reveal published (absent for one-chunk artifacts of older reveals). */
      artifactRoot: Hex | null;
      trainer: Address;
      submissionId: bigint;
      epoch: number;
    };

export interface ModelChoice {
  /** The artifact hash, lower case: one choice per model. */
  key: string;
  label: string;
  source: ModelSource;
}

export interface RevealedModel {
  epoch: number;
  trainer: Address;
  submissionId: bigint;
  artifactHash: Hex;
  artifactRoot: Hex | null;
}

/**
 * The models that can be tried: this trainer's newest model on this device first, then every
 * model revealed in the task, newest first; a model revealed twice (resubmitted) is listed once.
 */
export function modelChoices(
  own: { artifactHash: Hex; step: number; sealable: boolean } | null,
  revealed: readonly RevealedModel[],
  me: Address | null,
): ModelChoice[] {
  const out: ModelChoice[] = [];
  const seen = new Set<string>();
  if (own) {
    const key = own.artifactHash.toLowerCase();
    seen.add(key);
    out.push({
      key,
      label: `Your newest model (step ${own.step}${own.sealable ? '' : ', not sealable yet'})`,
      source: { kind: 'own', ...own },
    });
  }
  const newest = [...revealed].sort((a, b) => b.epoch - a.epoch || Number(b.submissionId - a.submissionId));
  for (const r of newest) {
    const key = r.artifactHash.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    const whose = me !== null && r.trainer.toLowerCase() === me.toLowerCase() ? 'yours' : shortHex(r.trainer, 4);
    out.push({
      key,
      label: `Epoch ${r.epoch}, submission #${r.submissionId} (${whose}), revealed`,
      source: { kind: 'revealed', ...r },
    });
  }
  return out;
}

export interface TryForm {
  prompt: string;
  /** Bytes to generate. */
  length: string;
  mode: 'greedy' | 'sampled';
  temperature: string;
  /** Empty: every byte may be drawn. */
  topK: string;
  seed: string;
  /** Stop at the corpus's end-of-file byte (0). */
  stopAtEnd: boolean;
}

export const TRY_DEFAULTS: TryForm = {
  prompt: 'pragma solidity ^0.8.20;\n\ncontract ',
  length: '200',
  mode: 'greedy',
  temperature: '0.8',
  topK: '',
  seed: '1',
  stopAtEnd: true,
};

/** Longest completion the box asks for (a byte is one forward pass: seconds per hundred bytes on wasm). */
export const MAX_TRY_BYTES = 2000;
/** Longest prompt (the model reads only its last context-length bytes of it). */
export const MAX_PROMPT_BYTES = 4096;
/** The corpus's end-of-file byte (docs/ml.md section 2: every file is followed by 0x00). */
export const END_OF_FILE = 0;

export interface TryRequest {
  prompt: Uint8Array;
  maxNewBytes: number;
  temperature: number;
  topK?: number;
  seed?: string;
  stopByte?: number;
}

export type TryField = 'prompt' | 'length' | 'temperature' | 'topK' | 'seed';

/** The form as a completion request, or what is wrong with each field. */
export function checkTryForm(
  f: TryForm,
): { request: TryRequest; errors: null } | { request: null; errors: Partial<Record<TryField, string>> } {
  const errors: Partial<Record<TryField, string>> = {};
  const prompt = new TextEncoder().encode(f.prompt);
  if (prompt.length > MAX_PROMPT_BYTES)
    errors.prompt = `The prompt is ${prompt.length.toLocaleString('en-US')} bytes; at most ${MAX_PROMPT_BYTES.toLocaleString('en-US')} (the model reads only its last bytes anyway).`;
  const length = Number(f.length.trim());
  if (f.length.trim() === '' || !Number.isInteger(length) || length < 1 || length > MAX_TRY_BYTES)
    errors.length = `Bytes to generate: a whole number from 1 to ${MAX_TRY_BYTES.toLocaleString('en-US')}.`;
  let temperature = 0;
  let topK: number | undefined;
  const seed = f.seed.trim();
  if (f.mode === 'sampled') {
    temperature = Number(f.temperature.trim());
    if (f.temperature.trim() === '' || !Number.isFinite(temperature) || temperature <= 0 || temperature > 10)
      errors.temperature = 'Temperature: a number above 0 and at most 10 (lower is more predictable).';
    if (f.topK.trim() !== '') {
      topK = Number(f.topK.trim());
      if (!Number.isInteger(topK) || topK < 1 || topK > 256)
        errors.topK = 'Top k: a whole number from 1 to 256, or empty to draw from every byte.';
    }
    if (seed.length > 64) errors.seed = 'Seed: at most 64 characters.';
  }
  if (Object.keys(errors).length > 0) return { request: null, errors };
  return {
    request: {
      prompt,
      maxNewBytes: length,
      temperature,
      ...(topK !== undefined ? { topK } : {}),
      ...(f.mode === 'sampled' ? { seed } : {}),
      ...(f.stopAtEnd ? { stopByte: END_OF_FILE } : {}),
    },
    errors: null,
  };
}

/**
 * Generated bytes as text while they arrive: UTF-8 decoded in stream mode (a character split
 * across bytes appears once whole; bytes that are not UTF-8 show as U+FFFD), the end-of-file byte
 * ending the text rather than showing as a control character.
 */
export class CompletionText {
  readonly #decoder = new TextDecoder('utf-8');
  #text = '';
  #bytes = 0;
  #ended = false;

  push(byte: number): void {
    this.#bytes += 1;
    if (this.#ended) return;
    if (byte === END_OF_FILE) {
      this.#text += this.#decoder.decode();
      this.#ended = true;
      return;
    }
    this.#text += this.#decoder.decode(Uint8Array.of(byte), { stream: true });
  }

  /** Flushes a character left incomplete (shown as U+FFFD). */
  finish(): void {
    if (!this.#ended) this.#text += this.#decoder.decode();
  }

  get text(): string {
    return this.#text;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** The model wrote the end-of-file byte. */
  get ended(): boolean {
    return this.#ended;
  }
}

export type TryState =
  | { status: 'idle' }
  | { status: 'loading'; model: string }
  | { status: 'generating'; text: string; bytes: number }
  | {
      status: 'done';
      text: string;
      bytes: number;
      stop: GenerateOutcome['stop'];
      ended: boolean;
      seconds: number;
      backend: string;
      sampled: boolean;
    }
  | { status: 'cancelled'; text: string; bytes: number }
  | { status: 'failed'; text: string; error: string };

/** What a completion run needs from the page: the model's bytes, and the worker. */
export interface TryPorts {
  /** The artifact of `source`: from this device (the trainer's own), else fetched and CID-checked. */
  artifact(source: ModelSource, signal: AbortSignal): Promise<Uint8Array>;
  generate(
    job: Omit<GenerateJob, 'specBytes'> & { artifactHash: Hex },
    events: GenerateEvents,
  ): Promise<GenerateOutcome>;
  /** Stops the worker's completion before its next byte. */
  cancel(): Promise<void>;
}

/**
 * One completion: loads the model, asks the worker, reports the text as bytes arrive. Resolves
 * with the last state (never rejects: a failure is a 'failed' state with its sentence). Aborting
 * `signal` cancels the fetch, or the worker's completion, which then ends with what it has.
 */
export async function runCompletion(
  ports: TryPorts,
  choice: ModelChoice,
  request: TryRequest,
  onState: (s: TryState) => void,
  signal: AbortSignal,
): Promise<TryState> {
  const text = new CompletionText();
  const report = (s: TryState): TryState => {
    onState(s);
    return s;
  };
  try {
    report({ status: 'loading', model: choice.label });
    const artifact = await ports.artifact(choice.source, signal);
    if (signal.aborted) return report({ status: 'cancelled', text: '', bytes: 0 });
    const onAbort = () => void ports.cancel().catch(() => undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    report({ status: 'generating', text: '', bytes: 0 });
    let out: GenerateOutcome;
    try {
      out = await ports.generate(
        { artifact, artifactHash: choice.source.artifactHash, ...request },
        {
          onByte: (byte) => {
            text.push(byte);
            report({ status: 'generating', text: text.text, bytes: text.bytes });
          },
        },
      );
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    // The outcome holds every byte: bytes reported after the call settled were dropped.
    const all = new CompletionText();
    for (const b of out.bytes) all.push(b);
    all.finish();
    if (out.stop === 'aborted') return report({ status: 'cancelled', text: all.text, bytes: all.bytes });
    return report({
      status: 'done',
      text: all.text,
      bytes: all.bytes,
      stop: out.stop,
      ended: all.ended,
      seconds: out.seconds,
      backend: out.backend,
      sampled: request.temperature > 0,
    });
  } catch (e) {
    if (signal.aborted) return report({ status: 'cancelled', text: text.text, bytes: text.bytes });
    return report({ status: 'failed', text: text.text, error: errorSentence(e) });
  }
}

/** The line under the completion. */
export function tryStatusText(s: TryState): string {
  switch (s.status) {
    case 'idle':
      return '';
    case 'loading':
      return `Loading ${s.model}…`;
    case 'generating':
      return `Generating in the worker… ${s.bytes} ${s.bytes === 1 ? 'byte' : 'bytes'}`;
    case 'done': {
      const how = s.sampled ? 'sampled' : 'greedy';
      const why = s.ended ? ', ending the file' : '';
      return `Done: ${s.bytes} ${s.bytes === 1 ? 'byte' : 'bytes'} in ${s.seconds.toFixed(1)} s on ${s.backend} (${how})${why}.`;
    }
    case 'cancelled':
      return `Stopped after ${s.bytes} ${s.bytes === 1 ? 'byte' : 'bytes'}.`;
    case 'failed':
      return `Could not complete the prompt: ${s.error}`;
  }
}
