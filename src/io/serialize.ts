import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import { quantizationOf } from '../operators/quantize.js';
import type { QuantizationRecord } from '../operators/quantize.js';
import { weightKey } from '../pruning/state.js';
import { MODEL_JSON, SPARSE_MODEL_JSON, SPARSE_WEIGHTS_BIN, WEIGHTS_BIN } from './files.js';
import { encodeWeight, entryByteLength, type WeightQuantization } from './quantize.js';
import { encodeSparseEntry } from './sparse.js';

/** How a model's weights are written: see {@link SaveModelOptions} in save.ts. */
export interface SerializeOptions {
  /**
   * Store every float32 weight as float16, or as uint8 affine per tensor (0 stays exactly 0).
   * Default: each weight as its `quantize` record says (a `Quantize` scheme's float16 kernels
   * are saved as float16), float32 otherwise.
   */
  quantization?: WeightQuantization;
  /**
   * `'tfjs'` (default): the standard layout stock `tf.loadLayersModel` reads. `'sparse'`:
   * `model.sparse.json` + `weights.sparse.bin`, where a mostly-zero weight keeps only its
   * nonzero elements and their positions (src/io/sparse.ts): several times smaller for a pruned
   * model, read by `loadModel` or, in a browser, by `decodeSparseArtifacts`.
   */
  format?: 'tfjs' | 'sparse';
}

/** A model as the files saveModel writes: the JSON document, the weights, their file names. */
export interface SerializedModel {
  files: { json: string; bin: string };
  modelJson: Record<string, unknown>;
  weights: Buffer;
  /** What the record says about the weights' encoding. */
  quantization: string;
  format: 'tfjs' | 'sparse';
}

/**
 * The bytes saveModel would write for `model`, without touching the disk (the size objectives
 * measure these). Zeros are stored as +0, so a pruned tensor is runs of identical bytes.
 *
 * @example
 * ```ts
 * const { weights } = await serializeModel(model, { format: 'sparse' });
 * console.log(gzipSync(weights).length);
 * ```
 */
export async function serializeModel(
  model: tf.LayersModel,
  opts: SerializeOptions = {},
): Promise<SerializedModel> {
  const q = opts.quantization;
  if (q !== undefined && q !== 'float16' && q !== 'uint8') {
    throw new InvalidArgumentError(`quantization '${q}' is not one of 'float16', 'uint8'`);
  }
  const format = opts.format ?? 'tfjs';
  if (format !== 'tfjs' && format !== 'sparse') {
    throw new InvalidArgumentError(`format '${String(format)}' is not one of 'tfjs', 'sparse'`);
  }
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!artifacts?.modelTopology || !artifacts.weightSpecs || artifacts.weightData === undefined) {
    throw new InvalidArgumentError(`model '${model.name}' produced no topology or weights to save`);
  }
  const raw = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData));
  const recorded = recordedQuantization(model);
  const sparse = format === 'sparse';
  const specs: tf.io.WeightsManifestEntry[] = [];
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const spec of artifacts.weightSpecs) {
    const size = entryByteLength(spec);
    const rec = recorded.get(spec.name);
    // An int8 `quantize` record's own grid, so the saved weights are exactly the in-memory ones.
    const grid = q === undefined && rec?.dtype === 'uint8' ? rec : undefined;
    let enc = encodeWeight(spec, raw.subarray(offset, offset + size), q ?? rec?.dtype, grid);
    if (sparse) enc = encodeSparseEntry(enc.spec, enc.bytes);
    offset += size;
    specs.push(enc.spec);
    parts.push(enc.bytes);
  }
  const files = sparse
    ? { json: SPARSE_MODEL_JSON, bin: SPARSE_WEIGHTS_BIN }
    : { json: MODEL_JSON, bin: WEIGHTS_BIN };
  const modelJson = {
    format: sparse ? 'condensa-sparse' : (artifacts.format ?? 'layers-model'),
    generatedBy: artifacts.generatedBy,
    convertedBy: 'condensa-ts',
    modelTopology: artifacts.modelTopology,
    ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
    weightsManifest: [{ paths: [files.bin], weights: specs }],
  };
  const quantization = q ?? (recorded.size > 0 ? 'as recorded per weight' : 'float32');
  return { files, modelJson, weights: Buffer.concat(parts), quantization, format };
}

/** The `quantize` record of every quantized weight, by the name tfjs saves it under. */
function recordedQuantization(model: tf.LayersModel): Map<string, QuantizationRecord> {
  const out = new Map<string, QuantizationRecord>();
  for (const layer of model.layers) {
    for (const v of layer.weights) {
      const rec = quantizationOf(layer, weightKey(layer, v));
      if (rec) out.set(v.originalName, rec);
    }
  }
  return out;
}
