import { calibrationOf, channelView, forEachActivation } from './activations.js';
import type { ImportanceCriterion } from './registry.js';

/**
 * 'activation': the mean of a channel's output (after the layer's activation) over the
 * calibration examples and spatial positions; a channel that is small everywhere contributes
 * little downstream.
 */
export const activation: ImportanceCriterion = {
  needs: 'inputs',
  description: 'mean post-activation output over calibration data',
  score: ({ model, layers, options }) => {
    const data = calibrationOf(options, 'activation');
    const sums = layers.map(() => null as Float64Array | null);
    const counts = layers.map(() => 0);
    forEachActivation(model, layers, data, options, (i, out) => {
      const v = channelView(out);
      const acc = (sums[i] ??= new Float64Array(v.channels));
      for (let k = 0; k < v.data.length; k++) acc[k % v.channels] += v.data[k];
      counts[i] += v.batch * v.positions;
    });
    return Object.fromEntries(
      layers.map((l, i) => [l.name, Float32Array.from(sums[i]!, (s) => s / counts[i])]),
    );
  },
};
