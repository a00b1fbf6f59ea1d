import { tf, type Tensor } from '../backend/tf.ts';

/** Per-sample sparse softmax cross-entropy `[batch]` of logits `[batch, classes]`, labels `[batch]` int32. */
export function crossEntropyPerSample(logits: Tensor, labels: Tensor): Tensor {
  const classes = logits.shape[1]!;
  const logp = tf.logSoftmax(logits as tf.Tensor2D);
  const target = tf.oneHot(tf.cast(labels, 'int32') as tf.Tensor1D, classes);
  return tf.neg(tf.sum(tf.mul(logp, target), 1));
}

/** Number of samples whose arg-max logit is the label, as a float32 scalar. */
export function correctCount(logits: Tensor, labels: Tensor): Tensor {
  const predicted = tf.argMax(logits, 1);
  return tf.sum(tf.cast(tf.equal(predicted, tf.cast(labels, 'int32')), 'float32'));
}
