// Datasets (docs/ml.md section 2): a manifest naming gzip shards by sha256.

export type FeatureDtype = 'uint8' | 'float32' | 'int32';

export interface ShardRef {
  /** sha256 of the shard file as stored (gzip), lowercase hex. */
  sha256: string;
  samples: number;
  bytes: number;
  /**
   * The shard's UnixFS root CID, for shards larger than one chunk (1 MiB): IPFS names those by a
   * dag-pb root that cannot be derived from the sha256. Absent for smaller shards, whose CID is
   * the raw CID of their sha256 (src/lib/storage/unixfs/ref.ts).
   */
  cid?: string;
}

/** How a classification dataset's samples are laid out: a feature tensor and one label each. */
export interface FeatureLayout {
  features: { shape: number[]; dtype: FeatureDtype; scale: number };
  labels: { classes: number; names?: string[] };
}

/**
 * A token dataset (next-token prediction): each sample is a sequence of `sequenceLength` input
 * token ids whose targets are the same sequence shifted by one (docs/ml.md section 2).
 */
export interface TokenLayout {
  tokens: {
    /** Token ids are 0..vocab-1; 256 for bytes. */
    vocab: number;
    /** L: inputs and targets per sample. */
    sequenceLength: number;
    /** The token written after each source document (0x00 for byte text). */
    separator: number;
  };
}

/** Exactly one of the two layouts; `isTokenLayout` tells them apart. */
export type DatasetLayout = FeatureLayout | TokenLayout;

interface ManifestCommon {
  format: 'aiarena-dataset';
  version: 1;
  name: string;
  license: string;
  /** Samples in all shards (sequences, for a token dataset). */
  samples: number;
  shards: ShardRef[];
}

export type FeatureDatasetManifest = ManifestCommon & FeatureLayout;
export type TokenDatasetManifest = ManifestCommon & TokenLayout;
export type DatasetManifest = FeatureDatasetManifest | TokenDatasetManifest;

export function isTokenLayout(layout: DatasetLayout): layout is TokenLayout {
  return 'tokens' in layout;
}

/**
 * One decoded shard: features as float32 (scaled) or int32 (token ids), labels as int32. A
 * token shard has `featureSize` = L and L labels (targets) per sample; other shards one label.
 */
export interface Shard {
  samples: number;
  featureSize: number;
  features: Float32Array | Int32Array;
  labels: Int32Array;
}

/** Where dataset bytes come from: a URL base, the artifact store, IndexedDB, the file system. */
export interface BlobSource {
  /**
   * The bytes of the blob with this sha256 (lowercase hex). The sources in sources.ts check the
   * hash and throw IntegrityError on a mismatch; wrap any other source with `verified()`.
   */
  get(sha256: string): Promise<Uint8Array>;
}

/**
 * One training batch: `size` samples, features sample-major (`size * featureSize` values), labels
 * `size` (one per sample) or `size * L` for a token dataset (L targets per sample, sample-major).
 */
export interface Batch {
  features: Float32Array | Int32Array;
  labels: Int32Array;
  size: number;
}

/**
 * Where a loader stands within an epoch: `shard` is the position in the epoch's shard order (not
 * the manifest index), `offset` the samples of that shard already handed out. A checkpoint stores
 * it with the seed and epoch; a loader started there continues the same sequence.
 */
export interface LoaderPosition {
  shard: number;
  offset: number;
}
