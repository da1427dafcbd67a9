import type { LayerKind } from './kind.js';
import { allVarying } from './common.js';
import { singleSpace } from './channel-layout.js';

/** InputLayer: the model input's channels are fixed by the data; never removed. */
export const inputLayerKind: LayerKind = {
  className: 'InputLayer',
  summary: 'model input: channels never removed',
  propagate(ctx) {
    // Unknown width (variable-length tokens): an empty layout, pinned like any input.
    const size = ctx.outputShape[ctx.outputShape.length - 1] ?? 0;
    const space = ctx.spaces.create(size);
    ctx.spaces.pin(space, { reason: 'model input' });
    return singleSpace(space, size);
  },
  constants: (ctx) => allVarying(Number(ctx.outputShape[ctx.outputShape.length - 1])),
  flops: () => 0,
};
