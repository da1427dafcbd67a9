/**
 * The layer-kind registry: one entry per tfjs layer class, read by operators, the prune API,
 * schemes, the dependency graph, compaction and FLOPs counting. Importing this module registers
 * the built-in kinds; `registerLayerKind` adds a custom one (see the README, "Extending").
 */
export { builtinLayerKinds } from './builtin.js';
export type {
  ConstContext,
  ConstField,
  FlopsContext,
  LayerConfig,
  LayerKind,
  NamedAxes,
  PropagateContext,
  Shape,
  SliceContext,
  StructureAxes,
} from './kind.js';
export {
  type RegisterLayerKindOptions,
  layerClassesWith,
  layerKind,
  registerLayerKind,
  supportedLayerKinds,
} from './registry.js';
export * from './channel-layout.js';
/** Building blocks for custom entries. */
export {
  evaluatePerChannel,
  freshChannels,
  noConstants,
  opaque,
  passThrough,
  producerConstants,
  take,
} from './common.js';
