import * as tf from '@tensorflow/tfjs';
import { LayerError, TensorError } from '../errors.js';

/**
 * Pruning as a reparametrisation, as in `torch.nn.utils.prune`: a pruned weight keeps its
 * original values and a 0/1 mask, and the layer's variable always holds the effective value
 * `orig * mask`. Keeping the effective value in the variable (rather than masking in the
 * forward pass, which tfjs layers cannot hook) means `layer.getWeights()`, `model.predict` and
 * saving all see the pruned model with no extra work; training must re-apply the masks after
 * every optimizer step (`applyMasks`), which keeps pruned entries at exactly zero.
 *
 * The original values at masked positions are kept in `orig`; at unmasked positions the
 * variable itself is the original (it is what training updates), so `getOriginal` merges the two.
 */
interface PrunedWeight {
  /** Values the weight had when first pruned (only its masked positions stay meaningful). */
  orig: tf.Tensor;
  mask: tf.Tensor;
}

const state = new WeakMap<tf.layers.Layer, Map<string, PrunedWeight>>();

/** The short name of a layer weight: `conv1/kernel` -> `kernel`. */
export function shortWeightName(variable: tf.LayerVariable): string {
  const parts = variable.originalName.split('/');
  return parts[parts.length - 1];
}

/**
 * The name of `variable` within `layer`: its short name (`kernel`), unless another weight of the
 * layer has the same short name (a Bidirectional wrapper holds a forward and a backward `kernel`);
 * then its path below the layer (`forward_lstm/kernel`). Masks, quantization records and scheme
 * targets are keyed by this name, so two weights never share one.
 */
export function weightKey(layer: tf.layers.Layer, variable: tf.LayerVariable): string {
  const short = shortWeightName(variable);
  const clashes = layer.weights.some((w) => w !== variable && shortWeightName(w) === short);
  if (!clashes) return short;
  const prefix = `${layer.name}/`;
  const path = variable.originalName;
  return path.startsWith(prefix) ? path.slice(prefix.length) : path;
}

/** Names of a layer's weights (`kernel`, `bias`, `gamma`, ...; see {@link weightKey} for clashes). */
export function weightNames(layer: tf.layers.Layer): string[] {
  return layer.weights.map((w) => weightKey(layer, w));
}

/**
 * The variable behind `layer`'s weight `name`. Throws a `LayerError` listing the layer's
 * weights when there is no such weight.
 */
export function getWeightVariable(layer: tf.layers.Layer, name: string): tf.LayerVariable {
  const v = layer.weights.find((w) => weightKey(layer, w) === name);
  if (!v) {
    const have = weightNames(layer);
    throw new LayerError(
      `layer '${layer.name}' (${layer.getClassName()}) has no weight '${name}'; ` +
        (have.length ? `its weights are: ${have.join(', ')}` : 'it has no weights'),
    );
  }
  return v;
}

/** The current (effective) value of a weight, as a new tensor the caller owns. */
export function readWeight(layer: tf.layers.Layer, name: string): tf.Tensor {
  return getWeightVariable(layer, name).read().clone();
}

/** Overwrite a weight's value (shape must match). Masks, if any, are re-applied. */
export function writeWeight(layer: tf.layers.Layer, name: string, value: tf.Tensor): void {
  const v = getWeightVariable(layer, name);
  assertSameShape(layer, name, v.shape as number[], value.shape);
  const p = state.get(layer)?.get(name);
  if (p) {
    tf.tidy(() => {
      v.write(tf.mul(value, p.mask));
    });
  } else {
    v.write(value);
  }
}

/** The 0/1 mask of a pruned weight (a tensor owned by the pruning state: do not dispose), or null. */
export function getMask(layer: tf.layers.Layer, name: string): tf.Tensor | null {
  getWeightVariable(layer, name);
  return state.get(layer)?.get(name)?.mask ?? null;
}

/** Whether `layer` (or its weight `name`) carries a pruning mask. */
export function isPruned(layer: tf.layers.Layer, name?: string): boolean {
  const m = state.get(layer);
  if (!m) return false;
  return name === undefined ? m.size > 0 : m.has(name);
}

/**
 * The original (unpruned) value of a weight: the variable where the mask is 1 (training may
 * have updated it), the value saved at pruning time where the mask is 0. Caller owns the result.
 */
export function getOriginal(layer: tf.layers.Layer, name: string): tf.Tensor {
  const v = getWeightVariable(layer, name);
  const p = state.get(layer)?.get(name);
  if (!p) return v.read().clone();
  return tf.tidy(() => tf.add(tf.mul(v.read(), p.mask), tf.mul(p.orig, tf.sub(1, p.mask))));
}

/**
 * Attach `mask` to a weight, multiplying with any mask already there (PyTorch's iterative
 * semantics), and write the effective value into the variable. The mask is validated (shape,
 * finite 0/1 values) before anything changes, so a bad mask leaves the layer untouched.
 * The caller keeps ownership of `mask`; the state stores its own copy.
 */
export function applyMask(layer: tf.layers.Layer, name: string, mask: tf.Tensor): void {
  const v = getWeightVariable(layer, name);
  assertSameShape(layer, name, v.shape as number[], mask.shape);
  const bad = tf.tidy(() => tf.logicalAnd(tf.notEqual(mask, 0), tf.notEqual(mask, 1)).any().dataSync()[0]);
  if (bad) {
    throw new TensorError(`mask for ${layer.name}/${name} must hold only 0 and 1`);
  }
  let layerState = state.get(layer);
  if (!layerState) {
    layerState = new Map();
    state.set(layer, layerState);
  }
  const prev = layerState.get(name);
  const orig = prev ? getOriginal(layer, name) : tf.keep(v.read().clone());
  const combined = tf.keep(prev ? tf.mul(prev.mask, mask) : tf.cast(mask, 'float32'));
  if (prev) {
    prev.orig.dispose();
    prev.mask.dispose();
  }
  layerState.set(name, { orig: tf.keep(orig), mask: combined });
  tf.tidy(() => {
    v.write(tf.mul(orig, combined));
  });
}

/**
 * Make pruning of a weight permanent: the variable keeps its effective (masked) value and the
 * original values and mask are dropped. Throws if the weight is not pruned, as PyTorch does.
 */
export function remove(layer: tf.layers.Layer, name: string): void {
  const p = state.get(layer)?.get(name);
  if (!p) {
    throw new LayerError(`${layer.name}/${name} is not pruned; nothing to remove`);
  }
  p.orig.dispose();
  p.mask.dispose();
  state.get(layer)!.delete(name);
}

/** Every pruned weight of a model, in layer order. Masks are owned by the state. */
export function prunedWeights(
  model: tf.LayersModel,
): Array<{ layer: tf.layers.Layer; name: string; mask: tf.Tensor }> {
  const out: Array<{ layer: tf.layers.Layer; name: string; mask: tf.Tensor }> = [];
  for (const layer of model.layers) {
    for (const [name, p] of state.get(layer) ?? []) out.push({ layer, name, mask: p.mask });
  }
  return out;
}

/**
 * Re-apply every mask of `model` to its variables. Call after each optimizer step so pruned
 * entries stay exactly zero (gradient updates, momentum and weight decay would revive them).
 */
export function applyMasks(model: tf.LayersModel): void {
  tf.tidy(() => {
    for (const { layer, name, mask } of prunedWeights(model)) {
      const v = getWeightVariable(layer, name);
      v.write(tf.mul(v.read(), mask));
    }
  });
}

/** Drop all pruning state of `model` (masks become permanent; tensors are freed). */
export function clearPruning(model: tf.LayersModel): void {
  for (const { layer, name } of prunedWeights(model)) remove(layer, name);
}

/**
 * Copy the pruning state of `src` onto `dst`, matching layers by name (for clones made by
 * serialising a model). `dst`'s variables are assumed to already hold the effective values.
 */
export function copyPruning(src: tf.LayersModel, dst: tf.LayersModel): void {
  for (const { layer, name } of prunedWeights(src)) {
    const target = dst.getLayer(layer.name);
    const p = state.get(layer)!.get(name)!;
    let s = state.get(target);
    if (!s) {
      s = new Map();
      state.set(target, s);
    }
    s.get(name)?.orig.dispose();
    s.get(name)?.mask.dispose();
    s.set(name, { orig: tf.keep(p.orig.clone()), mask: tf.keep(p.mask.clone()) });
  }
}

/**
 * A `model.fit` callback that re-applies masks after every batch, so `model.fit` can fine-tune
 * a pruned model without reviving pruned weights.
 */
export class MaskEnforcer extends tf.Callback {
  constructor(private readonly target: tf.LayersModel) {
    super();
  }
  override async onBatchEnd(): Promise<void> {
    applyMasks(this.target);
  }
}

function assertSameShape(layer: tf.layers.Layer, name: string, want: number[], got: number[]): void {
  if (want.length !== got.length || want.some((d, i) => d !== got[i])) {
    throw new TensorError(
      `${layer.name}/${name} has shape [${want.join(', ')}] but the value given has shape [${got.join(', ')}]`,
    );
  }
}
