import * as tf from '@tensorflow/tfjs';
import { gzipSync } from 'node:zlib';
import { countFlops } from '../graph/index.js';
import { serializeModel } from '../io/serialize.js';
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
 * Bytes of the model's weights exactly as `saveModel` writes them (each weight's quantization
 * record honoured; `format: 'sparse'` for the sparse layout), optionally after gzip: zeros left
 * by pruning compress, so `modelBytes({ gzip: true })` rewards sparsity the way a compressed
 * download does.
 *
 * @example
 * const zipped = await modelBytes({ gzip: true, format: 'sparse' }).measure(model);
 */
export function modelBytes(
  opts: { gzip?: boolean; format?: 'tfjs' | 'sparse' } & DeployOptions = {},
): Objective {
  const sparse = opts.format === 'sparse';
  return {
    name: `modelBytes${opts.gzip ? '(gzip)' : ''}${sparse ? '(sparse)' : ''}${opts.compact ? '(compact)' : ''}`,
    higherIsBetter: false,
    measure: (model) =>
      measureDeployed(model, opts, async (m) => {
        const { weights } = await serializeModel(m, { format: opts.format });
        return opts.gzip ? gzipSync(weights).length : weights.length;
      }),
  };
}
