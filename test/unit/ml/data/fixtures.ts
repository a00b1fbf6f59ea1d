// Small in-memory datasets for the data tests: every sample's first feature is its global index,
// so a test can tell exactly which samples a batch holds.
import { sha256Hex } from '../../../../src/lib/ml/hash.ts';
import { encodeShard, encodeTokenShard, type StoredFeatures } from '../../../../src/lib/ml/data/shard.ts';
import {
  isTokenLayout,
  type BlobSource,
  type DatasetManifest,
  type FeatureDatasetManifest,
  type FeatureDtype,
  type TokenDatasetManifest,
} from '../../../../src/lib/ml/data/types.ts';

/** The manifest narrowed to the classification form; throws for a token dataset. */
export function featureManifest(m: DatasetManifest): FeatureDatasetManifest {
  if (isTokenLayout(m)) throw new Error(`${m.name} is a token dataset`);
  return m;
}

/** The manifest narrowed to the token form; throws for a classification dataset. */
export function tokenManifest(m: DatasetManifest): TokenDatasetManifest {
  if (!isTokenLayout(m)) throw new Error(`${m.name} is not a token dataset`);
  return m;
}

export interface Fixture {
  manifest: DatasetManifest;
  blobs: Map<string, Uint8Array>;
}

export async function makeDataset(
  shardSizes: number[],
  opts: { dtype?: FeatureDtype; shape?: number[]; classes?: number; scale?: number } = {},
): Promise<Fixture> {
  const dtype = opts.dtype ?? 'int32';
  const shape = opts.shape ?? [3];
  const classes = opts.classes ?? 10;
  const f = shape.reduce((a, b) => a * b, 1);
  const layout = { features: { shape, dtype, scale: opts.scale ?? 1 }, labels: { classes } };
  const blobs = new Map<string, Uint8Array>();
  const shards: DatasetManifest['shards'] = [];
  let next = 0;
  for (const n of shardSizes) {
    const values = Array.from({ length: n * f }, (_, i) => {
      const sample = next + Math.floor(i / f);
      return i % f === 0 ? sample : (sample * 7 + (i % f)) % 200;
    });
    const features: StoredFeatures =
      dtype === 'int32'
        ? Int32Array.from(values)
        : dtype === 'float32'
          ? Float32Array.from(values, (v) => v / 4)
          : Uint8Array.from(values, (v) => v % 256);
    const labels = Array.from({ length: n }, (_, i) => (next + i) % classes);
    const file = await encodeShard(layout, features, labels);
    const sha256 = await sha256Hex(file);
    blobs.set(sha256, file);
    shards.push({ sha256, samples: n, bytes: file.length });
    next += n;
  }
  const manifest: FeatureDatasetManifest = {
    format: 'aiarena-dataset',
    version: 1,
    name: 'fixture',
    license: 'test data',
    ...layout,
    samples: next,
    shards,
  };
  return { manifest, blobs };
}

/** Token `j` (0..L) of sample `id` in `makeTokenDataset`: the first is the id itself. */
export const fixtureToken = (id: number, j: number, vocab: number): number => (j === 0 ? id : id * 7 + j * 3) % vocab;

/** A token dataset whose sample `id` holds tokens `fixtureToken(id, 0..L)`. */
export async function makeTokenDataset(shardSizes: number[], L: number, vocab = 256): Promise<Fixture> {
  const layout = { tokens: { vocab, sequenceLength: L, separator: 0 } };
  const blobs = new Map<string, Uint8Array>();
  const shards: TokenDatasetManifest['shards'] = [];
  let next = 0;
  for (const n of shardSizes) {
    const tokens = Array.from({ length: n * (L + 1) }, (_, i) =>
      fixtureToken(next + Math.floor(i / (L + 1)), i % (L + 1), vocab),
    );
    const file = await encodeTokenShard(layout, tokens);
    const sha256 = await sha256Hex(file);
    blobs.set(sha256, file);
    shards.push({ sha256, samples: n, bytes: file.length });
    next += n;
  }
  const manifest: TokenDatasetManifest = {
    format: 'aiarena-dataset',
    version: 1,
    name: 'token-fixture',
    license: 'test data',
    ...layout,
    samples: next,
    shards,
  };
  return { manifest, blobs };
}

/** A source over `blobs` that records what was requested and when, without checking hashes. */
export function recordingSource(
  blobs: Map<string, Uint8Array>,
  onGet?: (sha256: string) => void,
): BlobSource & { gets: string[] } {
  const gets: string[] = [];
  return {
    gets,
    async get(sha256) {
      gets.push(sha256);
      onGet?.(sha256);
      const b = blobs.get(sha256);
      if (b === undefined) throw new Error(`no blob ${sha256}`);
      return b;
    },
  };
}
