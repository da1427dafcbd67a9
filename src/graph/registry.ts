/**
 * The dependency graph's view of the layer-kind registry (src/core/layer-kinds): kept so that
 * imports from here keep working.
 */
export {
  type ConstContext,
  type ConstField,
  type FlopsContext,
  type LayerConfig,
  type LayerKind,
  type PropagateContext,
  type Shape,
  type SliceContext,
  type RegisterLayerKindOptions,
  layerClassesWith,
  layerKind,
  registerLayerKind,
  supportedLayerKinds,
} from '../core/layer-kinds/index.js';
