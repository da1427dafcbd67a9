import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import type { Split } from './types.js';

/** How pixel bytes become floats: 'unit' = x/255; 'standard' = per channel (x/255 - mean) / std. */
export type Normalization = 'unit' | 'standard';

export interface NormalizeOptions {
  normalize?: Normalization;
  /** Per-channel mean and std of [0, 1] pixels; required for 'standard' (e.g. CIFAR10_MEAN). */
  mean?: number[];
  std?: number[];
}

export interface ToTensorsOptions extends NormalizeOptions {
  numClasses: number;
  /** Image shape [h, w, c]; inferred for square images with 1 or 3 channels when omitted. */
  shape?: [number, number, number];
}

/**
 * The [h, w, c] of a split's images: `shape` if given, else a square image with 1 or 3 channels
 * (a square pixel count n^2 is never 3 m^2, so the guess is unambiguous).
 */
export function imageShape(split: Split, shape?: [number, number, number]): [number, number, number] {
  if (split.count <= 0 || split.images.length % split.count !== 0) {
    throw new InvalidArgumentError(
      `split of ${split.count} images holds ${split.images.length} bytes: not a whole number of images`,
    );
  }
  if (split.labels.length !== split.count) {
    throw new InvalidArgumentError(`split has ${split.labels.length} labels for ${split.count} images`);
  }
  const size = split.images.length / split.count;
  if (shape) {
    if (shape[0] * shape[1] * shape[2] !== size) {
      throw new InvalidArgumentError(`shape [${shape}] does not hold the split's ${size} bytes per image`);
    }
    return shape;
  }
  for (const c of [1, 3]) {
    const side = Math.round(Math.sqrt(size / c));
    if (side * side * c === size) return [side, side, c];
  }
  throw new InvalidArgumentError(
    `cannot infer the image shape of ${size} bytes per image: pass shape [h, w, c]`,
  );
}

/**
 * A lookup table of 256 floats per channel, so normalizing is one table read per byte.
 * Index `value * channels + channel`.
 */
export function normalizationTable(channels: number, opts: NormalizeOptions): Float32Array {
  const mode = opts.normalize ?? 'unit';
  let mean = new Array<number>(channels).fill(0);
  let std = new Array<number>(channels).fill(1);
  if (mode === 'standard') {
    if (!opts.mean || !opts.std || opts.mean.length !== channels || opts.std.length !== channels) {
      throw new InvalidArgumentError(
        `normalize 'standard' needs mean and std with one entry per channel (${channels}), e.g. ` +
          `CIFAR10_MEAN / CIFAR10_STD; got mean ${JSON.stringify(opts.mean)}, std ${JSON.stringify(opts.std)}`,
      );
    }
    if (opts.std.some((s) => !(s > 0))) {
      throw new InvalidArgumentError(`std must be positive, got ${JSON.stringify(opts.std)}`);
    }
    mean = opts.mean;
    std = opts.std;
  } else if (mode !== 'unit') {
    throw new InvalidArgumentError(`normalize must be 'unit' or 'standard', got ${JSON.stringify(mode)}`);
  }
  const table = new Float32Array(256 * channels);
  for (let v = 0; v < 256; v++) {
    for (let c = 0; c < channels; c++) table[v * channels + c] = (v / 255 - mean[c]) / std[c];
  }
  return table;
}

/** Writes one-hot rows for `labels` into `out` (zeroed, labels.length x numClasses). */
export function writeOneHot(
  labels: ArrayLike<number>,
  numClasses: number,
  out: Float32Array,
  offset = 0,
): void {
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (label >= numClasses) {
      throw new InvalidArgumentError(`label ${label} is out of range for numClasses ${numClasses}`);
    }
    out[(offset + i) * numClasses + label] = 1;
  }
}

/**
 * A split as float tensors: images [n, h, w, c] normalized, labels one-hot [n, numClasses].
 * The caller owns (and must dispose) both.
 *
 * @example
 * const { xs, ys } = toTensors(mnist.test, { numClasses: 10 });
 * // xs: [10000, 28, 28, 1] in [0, 1]; ys: [10000, 10]
 * tf.dispose([xs, ys]);
 */
export function toTensors(split: Split, opts: ToTensorsOptions): { xs: tf.Tensor4D; ys: tf.Tensor2D } {
  if (!Number.isInteger(opts.numClasses) || opts.numClasses < 1) {
    throw new InvalidArgumentError(`numClasses must be a positive integer, got ${opts.numClasses}`);
  }
  const [h, w, c] = imageShape(split, opts.shape);
  const table = normalizationTable(c, opts);
  const pixels = new Float32Array(split.images.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = table[split.images[i] * c + (i % c)];
  const oneHot = new Float32Array(split.count * opts.numClasses);
  writeOneHot(split.labels, opts.numClasses, oneHot);
  return {
    xs: tf.tensor4d(pixels, [split.count, h, w, c]),
    ys: tf.tensor2d(oneHot, [split.count, opts.numClasses]),
  };
}
