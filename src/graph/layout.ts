/** Channel spaces and layouts live with the layer-kind registry; re-exported for graph code. */
export * from '../core/layer-kinds/channel-layout.js';
