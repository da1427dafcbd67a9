import * as tf from '@tensorflow/tfjs';
import { LayerError } from '../errors.js';
import { countFlops } from '../graph/flops.js';
import { normaliseAxes, structureIndexOf } from '../operators/axes.js';
import { getWeightVariable, weightNames } from '../pruning/state.js';
import { batchRanges, calibrationCount, calibrationOf, rows } from './activations.js';
import type { ImportanceCriterion } from './registry.js';
import { structureCount, structureKind } from './structures.js';
import type { ImportanceOptions } from './types.js';

/** Per-example cross-entropy against one-hot labels, or against class indices. */
function defaultLoss(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  if (yTrue.rank === yPred.rank) return tf.metrics.categoricalCrossentropy(yTrue, yPred);
  const classes = yPred.shape[yPred.rank - 1]!;
  return tf.metrics.categoricalCrossentropy(
    tf.oneHot(tf.cast(tf.reshape(yTrue, [-1]), 'int32'), classes),
    yPred,
  );
}

// z = f(a) with f(a) = f'(a) * a: for these the identity below is exact.
const HOMOGENEOUS = new Set(['linear', 'relu']);

function checkActivation(layer: tf.layers.Layer): void {
  const act = (layer.getConfig() as { activation?: string }).activation ?? 'linear';
  if (!HOMOGENEOUS.has(act)) {
    throw new LayerError(
      `taylor: layer '${layer.name}' has activation '${act}'; the Taylor criterion is computed for linear or relu outputs only (use 'activation' or 'apoz', or exclude the layer)`,
    );
  }
}

/** The tf.Variable behind a layer weight, for tf.variableGrads. */
function variableOf(layer: tf.layers.Layer, name: string): tf.Variable {
  const lv = getWeightVariable(layer, name);
  const v = tf.engine().registeredVariables[lv.name];
  if (!v || !v.trainable) {
    throw new LayerError(
      `taylor: weight '${layer.name}/${name}' is not trainable; its gradient is undefined`,
    );
  }
  return v;
}

/** Per-filter FLOPs of each layer, divided by the largest: in [0, 1], so lambda is unitless. */
function normalisedFlops(model: tf.LayersModel, layers: tf.layers.Layer[]): number[] {
  const report = countFlops(model);
  const per = layers.map(
    (l) => (report.perLayer.find((r) => r.name === l.name)?.flops ?? 0) / structureCount(l),
  );
  const top = Math.max(...per, 0);
  return per.map((f) => (top > 0 ? f / top : 0));
}

/**
 * 'taylor' (Molchanov et al., "Pruning Convolutional Neural Networks for Resource Efficient
 * Inference"): Theta(z_k) = |mean over examples and positions of dl/dz * z| for feature map k,
 * with l the per-example task loss (`options.loss`), accumulated (summed) over the calibration
 * minibatches, then L2-normalised per layer (Theta / sqrt(sum_j Theta_j^2)); with
 * `options.flopsLambda`, Theta - lambda * FLOPs per filter (normalised to [0, 1] over the scored
 * layers).
 *
 * How dl/dz * z is obtained: z is the layer's output f(a), a = W * x + b. For linear and ReLU,
 * f(a) = f'(a) * a, so sum over positions of dl/dz * z = sum of dl/da * a = sum over the filter's
 * weights of (dl/dW * W) + dl/db * b. One `tf.variableGrads` of the task loss on the scored
 * layers' kernels and biases then gives every layer's scores in one backward pass per minibatch,
 * with no per-layer re-run and no surgery on the model.
 */
export const taylor: ImportanceCriterion = {
  needs: 'labels',
  description: 'first-order Taylor |mean dL/dz * z| per feature map (Molchanov), layer-wise L2 normalised',
  score: ({ model, layers, options }) => {
    const data = calibrationOf(options, 'taylor', true);
    layers.forEach(checkActivation);
    const loss = options.loss ?? defaultLoss;
    const refs = layers.map((l) => {
      const kind = structureKind(l);
      const bias = kind.bias && weightNames(l).includes(kind.bias) ? kind.bias : undefined;
      return {
        layer: l,
        kind,
        kernel: variableOf(l, kind.weight),
        bias: bias ? variableOf(l, bias) : undefined,
      };
    });
    const vars = refs.flatMap((r) => (r.bias ? [r.kernel, r.bias] : [r.kernel]));
    const theta = layers.map((l) => new Float64Array(structureCount(l)));
    for (const range of batchRanges(calibrationCount(data, options), options.batchSize)) {
      tf.tidy(() => {
        const xs = rows(data.xs, range);
        const ys = rows(data.ys!, range);
        // With L the batch mean of l, sum over examples and positions of dL/dz * z is the mean
        // over examples of sum over positions of dl/dz * z: dividing by positions gives Theta.
        const { grads } = tf.variableGrads(
          () => tf.mean(loss(ys, model.apply(xs, { training: false }) as tf.Tensor)) as tf.Scalar,
          vars,
        );
        refs.forEach((r, i) => {
          const gw = tf.mul(grads[r.kernel.name], r.kernel).dataSync();
          const { groupOf } = structureGroups(r.kernel.shape, r.kind.axes(r.kernel.shape.length));
          const sums = new Float64Array(theta[i].length);
          for (let k = 0; k < gw.length; k++) sums[groupOf[k]] += gw[k];
          if (r.bias) {
            const gb = tf.mul(grads[r.bias.name], r.bias).dataSync();
            for (let k = 0; k < gb.length; k++) sums[k] += gb[k];
          }
          const positions = positionsOf(r.layer);
          for (let k = 0; k < sums.length; k++) theta[i][k] += Math.abs(sums[k] / positions);
        });
      });
    }
    return finish(model, layers, theta, options);
  },
};

/** Positions (spatial size) of one example's output per channel. */
function positionsOf(layer: tf.layers.Layer): number {
  const shape = (layer.outputShape as number[]).slice(1);
  return shape.slice(0, -1).reduce((a, b) => a * (b ?? 1), 1);
}

/** Structure index of every entry of a kernel of `shape`. */
function structureGroups(shape: number[], axes: number[]): { groupOf: Uint32Array } {
  return structureIndexOf(shape, normaliseAxes(axes, shape.length, 'taylor'));
}

function finish(
  model: tf.LayersModel,
  layers: tf.layers.Layer[],
  theta: Float64Array[],
  options: ImportanceOptions,
): Record<string, Float32Array> {
  const lambda = options.flopsLambda ?? 0;
  const flops = lambda !== 0 ? normalisedFlops(model, layers) : layers.map(() => 0);
  return Object.fromEntries(
    layers.map((l, i) => {
      const norm = Math.sqrt(theta[i].reduce((s, t) => s + t * t, 0));
      return [l.name, Float32Array.from(theta[i], (t) => (norm > 0 ? t / norm : 0) - lambda * flops[i])];
    }),
  );
}
