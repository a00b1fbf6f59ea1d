// Losses per sample. A classifier's logits are [batch, classes] with labels [batch]; a next-token
// model's are [batch, len, tokens] with labels [batch, len], and its sample's loss is the mean of
// its positions' cross-entropies. Every sample of a token dataset has the same number of targets,
// so the batch mean of these is the mean over every target token, and the accuracy terms below
// count a sample as its share of right tokens.
import { tf, type Tensor } from '../backend/tf.ts';

/** Per-token softmax cross-entropy, logits `[n, v]`, labels `[n]`: `[n]`. */
function tokenCrossEntropy(logits: Tensor, labels: Tensor): Tensor {
  const classes = logits.shape[1]!;
  const logp = tf.logSoftmax(logits as tf.Tensor2D);
  const target = tf.oneHot(tf.cast(labels, 'int32') as tf.Tensor1D, classes);
  return tf.neg(tf.sum(tf.mul(logp, target), 1));
}

/**
 * Per-sample sparse softmax cross-entropy `[batch]` of logits `[batch, classes]` and int32 labels
 * `[batch]`, or of logits `[batch, len, tokens]` and labels `[batch, len]` (the mean over len).
 */
export function crossEntropyPerSample(logits: Tensor, labels: Tensor): Tensor {
  if (logits.rank === 2) return tokenCrossEntropy(logits, labels);
  const [b, len, v] = logits.shape as [number, number, number];
  const ce = tokenCrossEntropy(tf.reshape(logits, [b * len, v]), tf.reshape(labels, [b * len]));
  return tf.mean(tf.reshape(ce, [b, len]), 1);
}

/** 1 per position whose arg-max is its label, else 0, as float32 (`[batch]` or `[batch, len]`). */
function hits(logits: Tensor, labels: Tensor): Tensor {
  return tf.cast(
    tf.equal(tf.argMax(logits, logits.rank - 1), tf.reshape(tf.cast(labels, 'int32'), logits.shape.slice(0, -1))),
    'float32',
  );
}

/**
 * Samples whose arg-max logit is the label, as a float32 scalar; for a next-token model the sum
 * over samples of the share of positions predicted right (so divided by the samples it is the
 * per-token accuracy).
 */
export function correctCount(logits: Tensor, labels: Tensor): Tensor {
  const h = hits(logits, labels);
  return h.rank === 1 ? tf.sum(h) : tf.div(tf.sum(h), h.shape[1]!);
}

/** Per-sample accuracy `[batch]`: 1 or 0 for a classifier, the share of right positions for a next-token model. */
export function accuracyPerSample(logits: Tensor, labels: Tensor): Tensor {
  const h = hits(logits, labels);
  return h.rank === 1 ? h : tf.mean(h, 1);
}
