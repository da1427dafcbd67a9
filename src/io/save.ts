import * as tf from '@tensorflow/tfjs';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { InvalidArgumentError } from '../errors.js';
import { MODEL_JSON, RECORD_JSON, WEIGHTS_BIN } from './files.js';
import { modelOrigin } from './origin.js';
import { encodeWeight, entryByteLength, type WeightQuantization } from './quantize.js';

export interface SaveModelOptions {
  /** Store float32 weights as float16, or as uint8 affine per tensor (0 stays exactly 0). */
  quantization?: WeightQuantization;
  /** Replace an existing non-empty directory, including the one the model was loaded from. */
  overwrite?: boolean;
  /** Extra fields for the sidecar record.json (accuracy, training details...). */
  record?: Record<string, unknown>;
}

/** What saveModel wrote. */
export interface SaveModelResult {
  dir: string;
  weightsBytes: number;
  sha256: string;
}

/**
 * Save a LayersModel as a standard tfjs model directory: `model.json` (topology + weights
 * manifest), `group1-shard1of1.bin`, and `record.json` holding the weights' sha256 (and
 * `opts.record`). Stock `tf.loadLayersModel` reads the result, quantized or not.
 *
 * Atomic: everything is written to a temporary sibling directory that is renamed into place,
 * so an interrupted save never leaves a half-written model. An existing non-empty directory is
 * replaced only with `overwrite: true`, and the directory the model was loaded from is named
 * as such in the refusal.
 *
 * @example
 * ```ts
 * await saveModel(lenet5(), '/tmp/lenet', { quantization: 'float16' });
 * const back = await loadModel('/tmp/lenet');
 * ```
 */
export async function saveModel(
  model: tf.LayersModel,
  dir: string,
  opts: SaveModelOptions = {},
): Promise<SaveModelResult> {
  const target = resolve(dir);
  const q = opts.quantization;
  if (q !== undefined && q !== 'float16' && q !== 'uint8') {
    throw new InvalidArgumentError(`quantization '${q}' is not one of 'float16', 'uint8'`);
  }
  if (!opts.overwrite && existsSync(target) && (await readdir(target)).length > 0) {
    const why =
      modelOrigin(model) === target ? 'it is the directory this model was loaded from' : 'it is not empty';
    throw new InvalidArgumentError(
      `refusing to write the model to ${target}: ${why}; pass { overwrite: true } to replace it`,
    );
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
  const specs: tf.io.WeightsManifestEntry[] = [];
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const spec of artifacts.weightSpecs) {
    const size = entryByteLength(spec);
    const enc = encodeWeight(spec, raw.subarray(offset, offset + size), q);
    offset += size;
    specs.push(enc.spec);
    parts.push(enc.bytes);
  }
  const weights = Buffer.concat(parts);
  const sha256 = createHash('sha256').update(weights).digest('hex');
  const modelJson = {
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy,
    convertedBy: 'condensa-ts',
    modelTopology: artifacts.modelTopology,
    ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
    weightsManifest: [{ paths: [WEIGHTS_BIN], weights: specs }],
  };
  const record = {
    ...opts.record,
    weights: { file: WEIGHTS_BIN, bytes: weights.length, sha256, quantization: q ?? 'float32' },
  };

  await mkdir(dirname(target), { recursive: true });
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmp = join(dirname(target), `.${basename(target)}.tmp-${tag}`);
  const old = join(dirname(target), `.${basename(target)}.old-${tag}`);
  try {
    await mkdir(tmp);
    await writeFile(join(tmp, WEIGHTS_BIN), weights);
    await writeFile(join(tmp, MODEL_JSON), JSON.stringify(modelJson));
    await writeFile(join(tmp, RECORD_JSON), JSON.stringify(record, null, 2) + '\n');
    if (existsSync(target)) await rename(target, old);
    await rename(tmp, target);
  } catch (e) {
    if (!existsSync(target) && existsSync(old)) await rename(old, target);
    throw e;
  } finally {
    await rm(tmp, { recursive: true, force: true });
    await rm(old, { recursive: true, force: true });
  }
  return { dir: target, weightsBytes: weights.length, sha256 };
}
