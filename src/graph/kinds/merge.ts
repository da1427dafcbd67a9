import { LayerError } from '../../errors.js';
import type { LayerKind } from '../registry.js';
import { elements, evaluatePerChannel } from './common.js';
import type { PropagateContext } from '../registry.js';
import type { ChannelLayout } from '../layout.js';

/**
 * Elementwise merges tie their inputs' channels one to one: all inputs and the output share one
 * channel set (a residual stage), so a channel is removed only when it is removable in every branch.
 */
export function tieInputs(ctx: PropagateContext): ChannelLayout {
  const [first, ...rest] = ctx.inputs;
  for (const other of rest) {
    const same =
      other.positions === first.positions &&
      other.segments.length === first.segments.length &&
      other.segments.every((s, i) => s.size === first.segments[i].size);
    if (!same) {
      throw new LayerError(
        `layer '${ctx.layer.name}' (${ctx.layer.getClassName()}) merges inputs whose channels are ` +
          `grouped differently (e.g. a Concatenate on one side only); compaction cannot map them`,
      );
    }
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
