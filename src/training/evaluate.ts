import * as tf from '@tensorflow/tfjs';
import { batchDataset } from '../data/batch.js';
import type { NormalizeOptions } from '../data/tensors.js';
import type { Split } from '../data/types.js';
import { forEachBatch, type Data } from './batch-stream.js';
import type { LossFunction } from './loss.js';

/** Mean loss and classification accuracy (fraction correct) over a dataset. */
export interface Evaluation {
  loss: number;
  accuracy: number;
  count: number;
}

// Correct predictions: one-hot labels compare arg-maxes; sparse labels compare indices.
function correct(ys: tf.Tensor, preds: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const predicted = tf.argMax(preds, -1);
    const classes = ys.rank >= 2 && (ys.shape[ys.rank - 1] as number) > 1;
    const truth = classes ? tf.argMax(ys, -1) : tf.cast(tf.reshape(ys, [-1]), 'int32');
    return tf.sum(tf.cast(tf.equal(predicted, truth), 'float32'));
  });
}

/**
 * Evaluate `model` in inference mode (BatchNorm uses its moving statistics, dropout is off),
 * batch by batch so memory stays bounded. `limit` caps the number of examples.
 *
 * @example
 * const { loss, accuracy } = await evaluate(model, { xs, ys }, resolveLoss('categoricalCrossentropy'));
 */
export async function evaluate(
  model: tf.LayersModel,
  data: Data,
  loss: LossFunction,
  opts: { batchSize?: number; limit?: number } = {},
): Promise<Evaluation> {
  let lossSum = 0;
  let hits = 0;
  let count = 0;
  await forEachBatch(
    data,
    opts.batchSize ?? 256,
    async (b) => {
      const [l, c] = tf.tidy(() => {
        const preds = model.apply(b.xs, { training: false }) as tf.Tensor;
        return [tf.sum(loss(b.ys, preds)), correct(b.ys, preds)];
      });
      const [lv, cv] = await Promise.all([l.data(), c.data()]);
      tf.dispose([l, c]);
      lossSum += lv[0];
      hits += cv[0];
      count += b.xs.shape[0];
    },
    opts.limit,
  );
  return { loss: count ? lossSum / count : NaN, accuracy: count ? hits / count : NaN, count };
}

/** How `accuracy` normalises a split's images, and its batch size. */
export interface EvaluateOptions extends NormalizeOptions {
  numClasses: number;
  /** Images per forward pass (default 500: big batches keep wasm's matmuls efficient). */
  batchSize?: number;
}

/**
 * Top-1 accuracy of a classifier on a dataset split (`evaluate` over its normalised batches).
 *
 * @example
 * ```ts
 * const acc = await accuracy(model, mnist.test, { numClasses: 10, normalize: 'standard', mean: MNIST_MEAN, std: MNIST_STD });
 * ```
 */
export async function accuracy(model: tf.LayersModel, split: Split, opts: EvaluateOptions): Promise<number> {
  const batches = batchDataset(split, { ...opts, batchSize: opts.batchSize ?? 500 });
  const crossEntropy: LossFunction = (y, p) => tf.metrics.categoricalCrossentropy(y, p);
  return (await evaluate(model, batches, crossEntropy)).accuracy;
}
