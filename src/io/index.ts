export { saveModel, type SaveModelOptions, type SaveModelResult } from './save.js';
export { serializeModel, type SerializedModel, type SerializeOptions } from './serialize.js';
export { loadModel, readRecord, type LoadModelOptions } from './load.js';
export {
  type WeightQuantization,
  encodeFloat16,
  encodeUint8,
  encodeWeight,
  toFloat16Bits,
} from './quantize.js';
export { modelOrigin } from './origin.js';
export { MODEL_JSON, RECORD_JSON, SPARSE_MODEL_JSON, SPARSE_WEIGHTS_BIN, WEIGHTS_BIN } from './files.js';
export {
  decodeSparseArtifacts,
  decodeSparseEntry,
  encodeSparseEntry,
  type SparseManifestEntry,
  type SparseModelJSON,
} from './sparse.js';
export { toOnnx } from './onnx/export.js';
