import { batchNormalizationKind } from './batch-normalization.js';
import { concatenateKind } from './concatenate.js';
import { convolutionKinds } from './conv.js';
import { denseKind } from './dense.js';
import { depthwiseConv2dKind } from './depthwise-conv2d.js';
import { embeddingKind } from './embedding.js';
import { flattenKind } from './flatten.js';
import { inputLayerKind } from './input-layer.js';
import type { LayerKind } from './kind.js';
import { dotKind, mergeKinds } from './merge.js';
import { layerNormalizationKind, maskingKind } from './normalization.js';
import { perChannelKinds } from './per-channel.js';
import { poolingKinds } from './pooling.js';
import { recurrentKinds } from './recurrent.js';
import { registerLayerKind } from './registry.js';
import { permuteKind, repeatVectorKind, reshapeKind } from './reshape.js';
import { separableConv2dKind } from './separable-conv2d.js';
import { bidirectionalKind, timeDistributedKind } from './wrappers.js';

/**
 * Every built-in layer kind; registered once when this module loads. (tfjs has no Subtract,
 * ZeroPadding1D/3D, Cropping1D/3D, UpSampling1D/3D, SpatialDropout2D or GlobalPooling3D layer,
 * so no tfjs model can contain one; they get an entry the day tfjs has the class.)
 */
export const builtinLayerKinds: LayerKind[] = [
  inputLayerKind,
  ...convolutionKinds,
  denseKind,
  depthwiseConv2dKind,
  separableConv2dKind,
  embeddingKind,
  batchNormalizationKind,
  layerNormalizationKind,
  maskingKind,
  flattenKind,
  reshapeKind,
  permuteKind,
  repeatVectorKind,
  concatenateKind,
  ...mergeKinds,
  dotKind,
  ...perChannelKinds,
  ...poolingKinds,
  ...recurrentKinds,
  timeDistributedKind,
  bidirectionalKind,
];

for (const kind of builtinLayerKinds) registerLayerKind(kind);
