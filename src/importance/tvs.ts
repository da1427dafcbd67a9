import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import { calibrationCount, calibrationOf, channelView, forEachActivation } from './activations.js';
import type { ImportanceCriterion } from './registry.js';

/** Class index of every example: argmax of one-hot labels, or the labels themselves. */
export function classLabels(ys: tf.Tensor): Int32Array {
  return tf.tidy(() => {
    const idx = ys.rank >= 2 && ys.shape[ys.rank - 1]! > 1 ? tf.argMax(ys, -1) : tf.reshape(ys, [-1]);
    return Int32Array.from(idx.dataSync());
  });
}

/**
 * Least total-variation distance over pairs of classes between the class-conditional
 * histograms of `values` (one pooled value per example). The bins are `bins` equal-width bins
 * over the range of all values, shared by every class.
 */
export function leastPairwiseTv(
  values: ArrayLike<number>,
  labels: Int32Array,
  classes: number,
  bins: number,
): number {
  return pairwiseTv(values, labels, classes, bins).least;
}

/** The least and the mean total-variation distance over class pairs (see {@link leastPairwiseTv}). */
function pairwiseTv(
  values: ArrayLike<number>,
  labels: Int32Array,
  classes: number,
  bins: number,
): { least: number; mean: number } {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    lo = Math.min(lo, values[i]);
    hi = Math.max(hi, values[i]);
  }
  const hist = Array.from({ length: classes }, () => new Float64Array(bins));
  const counts = new Float64Array(classes);
  const width = (hi - lo) / bins;
  for (let i = 0; i < values.length; i++) {
    const b = width > 0 ? Math.min(bins - 1, Math.floor((values[i] - lo) / width)) : 0;
    hist[labels[i]][b]++;
    counts[labels[i]]++;
  }
  let least = Infinity;
  let sum = 0;
  let pairs = 0;
  for (let a = 0; a < classes; a++) {
    for (let b = a + 1; b < classes; b++) {
      if (counts[a] === 0 || counts[b] === 0) continue;
      let tv = 0;
      for (let k = 0; k < bins; k++) tv += Math.abs(hist[a][k] / counts[a] - hist[b][k] / counts[b]);
      least = Math.min(least, tv / 2);
      sum += tv / 2;
      pairs++;
    }
  }
  return { least, mean: pairs > 0 ? sum / pairs : 0 };
}

// Empirical TV distances are multiples of 1 / (count_a * count_b): with tens of examples per class
// many channels tie, and a threshold keeps every tie (far more than the density asked for). The
// mean over pairs, scaled below the smallest possible gap between two least values (for up to
// ~700 examples per class), breaks ties without reordering different least values.
const TIE_BREAK = 1e-6;

/**
 * 'tvs' (after Murti et al.'s TVSPRune): a channel is discriminative when the distributions of
 * its output differ between classes. Per channel, each calibration example is reduced to its
 * spatially averaged output; the class-conditional distributions of that value are estimated
 * by histograms on `options.bins` (default 16) equal-width bins shared by all classes, and the
 * score is the LEAST total-variation distance over pairs of classes (a channel that separates no
 * pair of classes scores 0), plus 1e-6 times the mean over pairs to break ties. No loss, no
 * gradient, no training.
 *
 * Why histograms: pooled post-ReLU outputs are skewed with a point mass at zero, far from the
 * Gaussian a parametric estimate would assume; the histogram assumes no shape, is O(examples)
 * per channel, and on shared bins the TV distance is exact for the binned distributions. Binning
 * only merges mass, so the binned TV never exceeds the true TV (data processing); few bins keep
 * the small-sample upward bias of empirical TV low with a few dozen examples per class.
 */
export const tvs: ImportanceCriterion = {
  needs: 'labels',
  description: 'least pairwise total-variation distance of class-conditional channel histograms',
  score: ({ model, layers, options }) => {
    const data = calibrationOf(options, 'tvs', true);
    const bins = options.bins ?? 16;
    if (!Number.isInteger(bins) || bins < 2) {
      throw new InvalidArgumentError(`importance 'tvs': bins must be an integer >= 2; got ${bins}`);
    }
    const n = calibrationCount(data, options);
    const labels = classLabels(data.ys!).subarray(0, n);
    const classes = labels.reduce((m, c) => Math.max(m, c), 0) + 1;
    if (new Set(labels).size < 2) {
      throw new InvalidArgumentError(`importance 'tvs' needs examples of at least two classes`);
    }
    // pooled[layer][channel] -> one value per example, filled batch by batch.
    const pooled: Float32Array[][] = layers.map(() => []);
    let at = layers.map(() => 0);
    forEachActivation(model, layers, data, options, (i, out) => {
      const v = channelView(out);
      if (pooled[i].length === 0) pooled[i] = Array.from({ length: v.channels }, () => new Float32Array(n));
      for (let e = 0; e < v.batch; e++) {
        for (let c = 0; c < v.channels; c++) {
          let s = 0;
          for (let p = 0; p < v.positions; p++) s += v.data[(e * v.positions + p) * v.channels + c];
          pooled[i][c][at[i] + e] = s / v.positions;
        }
      }
      at = at.map((a, j) => (j === i ? a + v.batch : a));
    });
    return Object.fromEntries(
      layers.map((l, i) => [
        l.name,
        Float32Array.from(pooled[i], (vals) => {
          const tv = pairwiseTv(vals, labels, classes, bins);
          return tv.least + TIE_BREAK * tv.mean;
        }),
      ]),
    );
  },
};
