import * as tf from '@tensorflow/tfjs';
import { TensorError } from '../errors.js';
import { assertFinite } from '../operators/values.js';
import { gatherSlices, liveSlices, scatterSlices } from './axisSlices.js';
import { resolveDim } from './dims.js';
import type { MaskInput, PruningMethod } from './methods.js';
import { applyMask, getMask, getWeightVariable, isPruned } from './state.js';

/** A weight ready for a pruning method: importance values and current mask, validated. */
export interface PruneTarget {
  layer: tf.layers.Layer;
  name: string;
  what: string;
  shape: number[];
  values: Float32Array;
  mask: Float32Array;
  pruned: boolean;
}

/**
 * Read `layer`'s weight `name` for pruning. Importance defaults to the effective (masked)
 * weight, as PyTorch does (`getattr(module, name)`), so structured norms after an unstructured
 * pass see the zeros.
 */
export function pruneTarget(layer: tf.layers.Layer, name: string, importanceScores?: tf.Tensor): PruneTarget {
  const v = getWeightVariable(layer, name);
  const what = `${layer.name}/${name}`;
  const shape = v.shape as number[];
  if (
    importanceScores &&
    (importanceScores.rank !== shape.length || importanceScores.shape.some((d, i) => d !== shape[i]))
  ) {
    throw new TensorError(
      `${what}: importance scores have shape [${importanceScores.shape.join(', ')}] but the weight has shape [${shape.join(', ')}]`,
    );
  }
  const values = Float32Array.from((importanceScores ?? v.read()).dataSync() as ArrayLike<number>);
  assertFinite(values, importanceScores ? `${what} importance scores` : what);
  const current = getMask(layer, name);
  const mask = current
    ? Float32Array.from(current.dataSync() as ArrayLike<number>)
    : new Float32Array(values.length).fill(1);
  return { layer, name, what, shape, values, mask, pruned: isPruned(layer, name) };
}

/**
 * The new mask of `method` on `target`, with PyTorch's PruningContainer semantics when the weight
 * is already pruned: an unstructured method sees only the unpruned entries (so a fraction is of
 * those), a structured one only the slices that still have a nonzero entry, a global one all.
 */
export function methodMask(method: PruningMethod, target: PruneTarget): Float32Array {
  const { values, shape, mask, what } = target;
  const axis =
    method.kind === 'structured'
      ? resolveDim(target.layer, target.name, shape.length, method.dim ?? 0)
      : undefined;
  const run = (input: Omit<MaskInput, 'what' | 'axis'>): Float32Array => {
    const out = method.computeMask({ ...input, axis, what });
    if (out.length !== input.values.length) {
      throw new TensorError(
        `${what}: ${method.name} returned ${out.length} mask entries for ${input.values.length} values`,
      );
    }
    return out;
  };
  if (!target.pruned || method.kind === 'global') return run({ values, shape, mask });
  const next = mask.slice();
  if (method.kind === 'unstructured') {
    // Typed arrays and plain loops: this runs over every weight of a network in global pruning.
    let count = 0;
    for (let i = 0; i < mask.length; i++) if (mask[i] === 1) count++;
    const live = new Uint32Array(count);
    const liveValues = new Float32Array(count);
    for (let i = 0, j = 0; i < mask.length; i++) {
      if (mask[i] === 1) {
        live[j] = i;
        liveValues[j++] = values[i];
      }
    }
    const part = run({ values: liveValues, shape: [count], mask: new Float32Array(count).fill(1) });
    for (let j = 0; j < count; j++) next[live[j]] = part[j];
    return next;
  }
  const keep = liveSlices(mask, shape, axis!);
  const subShape = shape.map((d, i) => (i === axis ? keep.length : d));
  const part = run({
    values: gatherSlices(values, shape, axis!, keep),
    shape: subShape,
    mask: gatherSlices(mask, shape, axis!, keep),
  });
  scatterSlices(next, shape, axis!, keep, part);
  return next;
}

/** Store `mask` on the target weight (it multiplies any mask already there). */
export function commitMask(target: PruneTarget, mask: Float32Array): void {
  const m = tf.tensor(mask, target.shape);
  try {
    applyMask(target.layer, target.name, m);
  } finally {
    m.dispose();
  }
}

/** Apply `method` to `layer`'s weight `name` (PyTorch's `BasePruningMethod.apply`). */
export function applyMethod(
  layer: tf.layers.Layer,
  name: string,
  method: PruningMethod,
  importanceScores?: tf.Tensor,
): void {
  const target = pruneTarget(layer, name, importanceScores);
  commitMask(target, methodMask(method, target));
}
