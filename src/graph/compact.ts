import * as tf from '@tensorflow/tfjs';
import { LayerError } from '../errors.js';
import { shortWeightName } from '../pruning/state.js';
import { dependencyGraph } from './dependency-graph.js';
import { foldForInference } from './fold.js';
import { type LayerConfig, keptEntries, removedEntries } from '../core/layer-kinds/index.js';
import { type CompactionPlan, planCompaction } from './plan.js';

interface LayerEntry {
  name?: string;
  className: string;
  config: LayerConfig;
}

/**
 * A new, physically smaller `LayersModel` computing the same function as `model`: every channel
 * that is fully pruned in its group (see `planCompaction`) is removed, with kernels, biases, BN
 * parameters and the next layers' input slices cut accordingly (through Flatten, Concatenate and
 * residual Adds). A pruned channel that still emits a constant (BN after pooling, ReLU(bias),
 * ...) is folded into the consuming layer's bias, so the compacted model matches the masked one
 * to float rounding. `model` is not changed; the result carries no pruning masks.
 *
 * 'same'-padded convolutions wider than 1x1: a nonzero constant channel cannot be folded exactly
 * (border taps see zero padding), so such a channel is kept rather than changing the function.
 * Channels a layer kind cannot go without (unknown classes, LayerNormalization, merges of
 * differently grouped inputs...) are kept too; the plan's `pinned` says which and why. Group pruning
 * (`filterPruneGroups`) zeroes BN gamma/beta along with the filter, which makes the channel
 * exactly zero and removable everywhere.
 *
 * With `{ fold: true }` the result is an inference export: batch norms folded into their
 * convolutions, identity layers removed and activations fused (see `foldForInference`); it
 * predicts the same outputs but its batch norms can no longer be trained.
 *
 * @example
 * ```ts
 * filterPruneGroups(model, { density: 0.5 });
 * const small = compact(model);
 * const deployed = compact(model, { fold: true });
 * console.log(countFlops(model).total, countFlops(small).total, deployed.layers.length);
 * ```
 */
export function compact(model: tf.LayersModel, opts: CompactOptions = {}): tf.LayersModel {
  const small = compactWithPlan(model).model;
  if (!opts.fold) return small;
  try {
    return foldForInference(small).model;
  } finally {
    small.dispose();
  }
}

/** Options of `compact`. */
export interface CompactOptions {
  /** Also fold batch norms, drop identity layers and fuse activations (inference only). Default false. */
  fold?: boolean;
}

/** `compact`, also returning the plan (which groups lost how many channels). */
export function compactWithPlan(model: tf.LayersModel): { model: tf.LayersModel; plan: CompactionPlan } {
  const graph = dependencyGraph(model);
  const plan = planCompaction(graph);
  const topology = JSON.parse(JSON.stringify(model.getConfig())) as { layers: LayerEntry[] };
  const entries = new Map(topology.layers.map((l) => [String(l.config.name ?? l.name), l]));
  const newWeights = new Map<string, Record<string, tf.Tensor>>();
  // Layers without a slice rule keep all their channels (the plan pins them): their weights are
  // copied in order, as short names can repeat (a Bidirectional's two 'kernel's).
  const copied = new Map<string, tf.Tensor[]>();
  const done = new Set<tf.layers.Layer>();
  try {
    for (const node of graph.nodes) {
      // A shared layer has one node per application but one set of weights (its channels are pinned).
      if (done.has(node.layer)) continue;
      done.add(node.layer);
      const slice = node.kind?.slice;
      if (!slice) {
        if (node.layer.weights.length > 0)
          copied.set(
            node.layer.name,
            node.layer.getWeights().map((w) => w.clone()),
          );
        continue;
      }
      const entry = entries.get(node.layer.name);
      if (!entry) throw new LayerError(`layer '${node.layer.name}' is missing from the model's config`);
      const weights = new Map(node.layer.weights.map((w) => [shortWeightName(w), w.read()]));
      // A weightless kind may still rewrite its config (a Reshape's target shape).
      const sliced = tf.tidy(() =>
        slice({
          layer: node.layer,
          config: entry.config,
          weights,
          keptIn: node.inputs.map((t) => keptEntries(t.layout, graph.spaces, plan.keep)),
          removedIn: node.inputs.map((t) => removedEntries(t.layout, graph.spaces, plan.keep)),
          inputConsts: node.inputs.map((t) => plan.constants.get(t.id)!),
          keptOut: keptEntries(node.output.layout, graph.spaces, plan.keep),
        }),
      );
      newWeights.set(node.layer.name, materialize(sliced));
    }
    const rebuilt = (
      model.getClassName() === 'Sequential'
        ? tf.Sequential.fromConfig(tf.Sequential, topology as never, {}, true)
        : tf.LayersModel.fromConfig(tf.LayersModel, topology as never, {}, true)
    ) as tf.LayersModel;
    for (const layer of rebuilt.layers) {
      const kept = copied.get(layer.name);
      if (kept) layer.setWeights(kept);
      const w = newWeights.get(layer.name);
      if (!w || layer.weights.length === 0) continue;
      layer.setWeights(
        layer.weights.map((v) => {
          const t = w[shortWeightName(v)];
          if (!t)
            throw new LayerError(`compaction produced no '${shortWeightName(v)}' for layer '${layer.name}'`);
          return t;
        }),
      );
    }
    return { model: rebuilt, plan };
  } finally {
    for (const w of newWeights.values()) tf.dispose(Object.values(w));
    for (const w of copied.values()) tf.dispose(w);
  }
}

/**
 * Fresh tensors with their own data. On the wasm backend, Gather and Reshape outputs share a data
 * buffer whose recorded shape is not the tensor's (e.g. a [4] bias recorded as [1, 1, 4, 1]), and
 * the fused Conv2D/MatMul kernels then reject the bias; copying the values avoids that.
 */
function materialize(weights: Record<string, tf.Tensor>): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const [name, t] of Object.entries(weights)) {
    out[name] = tf.tensor(t.dataSync(), t.shape, t.dtype);
    t.dispose();
  }
  return out;
}
