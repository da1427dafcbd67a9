/**
 * Channel dependency graph, compaction, group pruning and FLOPs counting for tfjs LayersModels.
 *
 * - `dependencyGraph(model)`: channel groups (sets of channels that must be removed together).
 * - `compact(model)`: a new, physically smaller model computing the same function as the masked
 *   one (pruned channels that still emit a constant are folded into the next layer's bias).
 * - `foldForInference(model)` / `compact(model, { fold: true })`: the inference export, with batch
 *   norms folded into their convolutions, identity layers dropped and activations fused.
 * - `groupImportance` / `filterPruneGroups`: rank and mask whole groups (residual stages pruned
 *   consistently; BN and depthwise parameters masked along with the filters).
 * - `countFlops(model)`: FLOPs (2 per multiply-accumulate) and parameters per layer;
 *   `prunedFlops(model)`: FLOPs after removing given fractions of layers' output channels.
 *
 * Supported layer classes are entries of the layer-kind registry (src/core/layer-kinds,
 * `supportedLayerKinds()`); add one with `registerLayerKind`. Other classes are black boxes:
 * their channels are pinned (kept), and `planCompaction` says so.
 */
export { type CompactOptions, compact, compactWithPlan } from './compact.js';
export { type FoldReport, foldForInference } from './fold.js';
export { constantFields } from './constants.js';
export { type GroupCriteria, groupCriteria, sliceScores } from './criteria.js';
export {
  type ChannelGroup,
  DependencyGraph,
  type GraphNode,
  type GraphTensor,
  dependencyGraph,
} from './dependency-graph.js';
export { type FlopsReport, type LayerFlops, countFlops, prunedFlops } from './flops.js';
export {
  type FilterPruneGroupsOptions,
  type GroupAggregate,
  type GroupImportance,
  type GroupImportanceOptions,
  type GroupPruningResult,
  groupImportance,
  producedBy,
} from './group-pruning.js';
export { type GroupGuardOptions } from './group-guard.js';
/** Group pruning that also reports the groups it left whole (pinned), and why. */
export { type PinnedGroup, filterPruneGroups, pinnedGroups } from './pinned-groups.js';
export { type CompactionPlan, planCompaction } from './plan.js';
/** The layer-kind registry, its built-in kinds, building blocks for custom entries, channel layouts. */
export {
  type ConstField,
  type LayerKind,
  type RegisterLayerKindOptions,
  layerClassesWith,
  layerKind,
  registerLayerKind,
  supportedLayerKinds,
  builtinLayerKinds,
  evaluatePerChannel,
  freshChannels,
  noConstants,
  opaque,
  passThrough,
  producerConstants,
  take,
  type ChannelLayout,
  ChannelSpaces,
} from '../core/layer-kinds/index.js';
