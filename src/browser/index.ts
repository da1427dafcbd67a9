/**
 * `condensa-ts/browser`: what a web page needs to run models condensa-ts saved. Nothing here
 * (or below it) imports a Node module, so any bundler targeting the browser accepts it;
 * test/browser.test.ts bundles it for `platform: 'browser'` to keep it that way.
 *
 * Stock `tf.loadLayersModel` already reads the float32, float16 and uint8 (`int8`) layouts,
 * compacted or not; only the sparse layout needs this entry.
 *
 * @example
 * ```ts
 * import { loadSparseModel } from 'condensa-ts/browser';
 * const model = await loadSparseModel('https://example.com/lenet5-pruned/model.sparse.json');
 * ```
 */
export {
  decodeSparseArtifacts,
  decodeSparseEntry,
  sparseEntryByteLength,
  type SparseInfo,
  type SparseManifestEntry,
  type SparseModelJSON,
} from '../io/sparse.js';
export { SPARSE_MODEL_JSON, SPARSE_WEIGHTS_BIN } from '../io/files.js';
export { loadSparseModel, type LoadSparseModelOptions } from './load-sparse.js';
export { CondensaError, DataError } from '../errors.js';
