import type * as tf from '@tensorflow/tfjs';
import type { LayerKind } from './kind.js';
import { allVarying, elements, evaluatePerChannel, opaque, passThrough, take } from './common.js';

/** BN normalises each entry of its axis on its own; only the last (channel) axis is supported. */
function onLastAxis(config: Record<string, unknown>, rank: number): boolean {
  const axis = Number(config.axis ?? -1);
  return axis === -1 || axis === rank - 1;
}

/**
 * BatchNormalization over the channel axis: per-channel gamma, beta, moving mean and variance are
 * sliced with the channels. A constant channel stays constant (beta - gamma*mean/sqrt(var+eps)
 * for a zero input), which compaction folds into the next layer's bias.
 */
export const batchNormalizationKind: LayerKind = {
  className: 'BatchNormalization',
  summary:
    'keeps channels; gamma, beta, moving_mean, moving_variance sliced on axis 0 (channel axis last only)',
  // gamma is not a kernel (Prune leaves it), but the `prune` operator may zero it when asked.
  pruneDefault: 'gamma',
  quantizable: ['gamma', 'beta', 'moving_mean', 'moving_variance'],
  propagate(ctx) {
    if (!onLastAxis(ctx.config, ctx.inputShapes[0].length)) {
      return opaque(ctx, 'it normalises over a non-channel axis, which couples channels');
    }
    return passThrough(ctx);
  },
  constants(ctx) {
    if (!onLastAxis(ctx.config, ctx.inputShapes[0].length)) {
      return allVarying(Number(ctx.outputShape[ctx.outputShape.length - 1]));
    }
    return evaluatePerChannel(ctx);
  },
  slice(ctx) {
    const out: Record<string, tf.Tensor> = {};
    for (const [name, w] of ctx.weights) out[name] = take(w, ctx.keptOut, 0);
    return out;
  },
  channelWeights: [
    { name: 'gamma', axis: 0 },
    { name: 'beta', axis: 0 },
  ],
  // Inference BN is a scale and a shift per element.
  flops: ({ outputShape }) => 2 * elements(outputShape),
};
