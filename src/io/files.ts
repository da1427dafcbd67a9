/** File names of a saved model directory (the layout `tf.io` writes for `file://` URLs). */
export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'group1-shard1of1.bin';
/** Sidecar JSON: weights checksum plus whatever the caller records (accuracy, training...). */
export const RECORD_JSON = 'record.json';
/** A model saved with `format: 'sparse'` (src/io/sparse.ts): not a stock tfjs directory. */
export const SPARSE_MODEL_JSON = 'model.sparse.json';
export const SPARSE_WEIGHTS_BIN = 'weights.sparse.bin';
