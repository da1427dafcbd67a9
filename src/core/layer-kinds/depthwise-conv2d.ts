import * as tf from '@tensorflow/tfjs';
import type { LayerKind } from './kind.js';
import { extraPerOutput } from './conv.js';
import {
  activate,
  activationName,
  allVarying,
  evaluatePerChannel,
  opaque,
  pair,
  passThrough,
  take,
  weightByName,
  zeroSlices,
} from './common.js';

const multiplier = (config: Record<string, unknown>): number => Number(config.depthMultiplier ?? 1);
// (Read from the config: unlike SeparableConv2D, tfjs's DepthwiseConv2D.getConfig() includes it.)

/**
 * DepthwiseConv2D with depth multiplier 1: output channel c is computed from input channel c
 * only, so input and output share one channel set and are removed together. With a multiplier
 * > 1 (several outputs per input) its input and output channels are pinned (kept).
 */
export const depthwiseConv2dKind: LayerKind = {
  className: 'DepthwiseConv2D',
  summary: 'ties input and output channels (depthwise_kernel axis 2, bias); depth multiplier > 1 pins them',
  kernels: ['depthwise_kernel'],
  // Output channel c * mult + m is kernel slice [:, :, c, m].
  filters: { weight: 'depthwise_kernel', axes: () => [2, 3], bias: 'bias' },
  // [kh, kw, in, multiplier]: output channels mix two axes, so only 'in' has one axis.
  dims: { depthwise_kernel: () => ({ in: 2 }) },
  quantizable: ['depthwise_kernel', 'bias'],
  propagate(ctx) {
    if (multiplier(ctx.config) !== 1) {
      // Channels c*m .. c*m+m-1 all come from input channel c: the output is channel-major, which a
      // layout (position-major) cannot describe, and tfjs needs the same m for every channel.
      return opaque(ctx, 'a depth multiplier > 1 ties each input channel to m output channels');
    }
    return passThrough(ctx);
  },
  constants(ctx) {
    if (multiplier(ctx.config) !== 1) return allVarying(ctx.inputs[0].values.length);
    const field = evaluatePerChannel(ctx);
    // A zeroed depthwise filter outputs activation(bias) whatever its input channel holds.
    const zero = zeroSlices(weightByName(ctx.layer, 'depthwise_kernel'), 2);
    const bias = ctx.layer.weights.find((w) => w.originalName.endsWith('/bias'));
    const b = bias ? Float32Array.from(bias.read().dataSync()) : new Float32Array(zero.length);
    const acted = activate(activationName(ctx.config), b);
    zero.forEach((z, c) => {
      if (z) {
        field.varying[c] = 0;
        field.values[c] = acted[c];
      }
    });
    return field;
  },
  slice(ctx) {
    const out: Record<string, tf.Tensor> = {
      depthwise_kernel: take(ctx.weights.get('depthwise_kernel')!, ctx.keptIn[0], 2),
    };
    const bias = ctx.weights.get('bias');
    if (bias) out.bias = take(bias, ctx.keptOut, 0);
    return out;
  },
  channelWeights: [
    { name: 'depthwise_kernel', axis: 2 },
    { name: 'bias', axis: 0 },
  ],
  flops({ config, inputShapes, outputShape }) {
    const [kh, kw] = pair(config.kernelSize);
    const m = multiplier(config);
    const [, ho, wo] = outputShape;
    const cin = inputShapes[0][3];
    const outputs = ho * wo * cin * m;
    return 2 * kh * kw * outputs + extraPerOutput(config) * outputs;
  },
};
