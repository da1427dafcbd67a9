import type * as tf from '@tensorflow/tfjs';
import { LayerError } from '../../errors.js';
import type {
  ConstContext,
  ConstField,
  LayerConfig,
  LayerKind,
  PropagateContext,
  SliceContext,
} from './kind.js';
import { type ChannelLayout } from './channel-layout.js';
import {
  activate,
  allVarying,
  foldIsNonzero,
  foldedBias,
  freshChannels,
  noConstants,
  opaque,
  take,
  weightByName,
  zeroSlices,
} from './common.js';

/**
 * LSTM / GRU / SimpleRNN: kernel `[in, gates*units]`, recurrent_kernel `[units, gates*units]`,
 * bias `[gates*units]`, the gates side by side (LSTM i, f, c, o; GRU z, r, h). Their kernels are
 * pruned unstructured; `NeuronPrune` removes units: a unit's columns in every gate of the kernel
 * and the recurrent kernel, and its bias entries. Compaction goes through them: an input entry holding a constant v adds
 * v * kernel[entry, :] at every step, so it folds into the bias exactly; a unit whose columns in
 * every gate (kernel, recurrent kernel, bias) are zero has zero pre-activations, so starting from
 * a zero state it outputs activation(0) = 0 at every step and feeds nothing to the other units:
 * it is removed with its recurrent row. Stateful layers, layers returning their states or with
 * given initial states keep their channels; so do the units of one whose activation is not zero
 * at zero.
 */
function recurrent(className: string, gates: number): LayerKind {
  const units = (layer: tf.layers.Layer): number => weightByName(layer, 'recurrent_kernel').shape[0];
  /** Columns of unit `u` in every gate, for the kept units. */
  const gateColumns = (kept: number[], n: number): number[] =>
    Array.from({ length: gates }, (_, g) => kept.map((u) => g * n + u)).flat();
  const zeroAtZero = (config: LayerConfig): boolean => {
    const name = typeof config.activation === 'string' ? config.activation : 'tanh';
    return activate(name, new Float32Array([0]))[0] === 0;
  };
  const pinnedWhy = (config: LayerConfig, inputs: number): string | undefined => {
    if (inputs > 1) return `${className} starts from given initial states`;
    if (config.stateful) return `a stateful ${className} carries its state across batches`;
    if (config.returnState) return `${className} returns its states`;
    return undefined;
  };
  return {
    className,
    summary:
      'creates channels (units, across its gate columns); consumes input entries on kernel axis 0; ' +
      'units prune across their gate columns; kernel and recurrent_kernel prune unstructured',
    kernels: ['kernel', 'recurrent_kernel'],
    neurons: {
      weight: 'kernel',
      axes: (r) => [r - 1],
      bias: 'bias',
      gates,
      also: ['recurrent_kernel'],
    },
    dims: { kernel: () => ({ in: 0 }) },
    quantizable: ['kernel', 'recurrent_kernel', 'bias'],
    blockPrunable: ['kernel', 'recurrent_kernel'],
    propagate(ctx: PropagateContext): ChannelLayout {
      const why = pinnedWhy(ctx.config, ctx.inputs.length);
      return why ? opaque(ctx, why) : freshChannels(ctx);
    },
    constants(ctx: ConstContext): ConstField {
      if (pinnedWhy(ctx.config, ctx.inputs.length) || !zeroAtZero(ctx.config)) return noConstants(ctx);
      const n = units(ctx.layer);
      const zero = [
        zeroSlices(weightByName(ctx.layer, 'kernel'), 1),
        zeroSlices(weightByName(ctx.layer, 'recurrent_kernel'), 1),
        ctx.layer.weights.some((w) => w.originalName.endsWith('/bias'))
          ? zeroSlices(weightByName(ctx.layer, 'bias').reshape([-1, 1]), 0)
          : new Array<boolean>(gates * n).fill(true),
      ];
      const field = allVarying(n);
      for (let u = 0; u < n; u++) {
        const cols = gateColumns([u], n);
        if (zero.every((z) => cols.every((c) => z[c]))) field.varying[u] = 0;
      }
      return field;
    },
    canFold: () => true,
    slice(ctx: SliceContext): Record<string, tf.Tensor> {
      const kernel = ctx.weights.get('kernel')!;
      const recurrentKernel = ctx.weights.get('recurrent_kernel')!;
      const n = recurrentKernel.shape[0];
      const cols = gateColumns(ctx.keptOut, n);
      const removed = ctx.removedIn[0];
      const contributions = take(kernel, removed, 0) as tf.Tensor2D;
      const bias = foldedBias(ctx.weights.get('bias'), removed, ctx.inputConsts[0], contributions, gates * n);
      const out: Record<string, tf.Tensor> = {
        kernel: take(take(kernel, ctx.keptIn[0], 0), cols, 1),
        recurrent_kernel: take(take(recurrentKernel, ctx.keptOut, 0), cols, 1),
      };
      if (ctx.weights.has('bias') || foldIsNonzero(removed, ctx.inputConsts[0])) {
        ctx.config.useBias = true;
        out.bias = take(bias, cols, 0);
      }
      ctx.config.units = ctx.keptOut.length;
      return out;
    },
    flops({ layer, inputShapes }) {
      const [, steps, features] = inputShapes[0];
      if (steps === undefined || features === undefined) {
        throw new LayerError(
          `layer '${layer.name}' (${className}): expected a [batch, steps, features] input`,
        );
      }
      const gateUnits = gates * units(layer);
      // Per step: input and recurrent matmuls, bias, and about two elementwise ops per gate unit.
      return steps * (2 * (features + units(layer)) * gateUnits + 3 * gateUnits);
    },
  };
}

export const recurrentKinds: LayerKind[] = [
  recurrent('LSTM', 4),
  recurrent('GRU', 3),
  recurrent('SimpleRNN', 1),
];
