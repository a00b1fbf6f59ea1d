// The disclosure manifest (docs/transcript.md section 10): canonical encoding, clear refusals of
// malformed manifests, and checkDisclosure naming each way a manifest disagrees with the chain.
import type { Address, Hex } from 'viem';
import { describe, expect, test } from 'vitest';
import { SEEDED_START, continuedTranscript, seededTranscript } from '../../../../src/lib/chain/transcript-commit.ts';
import { sha256Hex } from '../../../../src/lib/ml/hash.ts';
import { generateKey, keyToJson } from '../../../../src/lib/ml/watermark/key.ts';
import { keyCommit } from '../../../../src/lib/ml/watermark/commit.ts';
import { fieldToBytes32 } from '../../../../src/lib/ml/watermark/field.ts';
import { Rng } from '../../../../src/lib/ml/rng.ts';
import {
  buildDisclosure,
  canonicalJson,
  checkDisclosure,
  disclosedKey,
  encodeDisclosure,
  parseDisclosure,
  type TranscriptDisclosure,
} from '../../../../src/lib/ml/transcript/disclosure.ts';
import { TranscriptError } from '../../../../src/lib/ml/transcript/errors.ts';
import { merkleRoot } from '../../../../src/lib/ml/transcript/merkle.ts';
import type { TranscriptMeta } from '../../../../src/lib/ml/transcript/store.ts';

const TRAINER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' as Address;
const seededRng = (name: string) => {
  const rng = Rng.seeded('disclosure-test', name);
  return (b: Uint8Array) => {
    for (let i = 0; i < b.length; i++) b[i] = rng.nextU32() & 0xff;
  };
};
const KEY = generateKey(64, 128, seededRng('key'));
const OTHER_KEY = generateKey(64, 128, seededRng('other'));
const KEY_COMMIT = fieldToBytes32(keyCommit(KEY));

const leafAt = async (i: number): Promise<Hex> => `0x${await sha256Hex(new TextEncoder().encode(`state ${i}`))}`;

async function meta(K = 3, start: TranscriptMeta['start'] = { kind: 'seeded' }): Promise<TranscriptMeta> {
  const leaves = await Promise.all(Array.from({ length: K + 1 }, (_, i) => leafAt(i)));
  if (start.kind === 'continued') leaves[0] = start.leaf;
  return {
    format: 'aiarena-transcript',
    version: 1,
    id: 't-1',
    specHash: 'ab'.repeat(32),
    chainId: '31337',
    task: '7',
    trainer: TRAINER,
    settings: { interval: 10, mantissaBits: 8, tolerance: 3e-4, outlierShare: 0.0025, outlierTolerance: 1e-2 },
    segments: K,
    start,
    leaves,
    root: merkleRoot(leaves),
    backend: 'wasm',
    createdAt: 1,
    updatedAt: 2,
  };
}

const reencode = (d: unknown) => new TextEncoder().encode(canonicalJson(d));
const errorOf = (f: () => unknown): TranscriptError => {
  try {
    f();
  } catch (e) {
    return e as TranscriptError;
  }
  throw new Error('did not throw');
};

describe('buildDisclosure and the encoding', () => {
  test('round-trips canonically; the key is the key file encoding and commits to keyCommit', async () => {
    const m = await meta();
    const d = buildDisclosure(m, KEY);
    const bytes = encodeDisclosure(d);
    const text = new TextDecoder().decode(bytes);
    expect(text).not.toMatch(/\s/);
    expect(text.startsWith('{"chainId":"31337","format":"aiarena-transcript-disclosure","leaves":["0x')).toBe(true);
    expect(parseDisclosure(bytes)).toEqual(d);
    expect(encodeDisclosure(parseDisclosure(bytes))).toEqual(bytes);
    expect(d.trainer).toBe(TRAINER.toLowerCase());
    expect(d.specHash).toBe(`0x${'ab'.repeat(32)}`);
    expect(d.trajRoot).toBe(m.root);
    expect(d.leaves).toEqual(m.leaves);
    const file = JSON.parse(keyToJson(KEY)) as { x: string; salt: string };
    expect(d.watermark).toEqual({ T: 64, N: 128, key: file.x, salt: file.salt });
    const back = disclosedKey(d.watermark);
    expect(back.bits).toEqual(KEY.bits);
    expect(back.salt).toBe(KEY.salt);
  });

  test("lists the states' roots only when some state is larger than one chunk", async () => {
    const m = await meta();
    expect(buildDisclosure(m, KEY, m.leaves).roots).toBeUndefined();
    const roots = m.leaves.map((l, i) => (i === 2 ? (`0x${'ab'.repeat(32)}` as Hex) : l));
    const d = buildDisclosure(m, KEY, roots);
    expect(d.roots).toEqual(roots);
    expect(parseDisclosure(encodeDisclosure(d)).roots).toEqual(roots);
  });

  test('refuses a transcript that is not finished', async () => {
    const m = await meta();
    const unfinished = { ...m, leaves: m.leaves.slice(0, 2) };
    delete unfinished.root;
    const e = errorOf(() => buildDisclosure(unfinished, KEY));
    expect(e).toBeInstanceOf(TranscriptError);
    expect(e.code).toBe('disclosure');
    expect(e.message).toContain('2 of 4 states stored');
  });
});

describe('parseDisclosure refuses malformed manifests with a clear message', () => {
  const cases: [string, (d: Record<string, unknown>) => unknown, RegExp][] = [
    ['another format', (d) => ({ ...d, format: 'x' }), /format is "x"/],
    ['another version', (d) => ({ ...d, version: 2 }), /version 2 is not supported/],
    ['a missing field', ({ leaves: _, ...d }) => d, /lacks leaves/],
    ['an unknown field', (d) => ({ ...d, extra: 1 }), /unknown field\(s\) extra/],
    ['a numeric chain id', (d) => ({ ...d, chainId: 31337 }), /chainId must be a uint256 as a decimal string/],
    ['a leading zero in task', (d) => ({ ...d, task: '07' }), /task must be a uint256/],
    ['a checksummed trainer', (d) => ({ ...d, trainer: TRAINER }), /trainer must be a lowercase/],
    ['a short root', (d) => ({ ...d, trajRoot: '0x12' }), /trajRoot must be a lowercase 0x-prefixed bytes32/],
    ['zero segments', (d) => ({ ...d, segments: 0 }), /segments must be an integer in 1\.\./],
    ['leaves for another K', (d) => ({ ...d, segments: 4 }), /has 4 leaves for 4 segments/],
    ['a bad leaf', (d) => ({ ...d, leaves: [...(d.leaves as Hex[]).slice(0, 3), 'zz'] }), /leaves\[3\] must be/],
    ['an unknown start', (d) => ({ ...d, start: { kind: 'borrowed' } }), /start.kind must be "seeded" or "continued"/],
    [
      'a continued start without its leaf',
      (d) => ({ ...d, start: { kind: 'continued', root: d.trajRoot, segments: 2 } }),
      /start lacks leaf/,
    ],
    [
      'a tolerance of a whole grid step',
      (d) => ({ ...d, settings: { ...(d.settings as object), tolerance: 2 ** -8 } }),
      /settings.tolerance must be in \[0, 2\^-8\)/,
    ],
    [
      'no outlier budget in the settings',
      (d) => ({ ...d, settings: { interval: 10, mantissaBits: 8, tolerance: 3e-4 } }),
      /settings lacks outlierShare/,
    ],
    [
      'an outlier share above the limit',
      (d) => ({ ...d, settings: { ...(d.settings as object), outlierShare: 0.5 } }),
      /settings.outlierShare must be in \[0, 0.01\]/,
    ],
    [
      'an outlier tolerance below the tolerance',
      (d) => ({ ...d, settings: { ...(d.settings as object), outlierTolerance: 1e-5 } }),
      /settings.outlierTolerance must be in \[tolerance, 1\]/,
    ],
    [
      'a short key',
      (d) => ({ ...d, watermark: { ...(d.watermark as object), key: 'ab' } }),
      /watermark.key must be 2048 lowercase hex digits/,
    ],
    [
      'roots of another length',
      (d) => ({ ...d, roots: [`0x${'11'.repeat(32)}`] }),
      /roots must be an array of 4 roots/,
    ],
    [
      'roots equal to the leaves',
      (d) => ({ ...d, roots: d.leaves }),
      /roots must be left out when every state is one chunk/,
    ],
    [
      'a bad root',
      (d) => ({ ...d, roots: [...(d.leaves as Hex[]).slice(0, 3), '0x12'] }),
      /roots\[3\] must be a lowercase 0x-prefixed bytes32/,
    ],
    [
      'a salt outside the field',
      (d) => ({ ...d, watermark: { ...(d.watermark as object), salt: `0x${'ff'.repeat(32)}` } }),
      /watermark.salt must be a field element/,
    ],
  ];
  test.each(cases)('%s', async (_, change, message) => {
    const d = buildDisclosure(await meta(), KEY) as unknown as Record<string, unknown>;
    const e = errorOf(() => parseDisclosure(reencode(change(d))));
    expect(e).toBeInstanceOf(TranscriptError);
    expect(e.code).toBe('disclosure');
    expect(e.message).toMatch(/^disclosure manifest: /);
    expect(e.message).toMatch(message);
  });

  test('not UTF-8, not JSON, not canonical', async () => {
    expect(errorOf(() => parseDisclosure(new Uint8Array([0xff, 0xfe]))).message).toMatch(/not UTF-8/);
    expect(errorOf(() => parseDisclosure(new TextEncoder().encode('{"a":'))).message).toMatch(/not JSON/);
    expect(errorOf(() => parseDisclosure(new TextEncoder().encode('[1]'))).message).toMatch(/must be a JSON object/);
    const d = buildDisclosure(await meta(), KEY);
    const spaced = new TextEncoder().encode(JSON.stringify(d, null, 1));
    expect(errorOf(() => parseDisclosure(spaced)).message).toMatch(/not in canonical form/);
  });
});

describe('checkDisclosure', () => {
  const expectation = (d: TranscriptDisclosure) => ({
    commitment: seededTranscript(d.trajRoot, d.segments),
    chainId: 31337n,
    task: 7n,
    trainer: TRAINER,
    keyCommit: KEY_COMMIT,
    specHash: `0x${'AB'.repeat(32)}` as Hex,
  });

  test('an honest manifest has no problem', async () => {
    const d = buildDisclosure(await meta(), KEY);
    expect(checkDisclosure(d, expectation(d))).toEqual([]);
  });

  test('finds each mismatch', async () => {
    const d = buildDisclosure(await meta(), KEY);
    const ok = expectation(d);
    const codes = (d2: TranscriptDisclosure, e = ok) => checkDisclosure(d2, e).map((p) => p.code);
    expect(codes(d, { ...ok, chainId: 1n })).toEqual(['identity']);
    expect(codes(d, { ...ok, task: 8n })).toEqual(['identity']);
    expect(codes(d, { ...ok, trainer: '0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc' })).toEqual(['identity']);
    expect(codes(d, { ...ok, specHash: `0x${'cd'.repeat(32)}` })).toEqual(['spec']);
    expect(codes(d, { ...ok, commitment: seededTranscript(d.trajRoot, 4) })).toEqual(['segments']);
    expect(codes(d, { ...ok, commitment: seededTranscript(`0x${'11'.repeat(32)}`, 3) })).toEqual(['root']);
    // A leaf changed after the root was computed: the stated root no longer covers the leaves.
    const swapped = { ...d, leaves: [d.leaves[1]!, d.leaves[0]!, ...d.leaves.slice(2)] };
    const p = checkDisclosure(swapped, ok);
    expect(p.map((x) => x.code)).toEqual(['root']);
    expect(p[0]!.message).toContain("its leaves' Merkle root is");
    expect(codes(d, { ...ok, commitment: continuedTranscript(d.trajRoot, 3, `0x${'22'.repeat(32)}`, 5) })).toEqual([
      'start',
    ]);
    const wrongKey = buildDisclosure(await meta(), OTHER_KEY);
    const k = checkDisclosure(wrongKey, ok);
    expect(k.map((x) => x.code)).toEqual(['key']);
    expect(k[0]!.message).toContain(KEY_COMMIT);
  });

  test('a continued start must match the seal and its leaf 0', async () => {
    const from = { root: `0x${'33'.repeat(32)}` as Hex, segments: 5, leaf: await leafAt(99) };
    const d = buildDisclosure(await meta(3, { kind: 'continued', from: 'earlier', ...from }), KEY);
    expect(d.start).toEqual({ kind: 'continued', ...from });
    const ok = { ...expectation(d), commitment: continuedTranscript(d.trajRoot, 3, from.root, from.segments) };
    expect(checkDisclosure(d, ok)).toEqual([]);
    expect(checkDisclosure(d, { ...ok, commitment: seededTranscript(d.trajRoot, 3) }).map((p) => p.code)).toEqual([
      'start',
    ]);
    expect(
      checkDisclosure(d, { ...ok, commitment: continuedTranscript(d.trajRoot, 3, from.root, 4) }).map((p) => p.code),
    ).toEqual(['start']);
    const otherLeaf0 = { ...d, leaves: [await leafAt(0), ...d.leaves.slice(1)] };
    const codes = checkDisclosure(otherLeaf0, ok).map((p) => p.code);
    expect(codes).toContain('start');
    expect(SEEDED_START).not.toBe(from.root);
  });
});
