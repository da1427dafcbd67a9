import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DataError } from '../errors.js';
import { MODEL_JSON, RECORD_JSON, SPARSE_MODEL_JSON } from './files.js';
import { type ModelSource, modelSource } from './model-source.js';
import { markLoadedFrom } from './origin.js';
import { decodeSparseArtifacts, sparseEntryByteLength, type SparseModelJSON } from './sparse.js';

export interface LoadModelOptions {
  /** Expected sha256 of the concatenated weight files (default: the one in record.json, if any). */
  sha256?: string;
}

/**
 * Load a tfjs layers model directory, from disk or from an `http(s)://` URL, validating it first:
 * `model.json` (or a sparse save's `model.sparse.json`) must exist and parse, every weights
 * file it names must exist with exactly the bytes its manifest implies, and the weights must
 * match the sha256 in `record.json` (or `opts.sha256`). Any failure is a DataError naming the
 * file. Reads what saveModel writes, what tfjs `model.save()` writes, and what
 * `tensorflowjs_converter --input_format keras` writes (a Keras-2 topology under
 * `modelTopology.model_config`). Quantized weights are decoded by tfjs.
 *
 * @example
 * ```ts
 * const model = await loadModel('assets/models/lenet5-mnist');
 * const remote = await loadModel('https://example.com/models/mobilenet/'); // or .../model.json
 * ```
 */
export async function loadModel(dir: string, opts: LoadModelOptions = {}): Promise<tf.LayersModel> {
  const source = modelSource(dir);
  const root = source.where;
  let text = await source.read(MODEL_JSON);
  const sparse = text === undefined;
  if (sparse) text = await source.read(SPARSE_MODEL_JSON);
  const jsonPath = source.locate(sparse ? SPARSE_MODEL_JSON : MODEL_JSON);
  if (text === undefined) {
    throw new DataError(`${source.locate(MODEL_JSON)} not found: not a saved tfjs model directory`);
  }
  let modelJson: tf.io.ModelJSON;
  try {
    modelJson = JSON.parse(text.toString('utf8')) as tf.io.ModelJSON;
  } catch (e) {
    throw new DataError(`${jsonPath} is not valid JSON (${(e as Error).message}); re-save the model`);
  }
  if (typeof modelJson !== 'object' || modelJson === null || !modelJson.modelTopology) {
    throw new DataError(`${jsonPath} has no modelTopology: not a tfjs layers model`);
  }
  const manifest = modelJson.weightsManifest ?? [];
  if (!Array.isArray(manifest)) throw new DataError(`${jsonPath}: weightsManifest must be an array`);

  const weightSpecs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Buffer[] = [];
  for (const group of manifest) {
    let expected = 0;
    for (const spec of group.weights) {
      try {
        expected += sparseEntryByteLength(spec);
      } catch (e) {
        throw new DataError(`${jsonPath}: ${(e as Error).message}`);
      }
      weightSpecs.push(spec);
    }
    let actual = 0;
    for (const p of group.paths) {
      const bytes = await source.read(p);
      if (!bytes) {
        throw new DataError(`weights file ${source.locate(p)} (named in ${MODEL_JSON}) is missing`);
      }
      actual += bytes.byteLength;
      buffers.push(bytes);
    }
    if (actual !== expected) {
      throw new DataError(
        `weights file(s) ${group.paths.join(', ')} in ${root} hold ${actual} bytes but the manifest ` +
          `describes ${expected}: truncated or corrupt; re-save or re-fetch the model`,
      );
    }
  }
  const weightData = Buffer.concat(buffers);

  const sha256 = opts.sha256 ?? (await recordedSha256(source));
  if (sha256 !== undefined) {
    const actual = createHash('sha256').update(weightData).digest('hex');
    if (actual !== sha256) {
      throw new DataError(
        `weights in ${root} have sha256 ${actual}, expected ${sha256}: corrupt; re-fetch the model`,
      );
    }
  }

  const model = await tf.loadLayersModel(
    tf.io.fromMemory(
      sparse
        ? decodeSparse(jsonPath, modelJson, weightData)
        : {
            modelTopology: modelJson.modelTopology,
            weightSpecs,
            weightData: weightData.buffer.slice(
              weightData.byteOffset,
              weightData.byteOffset + weightData.byteLength,
            ),
            ...(modelJson.trainingConfig ? { trainingConfig: modelJson.trainingConfig } : {}),
          },
    ),
  );
  if (source.local) markLoadedFrom(model, root);
  return model;
}

/** The standard artifacts of a sparse save; a corrupt gap list is a DataError naming the file. */
function decodeSparse(jsonPath: string, json: tf.io.ModelJSON, weights: Uint8Array): tf.io.ModelArtifacts {
  try {
    return decodeSparseArtifacts(json as unknown as SparseModelJSON, weights);
  } catch (e) {
    throw new DataError(`${jsonPath}: ${(e as Error).message}; re-save the model`);
  }
}

/** sha256 of the weights recorded beside the model, if there is a record. */
async function recordedSha256(source: ModelSource): Promise<string | undefined> {
  const bytes = await source.read(RECORD_JSON);
  if (!bytes) return undefined;
  let record: { weights?: { sha256?: unknown } };
  try {
    record = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new DataError(`${source.locate(RECORD_JSON)} is not valid JSON (${(e as Error).message})`);
  }
  const sha = record.weights?.sha256;
  return typeof sha === 'string' ? sha : undefined;
}

/** Read the sidecar record.json of a saved model (undefined when there is none). */
export async function readRecord(dir: string): Promise<Record<string, unknown> | undefined> {
  const path = join(resolve(dir), RECORD_JSON);
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new DataError(`${path} is not valid JSON (${(e as Error).message})`);
  }
}
