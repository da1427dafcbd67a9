// The README's "Extending: a new layer kind" example, as a file a test imports: one registration
// teaches pruning, compaction and FLOPs counting about the custom ChannelScale layer.
import type * as tf from '@tensorflow/tfjs';
import {
  evaluatePerChannel,
  passThrough,
  registerLayerKind,
  take,
} from '../../src/core/layer-kinds/index.js';

registerLayerKind({
  className: 'ChannelScale',
  summary: 'keeps channels (one scale per channel, sliced with them)',
  quantizable: ['scale'],
  // Channel c of the output depends on channel c of the input only.
  propagate: passThrough,
  // Runs the layer on constant inputs to see which channels stay constant.
  constants: evaluatePerChannel,
  // When channels go, their scales go with them.
  slice: (ctx) => ({ scale: take(ctx.weights.get('scale')!, ctx.keptOut, 0) }) as Record<string, tf.Tensor>,
  // One multiply per output element.
  flops: ({ outputShape }) => outputShape.slice(1).reduce((a, b) => a * b, 1),
});
