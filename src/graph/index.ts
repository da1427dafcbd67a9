export { compact, compactWithPlan } from './compact.js';
export { constantFields } from './constants.js';
export { type GroupCriteria, groupCriteria, sliceScores } from './criteria.js';
export {
  type ChannelGroup,
  DependencyGraph,
  type GraphNode,
  type GraphTensor,
  dependencyGraph,
} from './dependency-graph.js';
export { type FlopsReport, type LayerFlops, countFlops } from './flops.js';
export {
  type FilterPruneGroupsOptions,
  type GroupImportance,
  type GroupPruningResult,
  filterPruneGroups,
  groupImportance,
  producedBy,
} from './group-pruning.js';
export { type CompactionPlan, planCompaction } from './plan.js';
export {
  type ConstField,
  type LayerKind,
  layerKind,
  registerLayerKind,
  supportedLayerKinds,
} from './registry.js';
export { builtinLayerKinds } from './kinds/index.js';
/** Building blocks for custom registry entries. */
export { evaluatePerChannel, freshChannels, opaque, passThrough } from './kinds/common.js';
export { type ChannelLayout, ChannelSpaces } from './layout.js';
