import * as tf from '@tensorflow/tfjs';
import { gzipSync } from 'node:zlib';
import { countFlops } from '../graph/index.js';
import type { Objective } from './objective.js';

/**
 * Floating-point operations of one forward pass at batch 1 (src/graph's `countFlops`
 * conventions: a multiply-accumulate is 2). Counts the model's structure: a pruned but not
 * compacted model has the FLOPs of the dense one, so compact structured models first.
 *
 * @example
 * const f = await flops().measure(model);
 */
export function flops(): Objective {
  return { name: 'flops', higherIsBetter: false, measure: async (model) => countFlops(model).total };
}

/**
 * Number of parameters: all weights (`model.countParams()`), or with `nonzero` only those that
 * are not exactly zero (what unstructured pruning removes).
 *
 * @example
 * const nnz = await params({ nonzero: true }).measure(model);
 */
export function params(opts: { nonzero?: boolean } = {}): Objective {
  return {
    name: opts.nonzero ? 'params(nonzero)' : 'params',
    higherIsBetter: false,
    measure: async (model) => {
      if (!opts.nonzero) return model.countParams();
      let count = 0;
      for (const w of model.weights) {
        const n = tf.tidy(() => tf.sum(tf.cast(tf.notEqual(w.read(), 0), 'int32')));
        count += (await n.data())[0];
        n.dispose();
      }
      return count;
    },
  };
}

/**
 * Bytes of the model's weights as saved (32-bit values, in weight order), optionally after
 * gzip: zeros left by pruning compress, so `modelBytes({ gzip: true })` rewards sparsity the
 * way a compressed download does.
 *
 * @example
 * const zipped = await modelBytes({ gzip: true }).measure(model);
 */
export function modelBytes(opts: { gzip?: boolean } = {}): Objective {
  return {
    name: opts.gzip ? 'modelBytes(gzip)' : 'modelBytes',
    higherIsBetter: false,
    measure: async (model) => {
      const buffer = await weightBytes(model);
      return opts.gzip ? gzipSync(buffer).length : buffer.length;
    },
  };
}

/** The weights' values concatenated as 32-bit little-endian bytes (float32 or int32). */
export async function weightBytes(model: tf.LayersModel): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (const w of model.weights) {
    const values = await w.read().data();
    parts.push(Buffer.from(values.buffer, values.byteOffset, values.byteLength));
  }
  return Buffer.concat(parts);
}
