export { Compressor } from './compressor.js';
export type { CompressorOptions, CompressionResult } from './compressor.js';
export { progressBar } from './progress-bar.js';
export { readCheckpoint, writeCheckpoint, CHECKPOINT_FILE } from './checkpoint.js';
