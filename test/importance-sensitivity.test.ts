import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { seedNet } from '../src/models/index.js';
import { prunedWeights } from '../src/pruning/state.js';
import { FilterPrune } from '../src/schemes/index.js';
import { hanDensities, sensitivity, sensitivityCsv, toSearchProfile } from '../src/search/sensitivity.js';
import type { SensitivityAnalysis } from '../src/search/sensitivity.js';
import { trackTensors } from './helpers/leaks.js';

describe('sensitivity', () => {
  it('probes each layer alone, matches a direct prune, and restores the model exactly', async () => {
    const model = seedNet({ width: 0.125, seed: 2 });
    const xs = tf.randomNormal([16, 32, 32, 3], 0, 1, 'float32', 3);
    const dense = model.predict(xs) as tf.Tensor;
    // Metric: minus the mean squared change of the outputs (0 for the dense model).
    const metric = (m: tf.LayersModel) =>
      tf.tidy(() => -tf.losses.meanSquaredError(dense, m.predict(xs) as tf.Tensor).dataSync()[0]);
    const before = model.getWeights().map((w) => Array.from(w.dataSync()));
    const leaks = trackTensors();
    const a = await sensitivity(model, {
      layers: ['conv1', 'conv2', 'fc1'],
      sparsities: [0, 0.5, 0.75],
      importance: 'l1',
      evaluate: metric,
    });
    leaks.check();
    expect(a.baseline).toBe(-0);
    expect(a.layers.map((l) => l.layer)).toEqual(['conv1', 'conv2', 'fc1']);
    for (const l of a.layers) {
      expect(l.points[0].metric).toBe(a.baseline);
      expect(l.points[2].metric).toBeLessThan(l.points[0].metric);
    }
    expect(prunedWeights(model)).toEqual([]);
    model.getWeights().forEach((w, i) => expect(Array.from(w.dataSync())).toEqual(before[i]));

    const direct = seedNet({ width: 0.125, seed: 2 });
    new FilterPrune({ include: ['conv2'], density: 0.5, criteria: 'l1', protectOutputs: false }).pi(direct);
    expect(a.layers[1].points[1].metric).toBeCloseTo(metric(direct), 6);
    direct.dispose();
    tf.dispose([xs, dense]);
    model.dispose();
  });

  it("Han's thresholds: each layer's largest sparsity within the budget; CSV and search profile", () => {
    const a: SensitivityAnalysis = {
      baseline: 0.9,
      granularity: 'structure',
      importance: 'l1',
      layers: [
        {
          layer: 'conv1',
          points: [
            { sparsity: 0.25, metric: 0.88 },
            { sparsity: 0.5, metric: 0.8 },
          ],
        },
        {
          layer: 'conv2',
          points: [
            { sparsity: 0.25, metric: 0.9 },
            { sparsity: 0.5, metric: 0.895 },
          ],
        },
        {
          layer: 'fc1',
          points: [
            { sparsity: 0.25, metric: 0.7 },
            { sparsity: 0.5, metric: 0.6 },
          ],
        },
      ],
    };
    expect(hanDensities(a, { budget: 0.01 })).toEqual({ conv1: 1, conv2: 0.5, fc1: 1 });
    expect(hanDensities(a, { budget: 0.02 })).toEqual({ conv1: 0.75, conv2: 0.5, fc1: 1 });
    const csv = sensitivityCsv(a).trim().split('\n');
    expect(csv[0]).toBe('layer,sparsity,metric,drop');
    expect(csv).toHaveLength(7);
    expect(csv[2].split(',').slice(0, 3)).toEqual(['conv1', '0.5', '0.8']);
    const p = toSearchProfile(a);
    expect(p.densities).toEqual([0.75, 0.5]);
    expect(p.sensitivities.conv2).toBeCloseTo(0.0025, 10);
    // A new FilterPrune takes the densities as they are.
    expect(new FilterPrune({ densities: hanDensities(a, { budget: 0.02 }) }).toJSON().densities).toEqual({
      conv1: 0.75,
      conv2: 0.5,
      fc1: 1,
    });
  });
});
