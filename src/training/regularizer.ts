import * as tf from '@tensorflow/tfjs';
import type { Regularizer } from './loop.js';
import { InvalidArgumentError } from '../errors.js';
import { hasStructures, structureKind } from '../importance/index.js';
import { getWeightVariable, weightNames } from '../pruning/state.js';
import { matchesLayer } from '../schemes/select.js';
import type { LayerPattern } from '../schemes/select.js';

/**
 * Penalties added to the training loss so that pruning afterwards loses less (the seed: "L1 or
 * L2 regularisation during training will force unimportant kernels to have smaller values").
 * Each strength multiplies its term; terms with no strength are off.
 */
export interface RegularizerSpec {
  /** lambda * sum |w| over the chosen layers' structure weights (kernels). */
  l1?: number;
  /** lambda * sum w^2 over the same weights. */
  l2?: number;
  /**
   * Group lasso: lambda * sum over filters / neurons of the L2 norm of the filter's weights,
   * which drives whole filters to zero (structured sparsity) where L1 scatters zeros.
   */
  groupLasso?: number;
  /** lambda * sum |gamma| of BatchNormalization layers (network slimming, for 'bnScale'). */
  bnScale?: number;
  /** Layers (names, globs, RegExps or class names) penalised; default every layer with filters or neurons (and every BN for bnScale). */
  layers?: LayerPattern[];
}

const strengths = ['l1', 'l2', 'groupLasso', 'bnScale'] as const;

function checkSpec(spec: RegularizerSpec): void {
  for (const k of strengths) {
    const v = spec[k];
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v >= 0)) {
      throw new InvalidArgumentError(`regularizer.${k} must be a finite number >= 0; got ${String(v)}`);
    }
  }
}

// Keeps the gradient of the norm finite at an all-zero filter (d sqrt(x) / dx is infinite at 0).
const NORM_EPS = 1e-12;

/**
 * The regularisation term of `spec` for `model`'s current weights, as a scalar that is
 * differentiable with respect to the layers' variables (call it inside `tf.variableGrads` and add
 * it to the task loss). Pure: reads the weights, changes nothing.
 *
 * @example
 * ```ts
 * const { grads } = tf.variableGrads(() =>
 *   tf.add(taskLoss(), penalty(model, { groupLasso: 1e-4, layers: ['Conv2D'] })) as tf.Scalar);
 * ```
 */
export function penalty(model: tf.LayersModel, spec: RegularizerSpec): tf.Scalar {
  checkSpec(spec);
  return tf.tidy(() => {
    const chosen = (l: tf.layers.Layer) =>
      spec.layers === undefined || spec.layers.some((p) => matchesLayer(l, p));
    const terms: tf.Tensor[] = [];
    for (const layer of model.layers.filter(chosen)) {
      if ((spec.l1 || spec.l2 || spec.groupLasso) && hasStructures(layer)) {
        const kind = structureKind(layer);
        const w = getWeightVariable(layer, kind.weight).read();
        if (spec.l1) terms.push(tf.mul(spec.l1, tf.sum(tf.abs(w))));
        if (spec.l2) terms.push(tf.mul(spec.l2, tf.sum(tf.square(w))));
        if (spec.groupLasso) {
          const axes = kind.axes(w.rank).map((a) => (a < 0 ? a + w.rank : a));
          const others = w.shape.map((_, i) => i).filter((i) => !axes.includes(i));
          const norms = tf.sqrt(tf.add(tf.sum(tf.square(w), others), NORM_EPS));
          terms.push(tf.mul(spec.groupLasso, tf.sum(norms)));
        }
      }
      if (
        spec.bnScale &&
        layer.getClassName() === 'BatchNormalization' &&
        weightNames(layer).includes('gamma')
      ) {
        terms.push(tf.mul(spec.bnScale, tf.sum(tf.abs(getWeightVariable(layer, 'gamma').read()))));
      }
    }
    return (terms.length ? tf.addN(terms) : tf.scalar(0)) as tf.Scalar;
  });
}

/**
 * `spec` as the training loop's extra loss term (`Regularizer`), for `trainIterations`, `FineTune`
 * or the Compressor's `regularizer` option.
 *
 * @example
 * ```ts
 * await new Compressor({ ...options, regularizer: penaltyRegularizer({ groupLasso: 1e-4 }) }).run();
 * ```
 */
export function penaltyRegularizer(spec: RegularizerSpec): Regularizer {
  return (model) => penalty(model, spec);
}
