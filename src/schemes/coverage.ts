import type * as tf from '@tensorflow/tfjs';
import { weightNames } from '../pruning/state.js';
import type { SkippedLayer } from './report.js';
import { matchesLayer } from './select.js';
import type { LayerSelection } from './select.js';

/**
 * Which layers a scheme is *meant for*, independent of the classes it can handle today: the gap
 * between the two is what `pi` reports as skipped (and `strict` refuses). Broad on purpose: a
 * layer the user would expect a scheme to touch must never be passed over silently.
 */
export type LayerFamily = (layer: tf.layers.Layer) => boolean;

/** Layers with a kernel-like weight (`kernel`, `recurrent_kernel`, `depthwise_kernel`, ...). */
export const kernelLayers: LayerFamily = (layer) => weightNames(layer).some((n) => n.endsWith('kernel'));

/** Convolutions of any rank or form: their structures are filters. */
export const convLayers: LayerFamily = (layer) => /Conv/.test(layer.getClassName()) && kernelLayers(layer);

/** Layers whose structures are output units (neurons): Dense and the recurrent layers. */
export const unitLayers: LayerFamily = (layer) =>
  /^(Dense|LSTM|GRU|SimpleRNN|RNN|Bidirectional|TimeDistributed)$/.test(layer.getClassName()) &&
  kernelLayers(layer);

/** Layers of `classes` (a family spelled out by the user, e.g. `layerTypes`). */
export function classLayers(classes: readonly string[]): LayerFamily {
  return (layer) => classes.includes(layer.getClassName());
}

/**
 * The layers of `model` that pass the selection and belong to `family` (or that an `include`
 * pattern names and that carry weights) but are not among `compressed`: each with why.
 */
export function skippedLayers(
  model: tf.LayersModel,
  sel: LayerSelection,
  family: LayerFamily,
  compressed: readonly tf.layers.Layer[],
  protectedOutputs: ReadonlySet<tf.layers.Layer>,
  scheme: { kind: string; classes: readonly string[] },
): SkippedLayer[] {
  const any = (layer: tf.layers.Layer, list?: LayerSelection['include']): boolean =>
    (list ?? []).some((p) => matchesLayer(layer, p));
  const handled = new Set(compressed);
  const out: SkippedLayer[] = [];
  for (const layer of model.layers) {
    if (handled.has(layer) || layer.weights.length === 0) continue;
    if (any(layer, sel.exclude) || any(layer, sel.noCompress)) continue;
    const included = sel.include !== undefined && any(layer, sel.include);
    if (sel.include !== undefined && !included) continue;
    if (!included && !family(layer)) continue;
    const className = layer.getClassName();
    if (protectedOutputs.has(layer) && scheme.classes.includes(className)) {
      out.push({
        layer: layer.name,
        className,
        cause: 'output',
        reason: 'produces a model output, which structured schemes protect (protectOutputs: false prunes it)',
      });
    } else {
      out.push({
        layer: layer.name,
        className,
        cause: 'unsupported',
        reason: `${scheme.kind} does not handle ${className} layers (it handles ${scheme.classes.join(', ')})`,
      });
    }
  }
  return out;
}
