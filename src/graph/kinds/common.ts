/** Helpers for layer kinds live in src/core/layer-kinds/common.ts; re-exported for graph code. */
export * from '../../core/layer-kinds/common.js';
