import type { LayerKind } from './kind.js';
import { allVarying, elements, evaluatePerChannel, opaque } from './common.js';
import type { PropagateContext } from './kind.js';
import type { ChannelLayout } from './channel-layout.js';

/**
 * Elementwise merges tie their inputs' channels one to one: all inputs and the output share one
 * channel set (a residual stage), so a channel is removed only when it is removable in every branch.
 * Inputs whose channel sets cannot be matched one to one are pinned (kept) instead.
 */
export function tieInputs(ctx: PropagateContext): ChannelLayout {
  const [first, ...rest] = ctx.inputs;
  for (const other of rest) {
    const same =
      other.positions === first.positions &&
      other.segments.length === first.segments.length &&
      other.segments.every((s, i) => s.size === first.segments[i].size);
    if (!same) {
      return opaque(
        ctx,
        'it merges inputs whose channels are grouped differently (e.g. a Concatenate on one side only)',
      );
    }
  }
  for (const other of rest) {
    other.segments.forEach((s, i) => ctx.spaces.union(first.segments[i].space, s.space));
  }
  return first;
}

function merge(className: string): LayerKind {
  return {
    className,
    summary: 'all inputs and the output share one channel set',
    propagate: tieInputs,
    constants: evaluatePerChannel,
    flops: ({ inputShapes, outputShape }) => (inputShapes.length - 1) * elements(outputShape),
  };
}

export const mergeKinds: LayerKind[] = // (tfjs has no Subtract layer, so no tfjs model can contain one.)
  ['Add', 'Multiply', 'Average', 'Maximum', 'Minimum'].map(merge);

/**
 * Dot sums products over an axis of its inputs: when that axis is the channel axis every channel
 * meets every other, and on another axis the output's last axis is no longer the inputs' channels,
 * so its channels are pinned either way.
 */
export const dotKind: LayerKind = {
  className: 'Dot',
  summary: 'pins channels (contracts an axis of its inputs)',
  propagate: (ctx) => opaque(ctx, 'Dot contracts an axis of its inputs'),
  constants: (ctx) => allVarying(Number(ctx.outputShape[ctx.outputShape.length - 1])),
  flops({ config, inputShapes, outputShape }) {
    const shape = inputShapes[0];
    const axes = config.axes;
    const axis = Number(Array.isArray(axes) ? axes[0] : (axes ?? -1));
    const contracted = shape[axis < 0 ? axis + shape.length : axis];
    return 2 * contracted * elements(outputShape);
  },
};
