import { InvalidArgumentError } from '../errors.js';
import { mulberry32, permutation, shuffleInPlace } from '../util/random.js';
import type { Split } from './types.js';

/** The images and labels at `indices` (in that order) as a new Split. */
export function selectIndices(split: Split, indices: ArrayLike<number>): Split {
  const size = split.images.length / split.count;
  const images = new Uint8Array(indices.length * size);
  const labels = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const src = indices[i];
    images.set(split.images.subarray(src * size, (src + 1) * size), i * size);
    labels[i] = split.labels[src];
  }
  return { images, labels, count: indices.length };
}

/**
 * Holds out a seeded random `count` (or `fraction`) of a split for validation. Both parts keep
 * the original order of their images.
 *
 * @example
 * const { train, val } = splitValidation(cifar.train, { count: 5000, seed: 1 });
 */
export function splitValidation(
  split: Split,
  opts: { count?: number; fraction?: number; seed: number },
): { train: Split; val: Split } {
  let count = opts.count;
  if (count === undefined && opts.fraction !== undefined) {
    if (!(opts.fraction > 0 && opts.fraction < 1)) {
      throw new InvalidArgumentError(`fraction must be in (0, 1), got ${opts.fraction}`);
    }
    count = Math.round(split.count * opts.fraction);
  }
  if (count === undefined || !Number.isInteger(count) || count < 1 || count >= split.count) {
    throw new InvalidArgumentError(
      `validation needs count (an integer in [1, ${split.count - 1}]) or fraction in (0, 1); ` +
        `got count ${opts.count}, fraction ${opts.fraction}`,
    );
  }
  const order = permutation(split.count, mulberry32(opts.seed));
  const val = order.slice(0, count).sort();
  const train = order.slice(count).sort();
  return { train: selectIndices(split, train), val: selectIndices(split, val) };
}

/**
 * A seeded random subset with exactly `perClass` images of every class present in the split,
 * kept in the split's original order.
 *
 * @example
 * const small = stratifiedSubset(mnist.train, { perClass: 100, seed: 0 }); // 1000 digits
 */
export function stratifiedSubset(split: Split, opts: { perClass: number; seed: number }): Split {
  if (!Number.isInteger(opts.perClass) || opts.perClass < 1) {
    throw new InvalidArgumentError(`perClass must be a positive integer, got ${opts.perClass}`);
  }
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < split.count; i++) {
    const label = split.labels[i];
    let list = byClass.get(label);
    if (!list) byClass.set(label, (list = []));
    list.push(i);
  }
  const rand = mulberry32(opts.seed);
  const chosen: number[] = [];
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const list = byClass.get(label)!;
    if (list.length < opts.perClass) {
      throw new InvalidArgumentError(
        `class ${label} has only ${list.length} images, fewer than perClass ${opts.perClass}`,
      );
    }
    chosen.push(...shuffleInPlace<number, number[]>(list, rand).slice(0, opts.perClass));
  }
  return selectIndices(
    split,
    chosen.sort((a, b) => a - b),
  );
}
