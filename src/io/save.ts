import type * as tf from '@tensorflow/tfjs';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { InvalidArgumentError } from '../errors.js';
import { RECORD_JSON } from './files.js';
import { modelOrigin } from './origin.js';
import { serializeModel, type SerializeOptions } from './serialize.js';

export interface SaveModelOptions extends SerializeOptions {
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
 * `opts.record`). Stock `tf.loadLayersModel` reads the result, quantized or not. With
 * `format: 'sparse'` the directory holds `model.sparse.json` + `weights.sparse.bin` instead
 * (pruned weights stored as positions and values; `loadModel` reads it).
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
 * await saveModel(prunedModel, '/tmp/lenet-sparse', { format: 'sparse' });
 * ```
 */
export async function saveModel(
  model: tf.LayersModel,
  dir: string,
  opts: SaveModelOptions = {},
): Promise<SaveModelResult> {
  const target = resolve(dir);
  if (!opts.overwrite && existsSync(target) && (await readdir(target)).length > 0) {
    const why =
      modelOrigin(model) === target ? 'it is the directory this model was loaded from' : 'it is not empty';
    throw new InvalidArgumentError(
      `refusing to write the model to ${target}: ${why}; pass { overwrite: true } to replace it`,
    );
  }

  const { files, modelJson, weights, quantization, format } = await serializeModel(model, opts);
  const sha256 = createHash('sha256').update(weights).digest('hex');
  const record = {
    ...opts.record,
    weights: { file: files.bin, bytes: weights.length, sha256, quantization, format },
  };

  await mkdir(dirname(target), { recursive: true });
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmp = join(dirname(target), `.${basename(target)}.tmp-${tag}`);
  const old = join(dirname(target), `.${basename(target)}.old-${tag}`);
  try {
    await mkdir(tmp);
    await writeFile(join(tmp, files.bin), weights);
    await writeFile(join(tmp, files.json), JSON.stringify(modelJson));
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
