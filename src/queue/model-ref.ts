import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as tf from '@tensorflow/tfjs';
import { DataError, InvalidArgumentError } from '../errors.js';
import { loadModel } from '../io/load.js';
import type { ModelRef } from './jobs.js';

/**
 * sha256 of a saved-model directory: every file (sorted by name) contributes its name, length
 * and bytes, so a renamed, truncated or edited file changes the hash.
 *
 * @example
 * const ref = { path: '/models/lenet5', sha256: await modelHash('/models/lenet5') };
 */
export async function modelHash(dir: string): Promise<string> {
  const root = resolve(dir);
  let names: string[];
  try {
    names = (await readdir(root, { withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) => e.name)
      .sort();
  } catch (e) {
    throw new DataError(`model directory ${root} cannot be read (${(e as Error).message})`);
  }
  const hash = createHash('sha256');
  for (const name of names) {
    const bytes = await readFile(join(root, name));
    hash.update(`${name}\n${bytes.length}\n`).update(bytes);
  }
  return hash.digest('hex');
}

/**
 * A job's reference to the saved model in `dir`: its absolute path and its files' hash.
 *
 * @example
 * const model = await modelRef('assets/models/lenet5-mnist');
 */
export async function modelRef(dir: string): Promise<ModelRef> {
  return { path: resolve(dir), sha256: await modelHash(dir) };
}

/**
 * A model reference's directory on this machine: a path, or a `file://` URL. Other URLs are
 * refused: copy the model to each worker (the hash check makes sure it is the same model).
 */
function localPath(pathOrUrl: string): string {
  if (pathOrUrl.startsWith('file://')) return fileURLToPath(pathOrUrl);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(pathOrUrl)) {
    throw new InvalidArgumentError(
      `model ${pathOrUrl}: workers read models from a path or a file:// URL; copy the files to each worker`,
    );
  }
  return pathOrUrl;
}

/**
 * Loads each model a worker is sent once, keyed by its hash: a worker running many samples of
 * one search reads and verifies the model files once.
 */
export class ModelCache {
  private readonly models = new Map<string, Promise<tf.LayersModel>>();

  /** The model `ref` names, after checking that its files hash to `ref.sha256`. */
  get(ref: ModelRef): Promise<tf.LayersModel> {
    if (!ref || typeof ref.path !== 'string' || !/^[0-9a-f]{64}$/.test(ref.sha256 ?? '')) {
      throw new InvalidArgumentError(
        `model reference must be { path, sha256 (64 hex digits) }, got ${JSON.stringify(ref)}`,
      );
    }
    let model = this.models.get(ref.sha256);
    if (!model) {
      model = (async () => {
        const dir = localPath(ref.path);
        const actual = await modelHash(dir);
        if (actual !== ref.sha256) {
          throw new DataError(
            `model ${ref.path} on this worker hashes to ${actual}, the job expects ${ref.sha256}: ` +
              'copy the same model files to this machine',
          );
        }
        return loadModel(dir);
      })();
      // A failed load is not cached: the files may be fixed before the next job.
      model.catch(() => this.models.delete(ref.sha256));
      this.models.set(ref.sha256, model);
    }
    return model;
  }

  /** Number of models held. */
  get size(): number {
    return this.models.size;
  }

  /** Dispose every cached model. */
  async dispose(): Promise<void> {
    for (const m of this.models.values()) (await m.catch(() => null))?.dispose();
    this.models.clear();
  }
}
