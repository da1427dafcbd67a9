export type { Scheme, WeightRef } from './scheme.js';
export type { LayerPattern, LayerSelection } from './select.js';
export { matchesLayer, outputProducers } from './select.js';
export type { PruneSchemeOptions } from './ranked.js';
export { RankedScheme } from './ranked.js';
export { Prune } from './prune.js';
export type { PruneOptions } from './prune.js';
export { StructuredScheme } from './structured.js';
export type { StructuredPruneOptions } from './structured.js';
export { FilterPrune } from './filter-prune.js';
export { NeuronPrune } from './neuron-prune.js';
export { StructurePrune } from './structure-prune.js';
export { GroupPrune } from './group-prune.js';
export type { GroupPruneOptions } from './group-prune.js';
export { BlockPrune } from './block-prune.js';
export type { BlockPruneSchemeOptions } from './block-prune.js';
export { Quantize } from './quantize.js';
export type { QuantizeSchemeOptions } from './quantize.js';
export { Compose } from './compose.js';
export { schemeFromSpec, schemeToSpec } from './spec.js';
export type { SchemeSpec } from './spec.js';
export { compressWithReport, refuseSkipped } from './report.js';
export type {
  CompressedLayer,
  ReportOptions,
  ReportingScheme,
  SchemeReport,
  SkippedLayer,
} from './report.js';
export { calibrate } from './calibrate.js';
