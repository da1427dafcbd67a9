import type { LayerKind, PropagateContext } from './kind.js';
import { evaluatePerChannel, noConstants, opaque, passThrough } from './common.js';
import { flattenKind } from './flatten.js';

const lastOf = (shape: Array<number | null>): number | null => shape[shape.length - 1];

/** How a Reshape moves channels: kept last ('same'), flattened into one axis ('flatten'), or mixed. */
function reshapeMode(ctx: { inputShapes: Array<Array<number | null>>; outputShape: Array<number | null> }) {
  const input = ctx.inputShapes[0];
  const output = ctx.outputShape;
  if (lastOf(input) !== null && lastOf(input) === lastOf(output)) return 'same';
  const known = input.slice(1).every((d) => d !== null);
  const all = input.slice(1).reduce<number>((a, b) => a * (b ?? 0), 1);
  if (known && output.length === 2 && output[1] === all) return 'flatten';
  return 'mixed';
}

/**
 * Reshape: when the last axis keeps its size (squeeze-and-excitation's [b, C] -> [b, 1, 1, C], or
 * [b, h, w, C] -> [b, h*w, C]) each row of C channels stays whole, so channels pass through; a
 * reshape to [b, everything] is a Flatten; any other reshape splits channels across axes and pins them.
 */
export const reshapeKind: LayerKind = {
  className: 'Reshape',
  summary: 'keeps channels when the last axis keeps its size; flattens; otherwise pins them',
  propagate(ctx: PropagateContext) {
    const mode = reshapeMode(ctx);
    if (mode === 'same') return passThrough(ctx);
    if (mode === 'flatten') return flattenKind.propagate(ctx);
    return opaque(ctx, 'the reshape splits channels across axes');
  },
  constants(ctx) {
    const mode = reshapeMode(ctx);
    if (mode === 'same') return evaluatePerChannel(ctx);
    if (mode === 'flatten') return flattenKind.constants(ctx);
    return noConstants(ctx);
  },
  slice(ctx) {
    // The target shape names the channel count: the kept entries are the new last axis.
    const target = [...((ctx.config.targetShape as number[] | undefined) ?? [])];
    if (target.length > 0) target[target.length - 1] = ctx.keptOut.length;
    ctx.config.targetShape = target;
    return {};
  },
  flops: () => 0,
};

/** Permute (dims are 1-based, batch excluded): channels pass through when the last axis stays last. */
const keepsLast = (config: Record<string, unknown>): boolean => {
  const dims = (config.dims as number[] | undefined) ?? [];
  return dims.length > 0 && dims[dims.length - 1] === dims.length;
};

export const permuteKind: LayerKind = {
  className: 'Permute',
  summary: 'keeps channels when the last axis stays last; otherwise pins them',
  propagate: (ctx) => (keepsLast(ctx.config) ? passThrough(ctx) : opaque(ctx, 'it moves the channel axis')),
  constants: (ctx) => (keepsLast(ctx.config) ? evaluatePerChannel(ctx) : noConstants(ctx)),
  flops: () => 0,
};

/** RepeatVector [b, n] -> [b, k, n]: every repetition carries the same entries. */
export const repeatVectorKind: LayerKind = {
  className: 'RepeatVector',
  summary: 'keeps channels (repeats along a new axis)',
  propagate: passThrough,
  constants: evaluatePerChannel,
  flops: () => 0,
};
