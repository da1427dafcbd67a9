import type { LayerKind, PropagateContext } from './kind.js';
import { evaluatePerChannel, opaque } from './common.js';
import { tieInputs } from './merge.js';

function onChannelAxis(ctx: { config: Record<string, unknown>; inputShapes: unknown[][] }): boolean {
  const axis = Number(ctx.config.axis ?? -1);
  return axis === -1 || axis === ctx.inputShapes[0].length - 1;
}

/**
 * Concatenate on the channel axis: the output's channels are the inputs' channels one after the
 * other, so each input's channel set appears in the output at its offset. On another axis the
 * inputs' channels are matched one to one, as in Add.
 */
export const concatenateKind: LayerKind = {
  className: 'Concatenate',
  summary: 'channel axis: inputs channel sets placed at their offsets; other axis: ties inputs like Add',
  propagate(ctx: PropagateContext) {
    if (!onChannelAxis(ctx)) return tieInputs(ctx);
    if (ctx.inputs.some((l) => l.positions !== 1)) {
      return opaque(ctx, 'concatenating flattened tensors is not supported');
    }
    return { segments: ctx.inputs.flatMap((l) => l.segments), positions: 1 };
  },
  constants(ctx) {
    if (!onChannelAxis(ctx)) return evaluatePerChannel(ctx);
    const total = ctx.inputs.reduce((s, f) => s + f.values.length, 0);
    const values = new Float32Array(total);
    const varying = new Uint8Array(total);
    let offset = 0;
    for (const f of ctx.inputs) {
      values.set(f.values, offset);
      varying.set(f.varying, offset);
      offset += f.values.length;
    }
    return { values, varying };
  },
  flops: () => 0,
};
