import type * as tf from '@tensorflow/tfjs';
import { LayerError } from '../../errors.js';
import type { FlopsContext, LayerConfig, LayerKind } from './kind.js';
import { noConstants, opaque } from './common.js';
import { layerKind } from './registry.js';

/** FLOPs of a wrapped layer on `inputShape` (batch first), through its own registry entry. */
function innerFlops(outer: tf.layers.Layer, inner: tf.layers.Layer, inputShape: number[]): number {
  const kind = layerKind(inner.getClassName());
  if (!kind) {
    throw new LayerError(
      `layer '${outer.name}' wraps a ${inner.getClassName()}, which has no registered layer kind`,
    );
  }
  const outputShape = inner.computeOutputShape(inputShape) as number[];
  return kind.flops({
    layer: inner,
    config: inner.getConfig() as LayerConfig,
    inputShapes: [inputShape],
    outputShape: [1, ...outputShape.slice(1)],
  });
}

/**
 * TimeDistributed applies its layer to every time step; Bidirectional runs its recurrent layer
 * forwards and backwards. Their channels are pinned (the wrapped weights are not sliced); FLOPs
 * are the wrapped layer's, per step or twice; their prunable and quantizable weights are the
 * wrapped layers' (`wrapped`).
 */
export const timeDistributedKind: LayerKind = {
  className: 'TimeDistributed',
  summary: 'pins channels; FLOPs of the wrapped layer per time step',
  propagate: (ctx) => opaque(ctx, 'the wrapped layer is not sliced'),
  constants: noConstants,
  wrapped: (layer) => [(layer as unknown as { layer: tf.layers.Layer }).layer],
  flops({ layer, inputShapes }: FlopsContext) {
    const inner = (layer as unknown as { layer: tf.layers.Layer }).layer;
    const [, steps, ...rest] = inputShapes[0];
    return steps * innerFlops(layer, inner, [1, ...rest]);
  },
};

export const bidirectionalKind: LayerKind = {
  className: 'Bidirectional',
  summary: 'pins channels; FLOPs of the wrapped layer twice',
  propagate: (ctx) => opaque(ctx, 'the wrapped recurrent layers are not sliced'),
  constants: noConstants,
  wrapped(layer) {
    const w = layer as unknown as { forwardLayer: tf.layers.Layer; backwardLayer: tf.layers.Layer };
    return [w.forwardLayer, w.backwardLayer];
  },
  flops({ layer, inputShapes }: FlopsContext) {
    const w = layer as unknown as { forwardLayer: tf.layers.Layer; backwardLayer: tf.layers.Layer };
    return (
      innerFlops(layer, w.forwardLayer, inputShapes[0]) + innerFlops(layer, w.backwardLayer, inputShapes[0])
    );
  },
};
