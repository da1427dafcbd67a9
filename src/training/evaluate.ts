import * as tf from '@tensorflow/tfjs';
import { batchDataset } from '../data/batch.js';
import type { NormalizeOptions } from '../data/tensors.js';
import type { Split } from '../data/types.js';

export interface EvaluateOptions extends NormalizeOptions {
  numClasses: number;
  /** Images per forward pass (default 500: big batches keep wasm's matmuls efficient). */
  batchSize?: number;
}

/**
 * Top-1 accuracy of a classifier on a split, predicting in batches without gradients.
 *
 * @example
 * ```ts
 * const acc = await accuracy(model, mnist.test, { numClasses: 10, normalize: 'standard', mean: MNIST_MEAN, std: MNIST_STD });
 * ```
 */
export async function accuracy(model: tf.LayersModel, split: Split, opts: EvaluateOptions): Promise<number> {
  const ds = batchDataset(split, { ...opts, batchSize: opts.batchSize ?? 500 });
  let correct = 0;
  await ds.forEachAsync(({ xs, ys }) => {
    correct += tf.tidy(() => {
      const pred = (model.predict(xs) as tf.Tensor).argMax(-1);
      return pred.equal(ys.argMax(-1)).sum().dataSync()[0];
    });
    tf.dispose([xs, ys]);
  });
  return correct / split.count;
}
