import type * as tf from '@tensorflow/tfjs';
import type { LayerKind } from './kind.js';
import { freshChannels, producerConstants, take } from './common.js';

/**
 * Embedding: a lookup table `[vocabulary, outputDim]`; the output channels are its columns (a new
 * channel set). A column that is all zero outputs 0 for every token.
 */
export const embeddingKind: LayerKind = {
  className: 'Embedding',
  summary: 'creates channels (embeddings axis 1); a lookup, no FLOPs',
  kernels: ['embeddings'],
  dims: { embeddings: () => ({ out: 1 }) },
  quantizable: ['embeddings'],
  propagate: freshChannels,
  constants: (ctx) => producerConstants(ctx.layer, ctx.config, 'embeddings', 1),
  slice(ctx) {
    ctx.config.outputDim = ctx.keptOut.length;
    return { embeddings: take(ctx.weights.get('embeddings')!, ctx.keptOut, 1) } as Record<string, tf.Tensor>;
  },
  channelWeights: [{ name: 'embeddings', axis: 1 }],
  importanceWeight: { name: 'embeddings', axis: 1 },
  flops: () => 0,
};
