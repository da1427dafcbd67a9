import * as tf from '@tensorflow/tfjs';
import type { LayerConfig, LayerKind } from '../registry.js';
import {
  activationName,
  foldIsNonzero,
  foldedBias,
  freshChannels,
  pair,
  producerConstants,
  sumOverTaps,
  take,
} from './common.js';

/**
 * A removed input channel holding constant v adds v * sum_{kh,kw} K[kh, kw, c, :] to every
 * output position, but only when every kernel tap sees real input: with 'valid' padding it
 * does; with 'same' padding the border taps read zeros, so only v = 0 folds exactly.
 */
export function foldsWithPadding(config: LayerConfig, value: number): boolean {
  return config.padding === 'valid' || value === 0;
}

/** Conv2D: output channels = last kernel axis (a new channel set); input channels = kernel axis 2. */
export const conv2dKind: LayerKind = {
  className: 'Conv2D',
  summary: 'creates channels (kernel axis 3, bias); consumes input channels on kernel axis 2',
  propagate: freshChannels,
  constants: (ctx) => producerConstants(ctx.layer, ctx.config, 'kernel', 3),
  canFold: foldsWithPadding,
  slice(ctx) {
    const kernel = ctx.weights.get('kernel')!;
    const units = kernel.shape[3] as number;
    const removed = ctx.removedIn[0];
    const contributions = take(sumOverTaps(kernel), removed, 0) as tf.Tensor2D;
    const bias = foldedBias(ctx.weights.get('bias'), removed, ctx.inputConsts[0], contributions, units);
    const out: Record<string, tf.Tensor> = {
      kernel: take(take(kernel, ctx.keptIn[0], 2), ctx.keptOut, 3),
    };
    if (ctx.weights.has('bias') || foldIsNonzero(removed, ctx.inputConsts[0])) {
      ctx.config.useBias = true;
      out.bias = take(bias, ctx.keptOut, 0);
    }
    ctx.config.filters = ctx.keptOut.length;
    return out;
  },
  channelWeights: [
    { name: 'kernel', axis: 3 },
    { name: 'bias', axis: 0 },
  ],
  importanceWeight: { name: 'kernel', axis: 3 },
  flops({ config, inputShapes, outputShape }) {
    const [kh, kw] = pair(config.kernelSize);
    const cin = inputShapes[0][3];
    const [, ho, wo, cout] = outputShape;
    const positions = ho * wo * cout;
    return 2 * kh * kw * cin * positions + extraPerOutput(config) * positions;
  },
};

/** Bias add and a non-linear fused activation each cost one operation per output element. */
export function extraPerOutput(config: LayerConfig): number {
  return (config.useBias ? 1 : 0) + (activationName(config) === 'linear' ? 0 : 1);
}
