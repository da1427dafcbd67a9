import { InvalidArgumentError } from '../errors.js';
import { smallestIndices } from '../operators/select.js';
import { mulberry32, permutation } from '../util/random.js';
import { parseAmount, pruneCount, type Amount } from './amount.js';
import { sliceMask, sliceNorms } from './axisSlices.js';
import type { Dim } from './dims.js';

/** What a pruning method sees: importance values, their shape and the mask so far (PyTorch's `t`, `default_mask`). */
export interface MaskInput {
  values: Float32Array;
  shape: number[];
  mask: Float32Array;
  /** The resolved tfjs axis of a structured method. */
  axis?: number;
  /** Names the weight in error messages. */
  what: string;
}

/**
 * A pruning method in the sense of `torch.nn.utils.prune.BasePruningMethod`: its kind decides how
 * it combines with earlier pruning of the same weight (see `applyMethod`).
 * - `unstructured`: re-applied only to the entries still unpruned;
 * - `structured`: re-applied only to the slices along `dim` that still have a nonzero entry;
 * - `global`: sees the whole tensor and the current mask.
 */
export interface PruningMethod {
  readonly name: string;
  readonly kind: 'unstructured' | 'structured' | 'global';
  /** Required for structured methods. */
  readonly dim?: Dim;
  /** The new 0/1 mask for `input` (same length as `input.values`). */
  computeMask(input: MaskInput): Float32Array;
}

/** PyTorch's `Identity`: prunes nothing, but marks the weight as pruned. */
export function Identity(): PruningMethod {
  return { name: 'Identity', kind: 'unstructured', computeMask: ({ mask }) => mask.slice() };
}

/** PyTorch's `L1Unstructured`: prune the `amount` entries of smallest |value| (ties: lowest index first). */
export function L1Unstructured(amount: Amount): PruningMethod {
  const parsed = parseAmount(amount, 'L1Unstructured');
  return {
    name: 'L1Unstructured',
    kind: 'unstructured',
    computeMask({ values, mask, what }) {
      const count = pruneCount(parsed, values.length, what);
      const out = mask.slice();
      const mags = new Float32Array(values.length);
      for (let i = 0; i < mags.length; i++) mags[i] = Math.abs(values[i]);
      for (const i of smallestIndices(mags, count)) out[i] = 0;
      return out;
    },
  };
}

/** PyTorch's `RandomUnstructured`: prune `amount` entries chosen uniformly at random (seeded). */
export function RandomUnstructured(amount: Amount, opts: { seed?: number } = {}): PruningMethod {
  const parsed = parseAmount(amount, 'RandomUnstructured');
  const seed = opts.seed ?? 0;
  return {
    name: 'RandomUnstructured',
    kind: 'unstructured',
    computeMask({ values, mask, what }) {
      const count = pruneCount(parsed, values.length, what);
      const out = mask.slice();
      const order = permutation(values.length, mulberry32(seed));
      for (let i = 0; i < count; i++) out[order[i]] = 0;
      return out;
    },
  };
}

/** Ln norm order: a number (Infinity = max |x|), or 'fro' (= 2), as `torch.norm`'s `p`. */
export type NormOrder = number | 'fro';

function normOrder(n: NormOrder): number {
  if (n === 'fro') return 2;
  if (typeof n !== 'number' || Number.isNaN(n)) {
    throw new InvalidArgumentError(
      `LnStructured: n ${String(n)} is not a norm order; accepted: a number, Infinity, -Infinity or 'fro'`,
    );
  }
  return n;
}

function structured(
  name: string,
  dim: Dim,
  pick: (input: MaskInput & { axis: number }, count: number) => Uint32Array | number[],
  amount: Amount,
): PruningMethod {
  const parsed = parseAmount(amount, name);
  return {
    name,
    kind: 'structured',
    dim,
    computeMask(input) {
      const { shape, mask, what } = input;
      if (shape.length < 2) {
        throw new InvalidArgumentError(
          `${what}: ${name} needs a weight of rank >= 2 (got shape [${shape.join(', ')}]); use an unstructured method for biases`,
        );
      }
      const axis = input.axis ?? 0;
      const slices = shape[axis];
      const count = pruneCount(parsed, slices, what);
      if (count === 0) return mask.slice();
      const keep = new Float32Array(slices).fill(1);
      for (const c of pick({ ...input, axis }, count)) keep[c] = 0;
      const out = sliceMask(keep, shape, axis);
      for (let i = 0; i < out.length; i++) out[i] *= mask[i];
      return out;
    },
  };
}

/**
 * PyTorch's `LnStructured`: prune the `amount` slices along `dim` with the smallest Ln norm
 * (computed over every other axis; ties: lowest index first).
 */
export function LnStructured(amount: Amount, n: NormOrder, dim: Dim): PruningMethod {
  const p = normOrder(n);
  return structured(
    'LnStructured',
    dim,
    ({ values, shape, axis }, count) => smallestIndices(sliceNorms(values, shape, axis, p), count),
    amount,
  );
}

/** PyTorch's `RandomStructured`: prune `amount` slices along `dim` chosen at random (seeded). */
export function RandomStructured(amount: Amount, dim: Dim, opts: { seed?: number } = {}): PruningMethod {
  const seed = opts.seed ?? 0;
  return structured(
    'RandomStructured',
    dim,
    ({ shape, axis }, count) => permutation(shape[axis], mulberry32(seed)).subarray(0, count),
    amount,
  );
}

/** PyTorch's `CustomFromMask`: the given 0/1 mask, multiplied into the current one. */
export function CustomFromMask(mask: ArrayLike<number>): PruningMethod {
  return {
    name: 'CustomFromMask',
    kind: 'global',
    computeMask({ mask: current, what }) {
      if (mask.length !== current.length) {
        throw new InvalidArgumentError(
          `${what}: custom mask has ${mask.length} entries but the weight has ${current.length}`,
        );
      }
      const out = current.slice();
      for (let i = 0; i < out.length; i++) out[i] *= mask[i];
      return out;
    },
  };
}
