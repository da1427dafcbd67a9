import type * as tf from '@tensorflow/tfjs';
import { LayerError, TensorError } from '../errors.js';
import { resolveImportance } from './resolve.js';
import type { ImportanceOrCriteria } from './resolve.js';
import { hasStructures, structureCount } from './structures.js';
import type { ImportanceOptions } from './types.js';

/** Options of {@link importanceScores}. */
export interface ImportanceScoresOptions extends ImportanceOptions {
  /** Layers (or layer names) to score; default: every layer with filters or neurons. */
  layers?: Array<tf.layers.Layer | string>;
}

/**
 * One importance score per output structure (conv filter, dense neuron) of each layer; higher
 * means more important. `importance` is a registered name ('l1', 'l2', 'random', 'bnScale',
 * 'activation', 'apoz', 'taylor', 'fpgm', 'tvs', 'lamp', or one you registered), your own
 * function, or a magnitude criteria name of the operators ('max', 'mean', 'l2Scaled'...). Data-driven criteria take `data` (inputs; labels for 'taylor' and 'tvs'). Every
 * result is checked: one finite score per structure. No tensor is left behind.
 *
 * @example
 * ```ts
 * const model = seedNet({ width: 0.125 });
 * const xs = tf.randomNormal([32, 32, 32, 3]);
 * const ys = tf.oneHot(tf.range(0, 32, 1, 'int32').mod(10), 10);
 * const scores = importanceScores(model, 'taylor', { data: { xs, ys }, layers: ['conv1', 'conv2'] });
 * scores.conv1.length; // 32 filters
 * ```
 */
export function importanceScores(
  model: tf.LayersModel,
  importance: ImportanceOrCriteria,
  options: ImportanceScoresOptions = {},
): Record<string, Float32Array> {
  const layers = (options.layers ?? model.layers.filter(hasStructures)).map((l) =>
    typeof l === 'string' ? model.getLayer(l) : l,
  );
  const score = resolveImportance(importance);
  const name = typeof importance === 'function' ? 'a user importance function' : `importance '${importance}'`;
  const out = score({ model, layers, options });
  for (const layer of layers) {
    const s = out[layer.name];
    if (!(s instanceof Float32Array)) {
      throw new LayerError(`${name} returned no Float32Array of scores for layer '${layer.name}'`);
    }
    const n = structureCount(layer);
    if (s.length !== n) {
      throw new TensorError(
        `${name} gave ${s.length} scores for layer '${layer.name}', which has ${n} structures`,
      );
    }
    const bad = s.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) {
      throw new TensorError(
        `${name} gave a non-finite score (${s[bad]}) to structure ${bad} of layer '${layer.name}'`,
      );
    }
  }
  return out;
}
