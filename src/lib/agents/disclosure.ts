// Disclosing a transcript through the artifact store (SPEC 7 step 2, 8.4) and opening one: the
// accused trainer uploads every state, then the manifest (docs/transcript.md section 10); a
// validator fetches the manifest by the digest posted on chain (one chunk: its raw CID) and each
// state by its leaf and, for states over one chunk, the root the manifest lists. States go first
// so that once the manifest is retrievable everything it names is too.
import type { Hex } from 'viem';
import { sha256Hex } from '../ml/hash.ts';
import { fileCid } from '../storage/unixfs/dag.ts';
import { rootOfCid } from '../storage/unixfs/ref.ts';
// The modules, not the transcript index: that one loads the training program (tfjs).
import {
  MAX_DISCLOSURE_BYTES,
  buildDisclosure,
  encodeDisclosure,
  parseDisclosure,
  type TranscriptDisclosure,
} from '../ml/transcript/disclosure.ts';
import { TranscriptError } from '../ml/transcript/errors.ts';
import type { TranscriptStore } from '../ml/transcript/store.ts';
import type { WatermarkKey } from '../ml/watermark/types.ts';
import { PortError, type StorePort } from './ports.ts';

export interface DisclosureProgress {
  /** Blobs uploaded so far (states, then the manifest) of `total` (K + 2). */
  done: number;
  total: number;
  bytes: number;
}

/** The largest state a validator fetches: well above any demo spec's state (fashion-mlp's is ~2.7 MiB). */
export const MAX_STATE_BYTES = 64 * 1024 * 1024;

/** Uploads a file and resolves with its root (== its sha256 for one chunk), checked against ours. */
async function put(store: StorePort, bytes: Uint8Array, what: string): Promise<Hex> {
  const [cid, expected] = await Promise.all([store.upload(bytes), fileCid(bytes)]);
  if (cid !== expected)
    throw new PortError('store', 'cid', `the store answered CID ${cid} for ${what}, whose CID is ${expected}`, true);
  return rootOfCid(cid);
}

/**
 * Uploads transcript `id` of `transcripts` (every state, then the manifest with `watermark`) and
 * resolves with the manifest's sha256 (what `discloseTranscript` posts) and the bytes uploaded. A
 * state that is missing or no longer matches its leaf is a TranscriptError 'store': nothing can
 * be disclosed without every state.
 */
export async function uploadDisclosure(
  store: StorePort,
  transcripts: TranscriptStore,
  id: string,
  watermark: WatermarkKey,
  options: { onProgress?(p: DisclosureProgress): void } = {},
): Promise<{ manifest: Hex; bytes: number }> {
  const meta = await transcripts.meta(id);
  if (!meta) throw new TranscriptError('store', `transcript ${id} is not in this device's transcript store`);
  // Checked before any upload: a transcript that cannot be disclosed uploads nothing.
  buildDisclosure(meta, watermark);
  const total = meta.leaves.length + 1;
  const roots: Hex[] = [];
  let bytes = 0;
  for (const [i, leaf] of meta.leaves.entries()) {
    const state = await transcripts.state(id, i);
    if (!state)
      throw new TranscriptError(
        'store',
        `state ${i} of transcript ${id} is missing, so the transcript cannot be disclosed`,
      );
    if (`0x${await sha256Hex(state)}` !== leaf)
      throw new TranscriptError('store', `state ${i} of transcript ${id} no longer matches its leaf ${leaf}`);
    roots.push(await put(store, state, `state ${i}`));
    bytes += state.length;
    options.onProgress?.({ done: i + 1, total, bytes });
  }
  const encoded = encodeDisclosure(buildDisclosure(meta, watermark, roots));
  const manifest = `0x${await sha256Hex(encoded)}` as Hex;
  await put(store, encoded, 'the disclosure manifest');
  bytes += encoded.length;
  options.onProgress?.({ done: total, total, bytes });
  return { manifest, bytes };
}

export interface OpenedDisclosure {
  disclosure: TranscriptDisclosure;
  /** State `i`'s bytes, fetched and checked against leaves[i] (TranscriptError 'disclosure' if not). */
  state(i: number, options?: { signal?: AbortSignal }): Promise<Uint8Array>;
}

/** Fetches and parses the manifest whose sha256 is `manifest`; states are fetched on demand. */
export async function openDisclosure(
  store: StorePort,
  manifest: Hex,
  options: { signal?: AbortSignal; maxStateBytes?: number } = {},
): Promise<OpenedDisclosure> {
  const bytes = await store.fetchVerified(
    { hash: manifest },
    {
      maxBytes: MAX_DISCLOSURE_BYTES,
      ...(options.signal ? { signal: options.signal } : {}),
    },
  );
  // The port checks the CID; checked again here so an in-memory or foreign port cannot slip one in.
  const got = `0x${await sha256Hex(bytes)}`;
  if (got !== manifest.toLowerCase())
    throw new TranscriptError('disclosure', `the manifest fetched for ${manifest} hashes to ${got}`);
  const disclosure = parseDisclosure(bytes);
  const maxBytes = options.maxStateBytes ?? MAX_STATE_BYTES;
  return {
    disclosure,
    async state(i, opts = {}) {
      if (!Number.isSafeInteger(i) || i < 0 || i >= disclosure.leaves.length)
        throw new TranscriptError('disclosure', `state index must be in 0..${disclosure.leaves.length - 1}, got ${i}`);
      const leaf = disclosure.leaves[i]!;
      const signal = opts.signal ?? options.signal;
      const root = disclosure.roots?.[i];
      const state = await store.fetchVerified(
        { hash: leaf, ...(root ? { root } : {}) },
        { maxBytes, ...(signal ? { signal } : {}) },
      );
      const hash = `0x${await sha256Hex(state)}`;
      if (hash !== leaf)
        throw new TranscriptError(
          'disclosure',
          `state ${i} fetched from the store hashes to ${hash}, not its leaf ${leaf}`,
        );
      return state;
    },
  };
}
