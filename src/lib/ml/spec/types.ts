// The model spec (docs/ml.md section 1) as TypeScript types. A parsed spec has every default
// filled in, so consumers never re-apply defaults.

export type Activation = 'linear' | 'relu' | 'gelu' | 'tanh' | 'sigmoid';
export type Padding = 'same' | 'valid';

export interface DenseLayer {
  type: 'dense';
  id?: string;
  units: number;
  activation: Activation;
}

export interface Conv2dLayer {
  type: 'conv2d';
  id?: string;
  filters: number;
  kernelSize: number;
  strides: number;
  padding: Padding;
  activation: Activation;
}

export interface PoolLayer {
  type: 'maxPool2d' | 'avgPool2d';
  id?: string;
  poolSize: number;
  strides: number;
  padding: Padding;
}

export interface FlattenLayer {
  type: 'flatten';
  id?: string;
}

export interface DropoutLayer {
  type: 'dropout';
  id?: string;
  rate: number;
}

export interface EmbeddingLayer {
  type: 'embedding';
  id?: string;
  vocabSize: number;
  dim: number;
}

export interface LayerNormLayer {
  type: 'layerNorm';
  id?: string;
  epsilon: number;
}

export interface AttentionLayer {
  type: 'attention';
  id?: string;
  heads: number;
  dim: number;
}

export interface GlobalAvgPool1dLayer {
  type: 'globalAvgPool1d';
  id?: string;
}

/** Adds a position's vector to each position of `[len, d]`: learned weights or fixed sinusoids. */
export interface PositionEmbeddingLayer {
  type: 'positionEmbedding';
  id?: string;
  kind: 'learned' | 'sinusoidal';
}

/** Pre-norm block: `h = x + Attn(LN1(x))`, then `h + MLP(LN2(h))`; `causal` masks later positions. */
export interface TransformerBlockLayer {
  type: 'transformerBlock';
  id?: string;
  heads: number;
  dim: number;
  mlpDim: number;
  activation: Activation;
  causal: boolean;
  epsilon: number;
}

/** Logits `x E^T (+ bias)` over the vocabulary of the embedding layer `embedding` names. */
export interface TiedOutputLayer {
  type: 'tiedOutput';
  id?: string;
  /** Id of the embedding layer whose table is reused. */
  embedding: string;
  bias: boolean;
}

export type LayerSpec =
  | DenseLayer
  | Conv2dLayer
  | PoolLayer
  | FlattenLayer
  | DropoutLayer
  | EmbeddingLayer
  | LayerNormLayer
  | AttentionLayer
  | GlobalAvgPool1dLayer
  | PositionEmbeddingLayer
  | TransformerBlockLayer
  | TiedOutputLayer;

/**
 * `bitsPerByte`: mean per-token cross-entropy in bits, scored `max(0, 1 - bpb / cap)`; only for
 * next-token models over bytes (`output.tokens` 256).
 */
export type Metric = { name: 'accuracy' } | { name: 'loss'; cap: number } | { name: 'bitsPerByte'; cap: number };

/**
 * One classification per sample (`classes`), or a next-token distribution at every position of
 * a token sequence (`tokens`: the vocabulary size). Exactly one is set.
 */
export type ModelOutput = { classes: number; tokens?: never } | { tokens: number; classes?: never };

export interface OptimizerSpec {
  name: 'adam' | 'sgd';
  learningRate: number;
  momentum: number;
  batchSize: number;
  epochs: number;
}

/**
 * `mlp-column-mean`: the column means of a transformerBlock's MLP kernel w1 [dim, mlpDim], the
 * block's equivalent of dense-column-mean (docs/ml.md section 4).
 */
export type WatermarkRule = 'dense-column-mean' | 'conv-filter-mean' | 'mlp-column-mean';

export interface WatermarkSpec {
  layer: string;
  rule: WatermarkRule;
  /** T: watermark bits = the first T bits of the owner's address. */
  bits: number;
  /** N: length of the vector v taken from the layer. */
  length: number;
  quantization: { bits: number; scale: number };
  maxErr: number;
  strength: number;
  margin: number;
}

/**
 * Proof-of-learning settings (SPEC 8.2, 8.3; docs/transcript.md): a transcript run rounds its
 * whole state every `interval` steps to `mantissaBits` bits of float32 mantissa, and a replay
 * accepts a coordinate within `tolerance` (relative) of the rounding boundary, and up to
 * `outlierShare` of a state's coordinates within `outlierTolerance` (docs/transcript.md section 5).
 */
export interface TranscriptSpec {
  interval: number;
  mantissaBits: number;
  tolerance: number;
  /** Share of a state's coordinates a segment may have beyond `tolerance` (0 = none). */
  outlierShare: number;
  /** How far beyond its cell an outlier may lie (same scale as `tolerance`, at least it). */
  outlierTolerance: number;
  /**
   * `unit`: a segment's outliers must all lie in one unit of a dense or conv2d layer
   * (transcript/units.ts); `state` (or absent): anywhere in the state. docs/transcript.md section 5.
   */
  outlierScope?: 'state' | 'unit';
}

export interface ModelSpec {
  format: 'aiarena-model-spec';
  version: 1;
  name: string;
  description: string;
  input: { shape: number[] };
  output: ModelOutput;
  layers: LayerSpec[];
  loss: 'sparse-categorical-crossentropy';
  metric: Metric;
  optimizer: OptimizerSpec;
  watermark?: WatermarkSpec;
  /**
   * Present (with its defaults filled in) only when the file has the section; read it with
   * transcriptSettings (spec/transcript.ts), which gives the defaults for a spec without one.
   */
  transcript?: TranscriptSpec;
  /** The task's name and description for people (absent in specs made before they existed). */
  task?: { name: string; description: string };
}

/** One weight tensor, in parameter order (docs/ml.md section 1). */
export interface ParamShape {
  /** Index of the layer in `layers`. */
  layer: number;
  /** Weight name within the layer: kernel, bias, embeddings, gamma, beta, wq, ... */
  name: string;
  shape: number[];
}
