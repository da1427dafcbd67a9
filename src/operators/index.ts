export type { Values } from './values.js';
export { roundHalfEven } from './select.js';
export * from './threshold.js';
export * from './density.js';
export * from './criteria.js';
export { structureScores, scoreStructures } from './structureScores.js';
export { blockScores, scoreBlocks, type BlockOptions } from './blockScores.js';
export { maskFromThreshold } from './maskFromThreshold.js';
export { lampScores } from './lampScores.js';
export { alignMask, type AlignOptions } from './alignMask.js';
export { expandStructureMask, expandBlockMask } from './expandMask.js';
export {
  OPERATOR_LAYER_KINDS,
  registerOperatorLayerKind,
  operatorLayerKind,
  type StructureLayerKind,
  type WeightLayerKind,
  type OperatorLayerKinds,
} from './layerKinds.js';
export { magnitudePrune, type MagnitudePruneOptions } from './magnitudePrune.js';
export {
  filterPrune,
  neuronPrune,
  type StructurePruneLayerOptions,
  type StructurePruneResult,
} from './structurePrune.js';
export { blockPrune, type BlockPruneLayerOptions } from './blockPrune.js';
export { roundToFloat16, float16BitsToNumber } from './float16.js';
export { roundToAffine8, type AffineParams } from './affine8.js';
export {
  quantize,
  dequantize,
  quantizationOf,
  copyQuantization,
  type QuantizeDtype,
  type QuantizeLayerOptions,
  type QuantizationRecord,
} from './quantize.js';
export { prune } from '../pruning/prune.js';
