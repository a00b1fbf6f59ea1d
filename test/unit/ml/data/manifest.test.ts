import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../../src/lib/ml/hash.ts';
import { IntegrityError } from '../../../../src/lib/ml/integrity.ts';
import {
  decodedShardBytes,
  featureSize,
  intFeatures,
  labelsPerSample,
  labelWidth,
  ManifestError,
  parseManifest,
  parseManifestBytes,
  tokenWidth,
} from '../../../../src/lib/ml/data/manifest.ts';
import { featureManifest, tokenManifest } from './fixtures.ts';

type Json = Record<string, unknown>;
const H = (c: string) => c.repeat(64);
/** The zkey's root CID: a real dag-pb root. */
const BIG_CID = 'bafybeic3k2klkukmmopahfhkukuktt75nraniq3sh3xixqxc2isgg65avi';

function base(): Json {
  return {
    format: 'aiarena-dataset',
    version: 1,
    name: 'fashion-mnist-train',
    license: 'MIT (Zalando Research), via Debian dataset-fashion-mnist',
    features: { shape: [28, 28, 1], dtype: 'uint8', scale: 1 / 255 },
    labels: { classes: 3, names: ['a', 'b', 'c'] },
    samples: 300,
    shards: [
      { sha256: H('a'), samples: 100, bytes: 4000 },
      { sha256: H('b'), samples: 200, bytes: 8000 },
    ],
  };
}

/** A token dataset: the demo's byte sequences of L = 128. */
function tokenBase(): Json {
  const doc = base();
  delete doc.features;
  delete doc.labels;
  return set(doc, 'tokens', { vocab: 256, sequenceLength: 128, separator: 0 });
}

function set(doc: Json, path: string, value: unknown): Json {
  const keys = path.replace(/\[(\d+)\]/g, '.$1').split('.');
  let at: Record<string, unknown> = doc;
  for (const k of keys.slice(0, -1)) at = at[k] as Record<string, unknown>;
  const last = keys[keys.length - 1]!;
  if (value === undefined) delete at[last];
  else at[last] = value;
  return doc;
}

const BAD: [string, () => unknown, string, RegExp][] = [
  ['not an object', () => 'manifest', '', /dataset manifest: must be an object/],
  ['unknown field', () => set(base(), 'placeholder', true), 'placeholder', /unknown field/],
  ['old format id', () => set(base(), 'format', 'aiarena-dataset-manifest/0'), 'format', /"aiarena-dataset"/],
  ['version', () => set(base(), 'version', 0), 'version', /must be 1/],
  ['name', () => set(base(), 'name', '../etc'), 'name', /name matching/],
  ['license missing', () => set(base(), 'license', undefined), 'license', /missing/],
  ['license empty', () => set(base(), 'license', ''), 'license', /1\.\.256/],
  ['features unknown field', () => set(base(), 'features.mean', 0.5), 'features.mean', /unknown field/],
  ['shape dim 0', () => set(base(), 'features.shape[2]', 0), 'features.shape[2]', /1\.\.4096/],
  ['shape rank 4', () => set(base(), 'features.shape', [1, 1, 1, 1]), 'features.shape', /1\.\.3 entries/],
  ['dtype', () => set(base(), 'features.dtype', 'float64'), 'features.dtype', /"uint8", "float32", "int32"/],
  ['uint8 scale 0', () => set(base(), 'features.scale', 0), 'features.scale', /must be a finite number > 0/],
  ['uint8 scale missing', () => set(base(), 'features.scale', undefined), 'features.scale', /missing/],
  [
    'float32 scale 2',
    () => set(set(base(), 'features.dtype', 'float32'), 'features.scale', 2),
    'features.scale',
    /must be 1 for float32/,
  ],
  [
    'int32 scale missing',
    () => set(set(base(), 'features.dtype', 'int32'), 'features.scale', undefined),
    'features.scale',
    /must be 1 for int32/,
  ],
  ['classes 1', () => set(base(), 'labels.classes', 1), 'labels.classes', /2\.\.65536/],
  ['classes 65537', () => set(base(), 'labels.classes', 65537), 'labels.classes', /2\.\.65536/],
  ['names count', () => set(base(), 'labels.names', ['a', 'b']), 'labels.names', /exactly 3 entries, got 2/],
  ['empty name', () => set(base(), 'labels.names[1]', ''), 'labels.names[1]', /1\.\.64/],
  ['samples mismatch', () => set(base(), 'samples', 301), 'samples', /is 301 but the shards hold 300/],
  ['samples 0', () => set(base(), 'samples', 0), 'samples', /integer in 1\.\./],
  ['no shards', () => set(base(), 'shards', []), 'shards', /1\.\.100000 entries/],
  ['shard hash uppercase', () => set(base(), 'shards[0].sha256', H('A')), 'shards[0].sha256', /64 lowercase hex/],
  ['shard hash short', () => set(base(), 'shards[1].sha256', 'abc'), 'shards[1].sha256', /64 lowercase hex/],
  ['shard hash with 0x', () => set(base(), 'shards[1].sha256', `0x${H('b')}`), 'shards[1].sha256', /64 lowercase hex/],
  ['duplicate shard', () => set(base(), 'shards[1].sha256', H('a')), 'shards[1].sha256', /same shard as shards\[0\]/],
  ['shard samples 0', () => set(base(), 'shards[0].samples', 0), 'shards[0].samples', /integer/],
  ['shard bytes tiny', () => set(base(), 'shards[0].bytes', 10), 'shards[0].bytes', /18\.\./],
  ['shard extra field', () => set(base(), 'shards[0].url', 'https://x'), 'shards[0].url', /unknown field/],
  [
    'shard cid on one chunk',
    () => set(base(), 'shards[0].cid', BIG_CID),
    'shards[0].cid',
    /left out for a shard of one chunk/,
  ],
  [
    'shard over a chunk without cid',
    () => set(base(), 'shards[0].bytes', 2_000_000),
    'shards[0].cid',
    /required for a shard of more than 1048576/,
  ],
  [
    'shard cid not a CID',
    () => set(set(base(), 'shards[0].bytes', 2_000_000), 'shards[0].cid', 'bafk'),
    'shards[0].cid',
    /not a CID/,
  ],
  [
    'shard cid raw',
    () =>
      set(
        set(base(), 'shards[0].bytes', 2_000_000),
        'shards[0].cid',
        'bafkreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4yeq',
      ),
    'shards[0].cid',
    /must be a dag-pb root CID/,
  ],
  [
    'shard too big decoded',
    () => set(set(base(), 'shards', [{ sha256: H('a'), samples: 400_000, bytes: 100 }]), 'samples', 400_000),
    'shards[0].samples',
    /shard limit/,
  ],
  ['neither layout', () => set(set(base(), 'features', undefined), 'labels', undefined), 'features', /tokens section/],
  ['labels without features', () => set(base(), 'features', undefined), 'features', /must be an object, got nothing/],
  ['features without labels', () => set(base(), 'labels', undefined), 'labels', /must be an object, got nothing/],
  [
    'tokens with features',
    () => set(tokenBase(), 'features', base().features),
    'features',
    /left out of a token dataset/,
  ],
  ['tokens with labels', () => set(tokenBase(), 'labels', { classes: 256 }), 'labels', /left out of a token dataset/],
  ['tokens not an object', () => set(tokenBase(), 'tokens', 256), 'tokens', /must be an object/],
  ['tokens unknown field', () => set(tokenBase(), 'tokens.stride', 128), 'tokens.stride', /unknown field/],
  ['vocab missing', () => set(tokenBase(), 'tokens.vocab', undefined), 'tokens.vocab', /missing/],
  ['vocab 1', () => set(tokenBase(), 'tokens.vocab', 1), 'tokens.vocab', /2\.\.65536/],
  ['vocab 65537', () => set(tokenBase(), 'tokens.vocab', 65537), 'tokens.vocab', /2\.\.65536/],
  [
    'sequenceLength 0',
    () => set(tokenBase(), 'tokens.sequenceLength', 0),
    'tokens.sequenceLength',
    /integer in 1\.\.4096/,
  ],
  [
    'sequenceLength fractional',
    () => set(tokenBase(), 'tokens.sequenceLength', 12.5),
    'tokens.sequenceLength',
    /integer in 1\.\.4096/,
  ],
  ['separator = vocab', () => set(tokenBase(), 'tokens.separator', 256), 'tokens.separator', /integer in 0\.\.255/],
  ['separator missing', () => set(tokenBase(), 'tokens.separator', undefined), 'tokens.separator', /missing/],
  [
    'token shard too big decoded',
    // 300,000 sequences of 128 fit 256 MiB stored (38.7 MB) but not as int32 inputs + targets.
    () => set(set(tokenBase(), 'shards', [{ sha256: H('a'), samples: 300_000, bytes: 100 }]), 'samples', 300_000),
    'shards[0].samples',
    /decode to 307200000 bytes, more than the 268435456-byte shard limit/,
  ],
];

describe('parseManifest', () => {
  it.each(BAD)('rejects: %s', (_what, doc, field, message) => {
    let error: unknown;
    try {
      parseManifest(doc());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ManifestError);
    expect((error as ManifestError).field).toBe(field);
    expect((error as ManifestError).message).toMatch(message);
  });

  it('accepts a valid manifest as a fresh copy', () => {
    const doc = base();
    const m = parseManifest(doc);
    expect(m).toEqual(doc);
    expect(m.shards).not.toBe(doc.shards);
    const noNames = featureManifest(parseManifest(set(base(), 'labels.names', undefined)));
    expect('names' in noNames.labels).toBe(false);
    const ids = featureManifest(
      parseManifest(
        set(set(base(), 'features', { shape: [16], dtype: 'int32', scale: 1 }), 'labels', { classes: 300 }),
      ),
    );
    expect(ids.features.scale).toBe(1);
    const big = parseManifest(set(set(base(), 'shards[0].bytes', 2_000_000), 'shards[0].cid', BIG_CID));
    expect(big.shards[0]).toMatchObject({ bytes: 2_000_000, cid: BIG_CID });
  });

  it('accepts a token dataset and keeps only its tokens section', () => {
    const doc = tokenBase();
    const m = tokenManifest(parseManifest(doc));
    expect(m).toEqual(doc);
    expect(Object.keys(m)).toEqual(['format', 'version', 'name', 'license', 'tokens', 'samples', 'shards']);
    expect(m.tokens).toEqual({ vocab: 256, sequenceLength: 128, separator: 0 });
    expect(m.tokens).not.toBe(doc.tokens);
    expect(tokenManifest(parseManifest(set(tokenBase(), 'tokens.vocab', 65536))).tokens.vocab).toBe(65536);
  });

  it('knows the decoded shard layout sizes', () => {
    expect(labelWidth(256)).toBe(1);
    expect(labelWidth(257)).toBe(2);
    expect(
      decodedShardBytes(
        { features: { shape: [28, 28, 1], dtype: 'uint8', scale: 1 }, labels: { classes: 10 } },
        10_000,
      ),
    ).toBe(20 + 10_000 * 785);
    expect(
      decodedShardBytes({ features: { shape: [4], dtype: 'float32', scale: 1 }, labels: { classes: 1000 } }, 3),
    ).toBe(20 + 3 * 18);
    // Token shards: s * (L + 1) tokens of one byte (vocab <= 256) or two.
    const bytes = { tokens: { vocab: 256, sequenceLength: 128, separator: 0 } };
    const wide = { tokens: { vocab: 257, sequenceLength: 4, separator: 1 } };
    expect([tokenWidth(256), tokenWidth(257)]).toEqual([1, 2]);
    expect(decodedShardBytes(bytes, 10)).toBe(20 + 10 * 129);
    expect(decodedShardBytes(wide, 3)).toBe(20 + 3 * 5 * 2);
    expect([featureSize(bytes), labelsPerSample(bytes), intFeatures(bytes)]).toEqual([128, 128, true]);
    const images = { features: { shape: [8, 8, 1], dtype: 'uint8' as const, scale: 1 }, labels: { classes: 10 } };
    expect([featureSize(images), labelsPerSample(images), intFeatures(images)]).toEqual([64, 1, false]);
  });
});

describe('parseManifestBytes', () => {
  const bytes = new TextEncoder().encode(JSON.stringify(base()));

  it('returns the dataset hash (sha256 of the bytes)', async () => {
    const { manifest, hash } = await parseManifestBytes(bytes);
    expect(manifest.samples).toBe(300);
    expect(hash).toBe(await sha256Hex(bytes));
    expect((await parseManifestBytes(bytes, hash.toUpperCase())).hash).toBe(hash);
  });

  it('checks the expected hash before parsing', async () => {
    const err = await parseManifestBytes(bytes, H('0')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect((err as IntegrityError).expected).toBe(H('0'));
    expect((err as IntegrityError).actual).toBe(await sha256Hex(bytes));
    expect((err as Error).message).toMatch(/expected sha256 0{64}, got [0-9a-f]{64}/);
  });

  it('rejects bytes that are not JSON', async () => {
    await expect(parseManifestBytes(new TextEncoder().encode('nope'))).rejects.toThrow(
      /dataset manifest: is not valid JSON/,
    );
  });
});
