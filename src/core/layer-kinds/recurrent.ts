import { LayerError } from '../../errors.js';
import type { LayerKind } from './kind.js';
import { noConstants, opaque, weightByName } from './common.js';

/**
 * LSTM / GRU / SimpleRNN: kernel `[in, gates*units]`, recurrent_kernel `[units, gates*units]`.
 * Their kernels are pruned unstructured; a unit feeds every gate of the next step, so removing
 * units or input channels is not attempted: their channels are pinned.
 */
function recurrent(className: string, gates: number): LayerKind {
  return {
    className,
    summary: 'pins channels; kernel and recurrent_kernel prune unstructured',
    kernels: ['kernel', 'recurrent_kernel'],
    dims: { kernel: () => ({ in: 0 }) },
    quantizable: ['kernel', 'recurrent_kernel', 'bias'],
    blockPrunable: ['kernel', 'recurrent_kernel'],
    propagate: (ctx) => opaque(ctx, `${className} units feed every gate of the next time step`),
    constants: noConstants,
    flops({ layer, inputShapes }) {
      const [, steps, features] = inputShapes[0];
      if (steps === undefined || features === undefined) {
        throw new LayerError(
          `layer '${layer.name}' (${className}): expected a [batch, steps, features] input`,
        );
      }
      const units = weightByName(layer, 'recurrent_kernel').shape[0];
      const gateUnits = gates * units;
      // Per step: input and recurrent matmuls, bias, and about two elementwise ops per gate unit.
      return steps * (2 * (features + units) * gateUnits + 3 * gateUnits);
    },
  };
}

export const recurrentKinds: LayerKind[] = [
  recurrent('LSTM', 4),
  recurrent('GRU', 3),
  recurrent('SimpleRNN', 1),
];
