/**
 * `torch.nn.utils.prune` for tfjs layers: the same functions, amounts and iterative semantics
 * (see docs in each function). Weight names are tfjs short names (`'kernel'`, `'bias'`,
 * `'gamma'`...); `dim` is `'out'` (PyTorch dim=0), `'in'` (dim=1) or a tfjs axis.
 *
 * Tie rule (PyTorch leaves ties to `topk`): among equal magnitudes or norms, the entry or slice
 * earlier in tfjs row-major order is pruned first.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, TensorError } from '../errors.js';
import type { Amount } from './amount.js';
import { applyMethod, commitMask, methodMask, pruneTarget } from './applyMethod.js';
import type { Dim } from './dims.js';
import {
  CustomFromMask,
  Identity,
  L1Unstructured,
  LnStructured,
  RandomStructured,
  RandomUnstructured,
  type MaskInput,
  type NormOrder,
  type PruningMethod,
} from './methods.js';
import { getWeightVariable } from './state.js';

export { remove, isPruned, getMask } from './state.js';
export { CustomFromMask, Identity, L1Unstructured, LnStructured, RandomStructured, RandomUnstructured };
export type { Amount, Dim, MaskInput, NormOrder, PruningMethod };

type Layer = tf.layers.Layer;

/**
 * Mark a weight as pruned with an all-ones mask (PyTorch's `prune.identity`).
 *
 * @example
 * prune.identity(layer, 'kernel');
 */
export function identity(layer: Layer, name: string): void {
  applyMethod(layer, name, Identity());
}

/**
 * Prune `amount` entries chosen at random (seeded: same seed, same mask).
 *
 * @example
 * prune.randomUnstructured(conv, 'kernel', 0.4, { seed: 1 });
 */
export function randomUnstructured(
  layer: Layer,
  name: string,
  amount: Amount,
  opts: { seed?: number } = {},
): void {
  applyMethod(layer, name, RandomUnstructured(amount, opts));
}

/**
 * Prune the `amount` entries of smallest |w| (or of smallest `importanceScores`).
 *
 * @example
 * prune.l1Unstructured(conv, 'kernel', 0.4);
 */
export function l1Unstructured(
  layer: Layer,
  name: string,
  amount: Amount,
  opts: { importanceScores?: tf.Tensor } = {},
): void {
  applyMethod(layer, name, L1Unstructured(amount), opts.importanceScores);
}

/**
 * Prune `amount` slices along `dim` chosen at random (seeded).
 *
 * @example
 * prune.randomStructured(conv, 'kernel', 0.41479, 'out', { seed: 1 });
 */
export function randomStructured(
  layer: Layer,
  name: string,
  amount: Amount,
  dim: Dim,
  opts: { seed?: number } = {},
): void {
  applyMethod(layer, name, RandomStructured(amount, dim, opts));
}

/**
 * Prune the `amount` slices along `dim` with the smallest Ln norm (`n`: 1, 2, Infinity, 'fro'...).
 *
 * @example
 * prune.lnStructured(conv, 'kernel', 0.5, 2, 'out'); // half the filters, by L2 norm
 */
export function lnStructured(
  layer: Layer,
  name: string,
  amount: Amount,
  n: NormOrder,
  dim: Dim,
  opts: { importanceScores?: tf.Tensor } = {},
): void {
  applyMethod(layer, name, LnStructured(amount, n, dim), opts.importanceScores);
}

/**
 * Prune with a given 0/1 mask (multiplied into any existing mask).
 *
 * @example
 * prune.customFromMask(dense, 'bias', tf.tensor1d([1, 0, 1]));
 */
export function customFromMask(layer: Layer, name: string, mask: tf.Tensor): void {
  const v = getWeightVariable(layer, name);
  if (mask.rank !== v.shape.length || mask.shape.some((d, i) => d !== v.shape[i])) {
    throw new TensorError(
      `${layer.name}/${name} has shape [${v.shape.join(', ')}] but the mask has shape [${mask.shape.join(', ')}]`,
    );
  }
  applyMethod(layer, name, CustomFromMask(mask.dataSync()));
}

/** A method for `globalUnstructured`: a built-in name or a factory like `L1Unstructured`. */
export type GlobalMethod = 'l1Unstructured' | 'randomUnstructured' | ((amount: Amount) => PruningMethod);

/** Options of `globalUnstructured`. */
export interface GlobalOptions {
  method: GlobalMethod;
  amount: Amount;
  /** Importance per weight, keyed `'layerName/weightName'` (default: the weight itself). */
  importanceScores?: ReadonlyMap<string, tf.Tensor> | Readonly<Record<string, tf.Tensor>>;
  /** Seed of `randomUnstructured`. */
  seed?: number;
}

/**
 * One ranking over every listed weight (PyTorch's `prune.global_unstructured`): the weights are
 * concatenated, `amount` applies to their still-unpruned entries together, and each weight
 * receives its part of the mask. Everything is computed before any mask is stored.
 *
 * @example
 * prune.globalUnstructured([[conv1, 'kernel'], [fc1, 'kernel']], { method: 'l1Unstructured', amount: 0.75 });
 */
export function globalUnstructured(
  params: ReadonlyArray<readonly [Layer, string]>,
  opts: GlobalOptions,
): void {
  const method = globalMethod(opts);
  if (method.kind !== 'unstructured') {
    throw new InvalidArgumentError(
      `globalUnstructured: method ${method.name} is ${method.kind}; only unstructured methods can rank globally`,
    );
  }
  if (params.length === 0)
    throw new InvalidArgumentError(
      'globalUnstructured: params is empty; give at least one [layer, weightName] pair',
    );
  const scores = opts.importanceScores;
  const lookup = (key: string): tf.Tensor | undefined =>
    scores instanceof Map ? scores.get(key) : (scores as Record<string, tf.Tensor> | undefined)?.[key];
  const targets = params.map(([layer, name]) => pruneTarget(layer, name, lookup(`${layer.name}/${name}`)));
  const total = targets.reduce((s, t) => s + t.values.length, 0);
  const values = new Float32Array(total);
  const mask = new Float32Array(total);
  let at = 0;
  for (const t of targets) {
    values.set(t.values, at);
    mask.set(t.mask, at);
    at += t.values.length;
  }
  // PyTorch runs the method inside a PruningContainer even the first time: only live entries count.
  const all = methodMask(method, {
    layer: targets[0].layer,
    name: targets[0].name,
    what: `globalUnstructured(${targets.map((t) => t.what).join(', ')})`,
    shape: [total],
    values,
    mask,
    pruned: true,
  });
  at = 0;
  const parts = targets.map((t) => {
    const part = all.subarray(at, at + t.values.length);
    at += t.values.length;
    return part;
  });
  targets.forEach((t, i) => commitMask(t, parts[i]));
}

function globalMethod(opts: GlobalOptions): PruningMethod {
  if (typeof opts.method === 'function') return opts.method(opts.amount);
  if (opts.method === 'l1Unstructured') return L1Unstructured(opts.amount);
  if (opts.method === 'randomUnstructured') return RandomUnstructured(opts.amount, { seed: opts.seed });
  throw new InvalidArgumentError(
    `globalUnstructured: unknown method '${String(opts.method)}'; accepted: 'l1Unstructured', 'randomUnstructured' or a method factory such as prune.L1Unstructured`,
  );
}

/** The definition of a custom pruning method (PyTorch: subclass `BasePruningMethod`). */
export interface CustomMethodDefinition {
  name?: string;
  kind: 'unstructured' | 'structured' | 'global';
  /** Structured methods: the axis they remove slices along. */
  dim?: Dim;
  /**
   * The new 0/1 mask from the importance tensor `t` and the mask so far (`defaultMask`), both
   * of `t`'s shape. For an already-pruned weight, unstructured methods receive only the
   * unpruned entries (1-D) and structured ones only the live slices. Runs inside `tf.tidy`.
   */
  computeMask(t: tf.Tensor, defaultMask: tf.Tensor): tf.Tensor;
}

/** A custom method: usable with `apply`, or as a `globalUnstructured` factory when unstructured. */
export interface CustomMethod extends PruningMethod {
  apply(layer: Layer, name: string, opts?: { importanceScores?: tf.Tensor }): void;
}

/**
 * Define a pruning method from a mask function, with PyTorch's iterative semantics.
 *
 * @example
 * // Keep only entries with |w| above the mean magnitude of what is still unpruned.
 * const aboveMean = prune.definePruningMethod({
 *   name: 'AboveMean',
 *   kind: 'unstructured',
 *   computeMask: (t, mask) => tf.mul(mask, tf.cast(tf.greater(tf.abs(t), tf.mean(tf.abs(t))), 'float32')),
 * });
 * aboveMean.apply(conv, 'kernel');
 */
export function definePruningMethod(def: CustomMethodDefinition): CustomMethod {
  if (def.kind === 'structured' && def.dim === undefined) {
    throw new InvalidArgumentError(
      `definePruningMethod(${def.name ?? 'custom'}): a structured method needs a dim ('out', 'in' or an axis)`,
    );
  }
  const method: PruningMethod = {
    name: def.name ?? 'CustomPruningMethod',
    kind: def.kind,
    dim: def.dim,
    computeMask(input: MaskInput): Float32Array {
      return tf.tidy(() => {
        const out = def.computeMask(tf.tensor(input.values, input.shape), tf.tensor(input.mask, input.shape));
        if (out.size !== input.values.length) {
          throw new TensorError(
            `${input.what}: ${method.name} returned a mask of shape [${out.shape.join(', ')}] for shape [${input.shape.join(', ')}]`,
          );
        }
        return Float32Array.from(out.dataSync() as ArrayLike<number>);
      });
    },
  };
  return {
    ...method,
    apply: (layer, name, opts = {}) => applyMethod(layer, name, method, opts.importanceScores),
  };
}

/**
 * The seed's custom method: prune every other entry (flat indices 0, 2, 4... of the tensor, or
 * of its still-unpruned entries when pruned again). Flat order is tfjs row-major, so on a conv
 * kernel the pattern differs from PyTorch's [out, in, kh, kw] order; the count is the same.
 *
 * @example
 * prune.everyOtherEntry.apply(conv, 'kernel');
 */
export const everyOtherEntry: CustomMethod = definePruningMethod({
  name: 'EveryOtherEntry',
  kind: 'unstructured',
  computeMask: (t, mask) => {
    const flags = new Float32Array(t.size);
    for (let i = 1; i < flags.length; i += 2) flags[i] = 1;
    return tf.mul(mask, tf.tensor(flags, t.shape));
  },
});
