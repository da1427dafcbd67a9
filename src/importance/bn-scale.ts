import type * as tf from '@tensorflow/tfjs';
import { LayerError } from '../errors.js';
import { readWeight } from '../pruning/state.js';
import type { ImportanceCriterion } from './registry.js';
import { perLayer, structureCount } from './structures.js';

// Layers that map channel c to channel c alone: a BatchNormalization behind them still scales
// the layer's channel c (seedNet's conv -> pool -> batch norm).
const PER_CHANNEL = new Set([
  'MaxPooling1D',
  'MaxPooling2D',
  'AveragePooling1D',
  'AveragePooling2D',
  'Activation',
  'ReLU',
  'LeakyReLU',
  'Dropout',
  'SpatialDropout2D',
  'ZeroPadding2D',
]);

/** The single layer consuming `layer`'s output, or null when there are none or several. */
function soleConsumer(layer: tf.layers.Layer): tf.layers.Layer | null {
  const consumers = layer.outboundNodes.map((n) => n.outboundLayer as tf.layers.Layer);
  return consumers.length === 1 ? consumers[0] : null;
}

/** The BatchNormalization that normalises `layer`'s output channels, looking through per-channel layers. */
export function batchNormOf(layer: tf.layers.Layer): tf.layers.Layer {
  let at = soleConsumer(layer);
  while (at && PER_CHANNEL.has(at.getClassName())) at = soleConsumer(at);
  if (!at || at.getClassName() !== 'BatchNormalization') {
    throw new LayerError(
      `bnScale: no BatchNormalization consumes the output of layer '${layer.name}' (only per-channel layers such as pooling may sit between); use another importance for this layer or exclude it`,
    );
  }
  return at;
}

/**
 * 'bnScale' (Liu et al., "network slimming"): |gamma| of the BatchNormalization that directly
 * follows the layer, through per-channel layers (pooling, activations, dropout). The scale is
 * what the channel contributes after normalisation, so a small |gamma| means a silent channel;
 * L1 regularisation of gamma in training sharpens it.
 */
export const bnScale: ImportanceCriterion = {
  needs: 'none',
  description: '|gamma| of the BatchNormalization after the filter',
  score: ({ layers }) =>
    perLayer(layers, (layer) => {
      const bn = batchNormOf(layer);
      const g = readWeight(bn, 'gamma');
      try {
        const scores = Float32Array.from(g.dataSync(), Math.abs);
        if (scores.length !== structureCount(layer)) {
          throw new LayerError(
            `bnScale: '${bn.name}' has ${scores.length} channels but layer '${layer.name}' has ${structureCount(layer)} filters`,
          );
        }
        return scores;
      } finally {
        g.dispose();
      }
    }),
};
