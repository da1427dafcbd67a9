import { registerLayerKind } from '../registry.js';
import { batchNormalizationKind } from './batch-normalization.js';
import { concatenateKind } from './concatenate.js';
import { conv2dKind } from './conv2d.js';
import { denseKind } from './dense.js';
import { depthwiseConv2dKind } from './depthwise-conv2d.js';
import { flattenKind } from './flatten.js';
import { inputLayerKind } from './input-layer.js';
import { mergeKinds } from './merge.js';
import { perChannelKinds } from './per-channel.js';
import { separableConv2dKind } from './separable-conv2d.js';

/** Every built-in layer kind; registered once when the graph module loads. */
export const builtinLayerKinds = [
  inputLayerKind,
  conv2dKind,
  denseKind,
  depthwiseConv2dKind,
  separableConv2dKind,
  batchNormalizationKind,
  flattenKind,
  concatenateKind,
  ...mergeKinds,
  ...perChannelKinds,
];

for (const kind of builtinLayerKinds) registerLayerKind(kind);
