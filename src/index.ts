/**
 * condensa-ts: programmable neural-network compression for TensorFlow.js.
 * Each folder under src/ is one concept; this file re-exports their public API.
 */
export * from './errors.js';
export * from './backend/index.js';
export * from './data/index.js';
export * from './models/index.js';
export * from './operators/index.js';
export * from './pruning/index.js';
export * from './schemes/index.js';
export * from './optimizers/index.js';
export * from './objectives/index.js';
export * from './search/index.js';
export * from './graph/index.js';
export * from './importance/index.js';
export * from './io/index.js';
export * from './report/index.js';
export * from './training/index.js';
export * from './compressor/index.js';
export * from './queue/index.js';
