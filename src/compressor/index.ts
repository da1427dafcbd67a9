export { Compressor } from './compressor.js';
export type { CompressorOptions, CompressionResult } from './compressor.js';
export { progressBar } from './progress-bar.js';
export { readCheckpoint, writeCheckpoint, CHECKPOINT_FILE } from './checkpoint.js';
export { searchThenCompress, wantsSearch, withLayerDensities } from './search.js';
export type { SearchHostOptions, CompressFn } from './search.js';
export { resolveEps } from './search-options.js';
export type { CompressorSearchOptions, SearchReport } from './search-options.js';
