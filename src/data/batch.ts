import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import { mulberry32, permutation } from '../util/random.js';
import { cropAndFlip } from './augment.js';
import { imageShape, normalizationTable, writeOneHot, type NormalizeOptions } from './tensors.js';
import type { Split } from './types.js';

export interface BatchOptions extends NormalizeOptions {
  batchSize: number;
  numClasses: number;
  /** Reshuffle every epoch (seeded). Default false. */
  shuffle?: boolean;
  /** Seeds shuffling and augmentation; epoch e uses a stream derived from (seed, e). Default 0. */
  seed?: number;
  /** The epoch number of the first pass (default 0): a resumed run continues the sequence. */
  firstEpoch?: number;
  /** 'cifar': random crop with 4-pixel zero padding + horizontal flip. Default 'none'. */
  augment?: 'cifar' | 'none';
  /** Image shape [h, w, c]; inferred for square images with 1 or 3 channels when omitted. */
  shape?: [number, number, number];
}

export type BatchTensors = { xs: tf.Tensor4D; ys: tf.Tensor2D };

// Knuth's multiplicative constant spreads consecutive epochs over distant generator states.
const epochSeed = (seed: number, epoch: number) => (seed ^ Math.imul(epoch + 1, 0x9e3779b1)) >>> 0;

/**
 * A tf.data dataset of normalized batches `{ xs: [b, h, w, c], ys: one-hot [b, numClasses] }`
 * built on the fly from a split's bytes (so the float copy of the whole split never exists).
 * Every pass over it (an epoch of `model.fitDataset`) reshuffles and re-augments from a stream
 * derived from `seed` and the epoch number, so runs repeat exactly. The last batch may be short.
 *
 * @example
 * const ds = batchDataset(cifar.train, {
 *   batchSize: 128, shuffle: true, seed: 1, augment: 'cifar',
 *   normalize: 'standard', mean: CIFAR10_MEAN, std: CIFAR10_STD, numClasses: 10,
 * });
 * await model.fitDataset(ds, { epochs: 30 });
 */
export function batchDataset(split: Split, opts: BatchOptions): tf.data.Dataset<BatchTensors> {
  if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1) {
    throw new InvalidArgumentError(`batchSize must be a positive integer, got ${opts.batchSize}`);
  }
  if (!Number.isInteger(opts.numClasses) || opts.numClasses < 1) {
    throw new InvalidArgumentError(`numClasses must be a positive integer, got ${opts.numClasses}`);
  }
  const augment = opts.augment ?? 'none';
  if (augment !== 'cifar' && augment !== 'none') {
    throw new InvalidArgumentError(`augment must be 'cifar' or 'none', got ${JSON.stringify(augment)}`);
  }
  const shape = imageShape(split, opts.shape);
  const [h, w, c] = shape;
  const size = h * w * c;
  const table = normalizationTable(c, opts);
  const seed = opts.seed ?? 0;
  let epoch = opts.firstEpoch ?? 0;

  function* epochBatches(): Generator<BatchTensors> {
    const rand = mulberry32(epochSeed(seed, epoch++));
    const order = opts.shuffle ? permutation(split.count, rand) : null;
    const image = new Uint8Array(size);
    for (let start = 0; start < split.count; start += opts.batchSize) {
      const n = Math.min(opts.batchSize, split.count - start);
      const pixels = new Float32Array(n * size);
      const labels = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const idx = order ? order[start + i] : start + i;
        let src = split.images.subarray(idx * size, (idx + 1) * size);
        if (augment === 'cifar') {
          cropAndFlip(src, image, shape, rand);
          src = image;
        }
        const out = i * size;
        for (let p = 0; p < size; p++) pixels[out + p] = table[src[p] * c + (p % c)];
        labels[i] = split.labels[idx];
      }
      const oneHot = new Float32Array(n * opts.numClasses);
      writeOneHot(labels, opts.numClasses, oneHot);
      yield { xs: tf.tensor4d(pixels, [n, h, w, c]), ys: tf.tensor2d(oneHot, [n, opts.numClasses]) };
    }
  }
  return tf.data.generator(epochBatches as () => Generator<BatchTensors & tf.TensorContainerObject>);
}
