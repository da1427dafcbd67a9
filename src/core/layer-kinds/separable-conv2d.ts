import * as tf from '@tensorflow/tfjs';
import type { LayerKind } from './kind.js';
import { extraPerOutput, foldsWithPadding } from './conv.js';
import {
  foldIsNonzero,
  foldedBias,
  freshChannels,
  pair,
  producerConstants,
  sumOverTaps,
  take,
  weightByName,
} from './common.js';

/**
 * SeparableConv2D = depthwise (tied to the input channels, depth multiplier m) then pointwise
 * (1x1, creates the output channels). Removing input channel c removes depthwise slice
 * [:, :, c, :] and pointwise rows c*m .. c*m+m-1; the output channels are prunable filters.
 */
export const separableConv2dKind: LayerKind = {
  className: 'SeparableConv2D',
  summary:
    'depthwise part tied to input channels (depthwise_kernel axis 2); pointwise creates channels (pointwise_kernel axis 3, bias)',
  // Pointwise first: the `prune` operator's default weight.
  kernels: ['pointwise_kernel', 'depthwise_kernel'],
  // The filters of a separable conv are those of its pointwise (1x1) stage.
  filters: { weight: 'pointwise_kernel', axes: (r) => [r - 1], bias: 'bias' },
  dims: { depthwise_kernel: () => ({ in: 2 }), pointwise_kernel: () => ({ in: 2, out: 3 }) },
  quantizable: ['depthwise_kernel', 'pointwise_kernel', 'bias'],
  propagate: freshChannels,
  constants: (ctx) => producerConstants(ctx.layer, ctx.config, 'pointwise_kernel', 3),
  canFold: foldsWithPadding,
  slice(ctx) {
    const dw = ctx.weights.get('depthwise_kernel')!;
    const pw = ctx.weights.get('pointwise_kernel')!;
    const [, , cin, m] = dw.shape as number[];
    const units = pw.shape[3] as number;
    const removed = ctx.removedIn[0];
    // What one unit of input channel r adds to output o: sum_k (sum of depthwise taps) * pointwise.
    const perChannel = tf.mul(sumOverTaps(dw).reshape([cin, m, 1]), pw.reshape([cin, m, units])).sum(1);
    const contributions = take(perChannel, removed, 0) as tf.Tensor2D;
    const bias = foldedBias(ctx.weights.get('bias'), removed, ctx.inputConsts[0], contributions, units);
    const rows = ctx.keptIn[0].flatMap((c) => Array.from({ length: m }, (_, k) => c * m + k));
    const out: Record<string, tf.Tensor> = {
      depthwise_kernel: take(dw, ctx.keptIn[0], 2),
      pointwise_kernel: take(take(pw, rows, 2), ctx.keptOut, 3),
    };
    if (ctx.weights.has('bias') || foldIsNonzero(removed, ctx.inputConsts[0])) {
      ctx.config.useBias = true;
      out.bias = take(bias, ctx.keptOut, 0);
    }
    ctx.config.filters = ctx.keptOut.length;
    // tfjs leaves depthMultiplier out of SeparableConv2D.getConfig(): restore it from the kernel.
    ctx.config.depthMultiplier = m;
    return out;
  },
  channelWeights: [
    { name: 'pointwise_kernel', axis: 3 },
    { name: 'bias', axis: 0 },
  ],
  importanceWeight: { name: 'pointwise_kernel', axis: 3 },
  flops({ layer, config, inputShapes, outputShape }) {
    const [kh, kw] = pair(config.kernelSize);
    const m = weightByName(layer, 'depthwise_kernel').shape[3] as number;
    const cin = inputShapes[0][3];
    const [, ho, wo, cout] = outputShape;
    const depthwise = 2 * kh * kw * cin * m * ho * wo;
    const pointwise = 2 * cin * m * cout * ho * wo;
    return depthwise + pointwise + extraPerOutput(config) * ho * wo * cout;
  },
};
