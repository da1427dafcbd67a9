import type * as tf from '@tensorflow/tfjs';
import type { LayerConfig, LayerKind } from './kind.js';
import {
  activationName,
  elements,
  foldIsNonzero,
  foldedBias,
  freshChannels,
  kernelTaps,
  producerConstants,
  sumOverTaps,
  take,
} from './common.js';

/**
 * A removed input channel holding constant v adds v * sum_taps K[..., c, :] to every output
 * position, but only when every kernel tap sees real input: with 'valid' padding it does; with
 * 'same' (or 'causal') padding the border taps read zeros, so only v = 0 folds exactly.
 */
export function foldsWithPadding(config: LayerConfig, value: number): boolean {
  // A 1x1 kernel never reaches into the padding, whatever the padding mode.
  const pointwise = [config.kernelSize].flat().every((k) => Number(k) === 1);
  return config.padding === 'valid' || pointwise || value === 0;
}

/** Bias add and a non-linear fused activation each cost one operation per output element. */
export function extraPerOutput(config: LayerConfig): number {
  return (config.useBias ? 1 : 0) + (activationName(config) === 'linear' ? 0 : 1);
}

const lastTwo = (rank: number) => ({ in: rank - 2, out: rank - 1 });

/**
 * Conv1D / Conv2D / Conv3D: kernel `[k..., in, out]`. Output channels are the last kernel axis (a
 * new channel set, the filters); input channels are the axis before it.
 */
function convolution(className: string, rank: number): LayerKind {
  return {
    className,
    summary:
      'creates channels (kernel last axis, bias); consumes input channels on the kernel axis before it',
    kernels: ['kernel'],
    filters: { weight: 'kernel', axes: (r) => [r - 1], bias: 'bias' },
    dims: { kernel: lastTwo },
    quantizable: ['kernel', 'bias'],
    blockPrunable: ['kernel'],
    propagate: freshChannels,
    constants: (ctx) => producerConstants(ctx.layer, ctx.config, 'kernel', rank - 1),
    canFold: foldsWithPadding,
    slice(ctx) {
      const kernel = ctx.weights.get('kernel')!;
      const units = kernel.shape[rank - 1];
      const removed = ctx.removedIn[0];
      const contributions = take(sumOverTaps(kernel), removed, 0) as tf.Tensor2D;
      const bias = foldedBias(ctx.weights.get('bias'), removed, ctx.inputConsts[0], contributions, units);
      const out: Record<string, tf.Tensor> = {
        kernel: take(take(kernel, ctx.keptIn[0], rank - 2), ctx.keptOut, rank - 1),
      };
      if (ctx.weights.has('bias') || foldIsNonzero(removed, ctx.inputConsts[0])) {
        ctx.config.useBias = true;
        out.bias = take(bias, ctx.keptOut, 0);
      }
      ctx.config.filters = ctx.keptOut.length;
      return out;
    },
    channelWeights: [
      { name: 'kernel', axis: rank - 1 },
      { name: 'bias', axis: 0 },
    ],
    importanceWeight: { name: 'kernel', axis: rank - 1 },
    flops({ layer, config, inputShapes, outputShape }) {
      const cin = inputShapes[0][inputShapes[0].length - 1];
      const outputs = elements(outputShape);
      return 2 * kernelTaps(layer, 'kernel') * cin * outputs + extraPerOutput(config) * outputs;
    },
  };
}

/**
 * Conv2DTranspose: kernel `[kh, kw, out, in]` (tfjs layout). Output channels are
 * the axis before last; input channels the last axis. An output position sums a varying number of
 * taps (borders, stride overlaps), so a removed input channel folds only when it holds 0.
 */
function transposedConvolution(className: string, rank: number): LayerKind {
  return {
    className,
    summary:
      'creates channels (kernel axis before last, bias); consumes input channels on the last kernel axis',
    kernels: ['kernel'],
    filters: { weight: 'kernel', axes: (r) => [r - 2], bias: 'bias' },
    dims: { kernel: (r) => ({ out: r - 2, in: r - 1 }) },
    quantizable: ['kernel', 'bias'],
    propagate: freshChannels,
    constants: (ctx) => producerConstants(ctx.layer, ctx.config, 'kernel', rank - 2),
    canFold: (_config, value) => value === 0,
    slice(ctx) {
      const kernel = ctx.weights.get('kernel')!;
      const out: Record<string, tf.Tensor> = {
        kernel: take(take(kernel, ctx.keptIn[0], rank - 1), ctx.keptOut, rank - 2),
      };
      const bias = ctx.weights.get('bias');
      if (bias) out.bias = take(bias, ctx.keptOut, 0);
      ctx.config.filters = ctx.keptOut.length;
      return out;
    },
    channelWeights: [
      { name: 'kernel', axis: rank - 2 },
      { name: 'bias', axis: 0 },
    ],
    importanceWeight: { name: 'kernel', axis: rank - 2 },
    flops({ layer, config, inputShapes, outputShape }) {
      const cout = outputShape[outputShape.length - 1];
      return (
        2 * kernelTaps(layer, 'kernel') * elements(inputShapes[0]) * cout +
        extraPerOutput(config) * elements(outputShape)
      );
    },
  };
}

/** Kernel ranks: spatial dims + 2. */
export const convolutionKinds: LayerKind[] = [
  convolution('Conv1D', 3),
  convolution('Conv2D', 4),
  convolution('Conv3D', 5),
  transposedConvolution('Conv2DTranspose', 4),
  // (Not Conv3DTranspose: in tfjs 4.22 a zeroed [:, :, :, o, :] kernel slice does not zero output
  // channel o, so its layout is not the one assumed here; unregistered, its channels are pinned.)
];
