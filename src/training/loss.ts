import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';

/** A loss from labels and predictions to one value per example (shape [batch]). */
export type LossFunction = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;

/** A tfjs loss name (as in `model.compile({ loss })`) or a per-example loss function. */
export type LossSpec = LossName | LossFunction;

const registry = {
  categoricalCrossentropy: (y: tf.Tensor, p: tf.Tensor) => tf.metrics.categoricalCrossentropy(y, p),
  sparseCategoricalCrossentropy: sparseCe,
  binaryCrossentropy: (y: tf.Tensor, p: tf.Tensor) => tf.metrics.binaryCrossentropy(y, p),
  meanSquaredError: (y: tf.Tensor, p: tf.Tensor) => tf.metrics.meanSquaredError(y, p),
  meanAbsoluteError: (y: tf.Tensor, p: tf.Tensor) => tf.metrics.meanAbsoluteError(y, p),
} satisfies Record<string, LossFunction>;

/** The loss names `resolveLoss` accepts. */
export type LossName = keyof typeof registry;

// Sparse labels ([batch] or [batch, 1] class indices) against probabilities: one-hot first.
function sparseCe(y: tf.Tensor, p: tf.Tensor): tf.Tensor {
  const classes = p.shape[p.shape.length - 1] as number;
  const oneHot = tf.oneHot(tf.cast(tf.reshape(y, [-1]), 'int32'), classes);
  return tf.metrics.categoricalCrossentropy(oneHot, p);
}

/**
 * Turn a loss name or function into a per-example loss function. Throws an
 * `InvalidArgumentError` naming the accepted names for an unknown name.
 *
 * @example
 * const ce = resolveLoss('categoricalCrossentropy');
 * const l = ce(tf.tensor2d([[0, 1]]), tf.tensor2d([[0.2, 0.8]])); // [-log 0.8]
 */
export function resolveLoss(loss: LossSpec): LossFunction {
  if (typeof loss === 'function') return loss;
  const fn = (registry as Record<string, LossFunction>)[loss];
  if (!fn) {
    throw new InvalidArgumentError(
      `unknown loss '${String(loss)}'; use a function or one of: ${Object.keys(registry).join(', ')}`,
    );
  }
  return fn;
}
