import type { LayerKind } from './kind.js';
import { elements, noConstants, opaque } from './common.js';

/**
 * LayerNormalization normalises each example over its (channel) axis: removing a channel changes
 * the mean and variance every other channel is normalised with, so its channels are pinned.
 * Masking zeroes a time step when all of its channels equal the mask value: also a coupling.
 */
export const layerNormalizationKind: LayerKind = {
  className: 'LayerNormalization',
  summary: 'pins channels (normalises over them); gamma and beta quantize',
  quantizable: ['gamma', 'beta'],
  propagate: (ctx) => opaque(ctx, 'LayerNormalization normalises over the channels'),
  constants: noConstants,
  // Mean, centre, square, variance, normalise (2), scale and shift: 8 per element.
  flops: ({ outputShape }) => 8 * elements(outputShape),
};

export const maskingKind: LayerKind = {
  className: 'Masking',
  summary: 'pins channels (a time step is masked when all of its channels match)',
  propagate: (ctx) => opaque(ctx, 'Masking compares all channels of a time step'),
  constants: noConstants,
  flops: ({ outputShape }) => elements(outputShape),
};
