// Datasets (docs/ml.md section 2): a manifest naming gzip shards by sha256.

export type FeatureDtype = 'uint8' | 'float32' | 'int32';

export interface ShardRef {
  /** sha256 of the shard file as stored (gzip), lowercase hex. */
  sha256: string;
  samples: number;
  bytes: number;
}

export interface DatasetManifest {
  format: 'aiarena-dataset';
  version: 1;
  name: string;
  license: string;
  features: { shape: number[]; dtype: FeatureDtype; scale: number };
  labels: { classes: number; names?: string[] };
  samples: number;
  shards: ShardRef[];
}

/** One decoded shard: features as float32 (scaled) or int32 (token ids), labels as int32. */
export interface Shard {
  samples: number;
  featureSize: number;
  features: Float32Array | Int32Array;
  labels: Int32Array;
}

/** Where dataset bytes come from: a URL base, the artifact store, IndexedDB, the file system. */
export interface BlobSource {
  /** The bytes of the blob with this sha256 (hex); the caller verifies the hash. */
  get(sha256: string): Promise<Uint8Array>;
}
