// Disclosing a transcript through the store port and opening it again (src/lib/agents/disclosure.ts):
// states first and the manifest last, every state checked against its leaf on both sides.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Address, Hex } from 'viem';
import { afterAll, describe, expect, test } from 'vitest';
import { openDisclosure, uploadDisclosure, type DisclosureProgress } from '../../../src/lib/agents/disclosure.ts';
import { cidFromDigest } from '../../../src/lib/ml/artifact/cid.ts';
import { CHUNK_BYTES } from '../../../src/lib/storage/unixfs/settings.ts';
import { fileCid } from '../../../src/lib/storage/unixfs/dag.ts';
import { rootOfCid, type ContentRef } from '../../../src/lib/storage/unixfs/ref.ts';
import { sha256Hex } from '../../../src/lib/ml/hash.ts';
import { TranscriptError } from '../../../src/lib/ml/transcript/errors.ts';
import { merkleRoot } from '../../../src/lib/ml/transcript/merkle.ts';
import type { TranscriptMeta, TranscriptStore } from '../../../src/lib/ml/transcript/store.ts';
import { generateKey } from '../../../src/lib/ml/watermark/key.ts';
import { openTranscriptDir } from '../../../src/lib/storage/transcripts-fs.ts';
import { FakeStore } from './support/fakes.ts';
import { pseudoRandomBytes } from '../storage/support/bytes.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const KEY = generateKey(64, 128, (b) => b.fill(7));
const K = 3;
const smallState = (i: number) => new TextEncoder().encode(`state ${i} `.repeat(100 + i));
/** States over one chunk: UnixFS DAGs whose roots the manifest must list. */
const bigStates = [0, 1, 2, 3].map((i) => pseudoRandomBytes(CHUNK_BYTES + 4096 * (i + 1), i + 1));
const bigState = (i: number) => bigStates[i]!;
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));
let stateBytes = smallState;

/** A finished transcript of K arbitrary states in an on-disk store (the store does not read states). */
async function stored(): Promise<{ dir: string; store: TranscriptStore; meta: TranscriptMeta }> {
  const dir = mkdtempSync(join(tmpdir(), 'aiarena-disclosure-'));
  dirs.push(dir);
  const store = await openTranscriptDir(dir);
  const leaves: Hex[] = [];
  let meta!: TranscriptMeta;
  for (let i = 0; i <= K; i++) {
    leaves.push(`0x${await sha256Hex(stateBytes(i))}`);
    meta = {
      format: 'aiarena-transcript',
      version: 1,
      id: 'run-1',
      specHash: 'cd'.repeat(32),
      chainId: '31337',
      task: '1',
      trainer: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8' as Address,
      settings: { interval: 10, mantissaBits: 8, tolerance: 3e-4, outlierShare: 0.0025, outlierTolerance: 1e-2 },
      segments: K,
      start: { kind: 'seeded' },
      leaves: [...leaves],
      ...(i === K ? { root: merkleRoot(leaves) } : {}),
      backend: 'wasm',
      createdAt: 1,
      updatedAt: 1,
    };
    await store.save(meta, i, stateBytes(i));
  }
  return { dir, store, meta };
}

describe('uploadDisclosure / openDisclosure', () => {
  test('uploads every state then the manifest; a validator opens it and gets the states by their leaves', async () => {
    const { store: transcripts, meta } = await stored();
    const cas = new FakeStore();
    const progress: DisclosureProgress[] = [];
    const order: string[] = [];
    const upload = cas.upload.bind(cas);
    cas.upload = async (b) => {
      const cid = await upload(b);
      order.push(cid);
      return cid;
    };
    const { manifest, bytes } = await uploadDisclosure(cas, transcripts, 'run-1', KEY, {
      onProgress: (p) => progress.push(p),
    });
    const stateTotal = [0, 1, 2, 3].reduce((s, i) => s + stateBytes(i).length, 0);
    expect(order).toEqual([...meta.leaves.map((l) => cidFromDigest(l)), cidFromDigest(manifest)]);
    expect(JSON.parse(new TextDecoder().decode(cas.blobs.get(cidFromDigest(manifest))!))).not.toHaveProperty('roots');
    expect(progress.map((p) => p.done)).toEqual([1, 2, 3, 4, 5]);
    expect(progress.at(-1)!.total).toBe(5);
    expect(bytes).toBe(stateTotal + cas.blobs.get(cidFromDigest(manifest))!.length);
    expect(manifest).toBe(`0x${await sha256Hex(cas.blobs.get(cidFromDigest(manifest))!)}`);

    const opened = await openDisclosure(cas, manifest);
    expect(opened.disclosure.trajRoot).toBe(meta.root);
    expect(opened.disclosure.leaves).toEqual(meta.leaves);
    for (let i = 0; i <= K; i++) expect(await opened.state(i)).toEqual(stateBytes(i));
    expect(
      merkleRoot(
        await Promise.all(
          opened.disclosure.leaves.map(async (_, i) => `0x${await sha256Hex(await opened.state(i))}` as Hex),
        ),
      ),
    ).toBe(meta.root);
    await expect(opened.state(K + 1)).rejects.toThrow(/state index must be in 0\.\.3, got 4/);
  });

  test('states over one chunk are uploaded as DAGs and found again by the roots the manifest lists', async () => {
    stateBytes = bigState;
    try {
      const { store: transcripts, meta } = await stored();
      const cas = new FakeStore();
      const { manifest } = await uploadDisclosure(cas, transcripts, 'run-1', KEY);
      const roots = await Promise.all([0, 1, 2, 3].map(async (i) => rootOfCid(await fileCid(bigState(i)))));
      expect(roots.every((r, i) => r !== meta.leaves[i])).toBe(true);
      const opened = await openDisclosure(cas, manifest);
      expect(opened.disclosure.roots).toEqual(roots);
      // Compared as buffers: vitest's deep equality walks megabytes element by element.
      for (let i = 0; i <= K; i++) expect(same(await opened.state(i), bigState(i))).toBe(true);
      // By the leaf alone (a raw CID) the store has nothing: the root is what finds a big state.
      await expect(cas.fetchVerified({ hash: meta.leaves[1]! })).rejects.toThrow(/no gateway has/);
    } finally {
      stateBytes = smallState;
    }
  });

  test('a tampered state is refused by its leaf', async () => {
    const { store: transcripts, meta } = await stored();
    const cas = new FakeStore();
    const { manifest } = await uploadDisclosure(cas, transcripts, 'run-1', KEY);
    // A store port that does not check what it serves (the real one does): the leaf still catches it.
    const lax = {
      upload: (b: Uint8Array) => cas.upload(b),
      fetchVerified: async (ref: ContentRef) => (ref.hash === meta.leaves[2] ? stateBytes(9) : cas.fetchVerified(ref)),
    };
    const opened = await openDisclosure(lax, manifest);
    expect(await opened.state(1)).toEqual(stateBytes(1));
    const e = await opened.state(2).then(
      () => null,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(TranscriptError);
    expect((e as TranscriptError).code).toBe('disclosure');
    expect((e as TranscriptError).message).toContain(`not its leaf ${meta.leaves[2]}`);
    // And a manifest that is not the posted digest's.
    const wrong = { ...lax, fetchVerified: async () => new TextEncoder().encode('{}') };
    await expect(openDisclosure(wrong, manifest)).rejects.toThrow(/the manifest fetched for 0x[0-9a-f]{64} hashes to/);
  });

  test('refuses to disclose when a state is missing or changed on disk, before uploading the manifest', async () => {
    const { dir, store: transcripts, meta } = await stored();
    writeFileSync(join(dir, 'run-1', 'state-2.bin'), stateBytes(8));
    const cas = new FakeStore();
    await expect(uploadDisclosure(cas, transcripts, 'run-1', KEY)).rejects.toThrow(
      `state 2 of transcript run-1 no longer matches its leaf ${meta.leaves[2]}`,
    );
    expect(cas.uploads).toBe(2);
    rmSync(join(dir, 'run-1', 'state-2.bin'));
    await expect(uploadDisclosure(cas, transcripts, 'run-1', KEY)).rejects.toThrow(
      'state 2 of transcript run-1 is missing',
    );
    await expect(uploadDisclosure(cas, transcripts, 'nope', KEY)).rejects.toThrow(
      "transcript nope is not in this device's transcript store",
    );
  });
});
