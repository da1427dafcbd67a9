import * as tf from '@tensorflow/tfjs';
import { gzipSync } from 'node:zlib';
import { countFlops } from '../graph/index.js';
import { measureDeployed, type DeployOptions } from './deployed.js';
import type { Objective } from './objective.js';

/**
 * Floating-point operations of one forward pass at batch 1 (src/graph's `countFlops`
 * conventions: a multiply-accumulate is 2). Counts the model's structure: a pruned but not
 * compacted model has the FLOPs of the dense one; `compact: true` counts the compacted model.
 *
 * @example
 * const f = await flops().measure(model);
 */
export function flops(opts: DeployOptions = {}): Objective {
  return {
    name: opts.compact ? 'flops(compact)' : 'flops',
    higherIsBetter: false,
    measure: (model) => measureDeployed(model, opts, async (m) => countFlops(m).total),
  };
}

/**
 * Number of parameters: all weights (`model.countParams()`), or with `nonzero` only those that
 * are not exactly zero (what unstructured pruning removes).
 *
 * @example
 * const nnz = await params({ nonzero: true }).measure(model);
 */
export function params(opts: { nonzero?: boolean } & DeployOptions = {}): Objective {
  return {
    name: `params${opts.nonzero ? '(nonzero)' : ''}${opts.compact ? '(compact)' : ''}`,
    higherIsBetter: false,
    measure: (model) =>
      measureDeployed(model, opts, async (m) => {
        if (!opts.nonzero) return m.countParams();
        let count = 0;
        for (const w of m.weights) {
          const n = tf.tidy(() => tf.sum(tf.cast(tf.notEqual(w.read(), 0), 'int32')));
          count += (await n.data())[0];
          n.dispose();
        }
        return count;
      }),
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
export function modelBytes(opts: { gzip?: boolean } & DeployOptions = {}): Objective {
  return {
    name: `modelBytes${opts.gzip ? '(gzip)' : ''}${opts.compact ? '(compact)' : ''}`,
    higherIsBetter: false,
    measure: (model) =>
      measureDeployed(model, opts, async (m) => {
        const buffer = await weightBytes(m);
        return opts.gzip ? gzipSync(buffer).length : buffer.length;
      }),
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
