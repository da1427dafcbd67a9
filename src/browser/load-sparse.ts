import * as tf from '@tensorflow/tfjs';
import { DataError } from '../errors.js';
import { SPARSE_MODEL_JSON } from '../io/files.js';
import { decodeSparseArtifacts, type SparseModelJSON } from '../io/sparse.js';

/** Options of {@link loadSparseModel}. */
export interface LoadSparseModelOptions {
  /** The fetch to use (default: the global one); pass one to add credentials or caching. */
  fetch?: typeof fetch;
}

/**
 * Fetch a model saved with `format: 'sparse'` and return it as a stock tfjs LayersModel. `url`
 * is the `model.sparse.json` URL, or the directory holding it (ending in `/`); the weights file
 * is fetched from the path its manifest names, relative to the JSON. Works in a page and in a
 * worker: no Node API is used. Quantized (float16 / uint8) entries are dequantized by tfjs.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { loadSparseModel } from 'condensa-ts/browser';
 * const model = await loadSparseModel('models/lenet5-pruned/');
 * const probabilities = model.predict(tf.zeros([1, 28, 28, 1])) as tf.Tensor;
 * ```
 */
export async function loadSparseModel(
  url: string,
  opts: LoadSparseModelOptions = {},
): Promise<tf.LayersModel> {
  const get = opts.fetch ?? globalThis.fetch;
  const base = typeof location === 'undefined' ? undefined : location.href;
  const jsonUrl = new URL(url.endsWith('/') ? url + SPARSE_MODEL_JSON : url, base);
  const json = (await fetchOk(get, jsonUrl, 'json')) as SparseModelJSON;
  const paths = json.weightsManifest?.flatMap((g) => g.paths) ?? [];
  const parts = await Promise.all(
    paths.map(async (p) => new Uint8Array((await fetchOk(get, new URL(p, jsonUrl), 'bytes')) as ArrayBuffer)),
  );
  const weights = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    weights.set(p, at);
    at += p.length;
  }
  let artifacts: tf.io.ModelArtifacts;
  try {
    artifacts = decodeSparseArtifacts(json, weights);
  } catch (e) {
    throw new DataError(`${jsonUrl.href}: ${(e as Error).message}; re-save the model with format 'sparse'`);
  }
  return tf.loadLayersModel(tf.io.fromMemory(artifacts));
}

async function fetchOk(get: typeof fetch, url: URL, as: 'json' | 'bytes'): Promise<unknown> {
  const response = await get(url.href);
  if (!response.ok) {
    throw new DataError(`GET ${url.href} answered ${response.status}: is the model directory served there?`);
  }
  return as === 'json' ? response.json() : response.arrayBuffer();
}
