import { calibrationOf, channelView, forEachActivation } from './activations.js';
import type { ImportanceCriterion } from './registry.js';

/**
 * 'apoz' (Hu et al., "Network Trimming"): the average percentage of zeros of a channel's
 * post-ReLU output over the calibration examples and positions; importance = 1 - APoZ, so a
 * channel that is mostly zero ranks low. Meaningful for ReLU outputs (a layer whose activation
 * never outputs exact zeros scores 1 everywhere).
 */
export const apoz: ImportanceCriterion = {
  needs: 'inputs',
  description: '1 - average percentage of zeros of the post-ReLU output',
  score: ({ model, layers, options }) => {
    const data = calibrationOf(options, 'apoz');
    const zeros = layers.map(() => null as Float64Array | null);
    const counts = layers.map(() => 0);
    forEachActivation(model, layers, data, options, (i, out) => {
      const v = channelView(out);
      const acc = (zeros[i] ??= new Float64Array(v.channels));
      for (let k = 0; k < v.data.length; k++) if (v.data[k] <= 0) acc[k % v.channels]++;
      counts[i] += v.batch * v.positions;
    });
    return Object.fromEntries(
      layers.map((l, i) => [l.name, Float32Array.from(zeros[i]!, (z) => 1 - z / counts[i])]),
    );
  },
};
