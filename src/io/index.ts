export { saveModel, type SaveModelOptions, type SaveModelResult } from './save.js';
export { loadModel, readRecord, type LoadModelOptions } from './load.js';
export { type WeightQuantization, encodeFloat16, encodeUint8, toFloat16Bits } from './quantize.js';
export { modelOrigin } from './origin.js';
export { MODEL_JSON, RECORD_JSON, WEIGHTS_BIN } from './files.js';
