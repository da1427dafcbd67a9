import { opaque } from './common.js';
import type { LayerKind } from './kind.js';

/**
 * Flatten of an NHWC tensor: channel c at spatial position (i, j) lands at entry (i*W + j)*C + c,
 * so every channel owns h*w entries of the flattened vector (the layout's `positions`).
 */
export const flattenKind: LayerKind = {
  className: 'Flatten',
  summary: 'channel c at (i, j) becomes entry (i*W + j)*C + c (NHWC order)',
  propagate(ctx) {
    const shape = ctx.inputShapes[0];
    const spatial = shape.slice(1, -1);
    if (spatial.some((d) => d === null)) return opaque(ctx, "its input's spatial size is unknown");
    const input = ctx.inputs[0];
    const positions = spatial.reduce<number>((a, b) => a * (b as number), 1);
    return { segments: input.segments, positions: input.positions * positions };
  },
  constants(ctx) {
    const field = ctx.inputs[0];
    const c = field.values.length;
    const n = Number(ctx.outputShape[ctx.outputShape.length - 1]);
    const values = new Float32Array(n);
    const varying = new Uint8Array(n);
    for (let e = 0; e < n; e++) {
      values[e] = field.values[e % c];
      varying[e] = field.varying[e % c];
    }
    return { values, varying };
  },
  flops: () => 0,
};
