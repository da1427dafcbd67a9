import type * as tf from '@tensorflow/tfjs';
import { magnitudePrune, type MagnitudePruneOptions } from '../operators/magnitudePrune.js';
import * as torch from './torch.js';

/**
 * `prune` is both Condensa's per-layer magnitude operator and the `torch.nn.utils.prune`
 * namespace: `prune(layer, { threshold })` zeroes |w| < threshold (as `magnitudePrune`), while
 * `prune.l1Unstructured(...)`, `prune.lnStructured(...)` etc. follow PyTorch. One binding serves
 * both because the package root re-exports the operators and pruning folders together.
 *
 * @example
 * prune(conv, { threshold: 0.05 });
 * prune.l1Unstructured(fc, 'kernel', 0.4);
 */
export const prune: ((layer: tf.layers.Layer, opts: MagnitudePruneOptions) => void) & typeof torch =
  Object.assign((layer: tf.layers.Layer, opts: MagnitudePruneOptions) => magnitudePrune(layer, opts), torch);
