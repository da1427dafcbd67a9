import type * as tf from '@tensorflow/tfjs';
import type { LayerKind } from './kind.js';
import { extraPerOutput } from './conv.js';
import { foldIsNonzero, foldedBias, freshChannels, producerConstants, take } from './common.js';

/**
 * Dense: output units = kernel axis 1 (a new channel set); input entries = kernel axis 0. After a
 * Flatten each input channel owns h*w kernel rows. A removed input entry holding v folds exactly
 * into the bias as v * K[entry, :].
 */
export const denseKind: LayerKind = {
  className: 'Dense',
  summary: 'creates channels (kernel axis 1, bias); consumes input entries on kernel axis 0',
  kernels: ['kernel'],
  neurons: { weight: 'kernel', axes: (r) => [r - 1], bias: 'bias' },
  dims: { kernel: () => ({ in: 0, out: 1 }) },
  quantizable: ['kernel', 'bias'],
  blockPrunable: ['kernel'],
  propagate: freshChannels,
  constants: (ctx) => producerConstants(ctx.layer, ctx.config, 'kernel', 1),
  canFold: () => true,
  slice(ctx) {
    const kernel = ctx.weights.get('kernel')!;
    const units = kernel.shape[1] as number;
    const removed = ctx.removedIn[0];
    const contributions = take(kernel, removed, 0) as tf.Tensor2D;
    const bias = foldedBias(ctx.weights.get('bias'), removed, ctx.inputConsts[0], contributions, units);
    const out: Record<string, tf.Tensor> = {
      kernel: take(take(kernel, ctx.keptIn[0], 0), ctx.keptOut, 1),
    };
    if (ctx.weights.has('bias') || foldIsNonzero(removed, ctx.inputConsts[0])) {
      ctx.config.useBias = true;
      out.bias = take(bias, ctx.keptOut, 0);
    }
    ctx.config.units = ctx.keptOut.length;
    return out;
  },
  channelWeights: [
    { name: 'kernel', axis: 1 },
    { name: 'bias', axis: 0 },
  ],
  importanceWeight: { name: 'kernel', axis: 1 },
  flops({ config, inputShapes, outputShape }) {
    const cin = inputShapes[0][inputShapes[0].length - 1];
    const outputs = outputShape.slice(1).reduce((a, b) => a * b, 1);
    return 2 * cin * outputs + extraPerOutput(config) * outputs;
  },
};
