/** The built-in layer kinds live in src/core/layer-kinds; re-exported for graph code. */
export { builtinLayerKinds } from '../../core/layer-kinds/index.js';
