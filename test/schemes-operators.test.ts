import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  filterPrune,
  magnitudePrune,
  neuronPrune,
  scoreStructures,
  threshold,
} from '../src/operators/index.js';
import { clearPruning, getMask } from '../src/pruning/state.js';
import { FilterPrune, NeuronPrune, Prune } from '../src/schemes/index.js';
import { maskOf, smallNet } from './schemes-models.js';
import { trackTensors } from './helpers/leaks.js';

// A scheme is Condensa's recipe "one threshold over every eligible layer, then the per-layer
// operator at that threshold": check it against the operators themselves on a real model.

function allMasks(model: tf.LayersModel): number[][] {
  const masked = model.layers.filter((l) => ['Conv2D', 'Dense'].includes(l.getClassName()));
  return masked.flatMap((l) => ['kernel', 'bias'].map((n) => maskOf(l, n, getMask)));
}

function kernels(model: tf.LayersModel, names: string[]): Array<{ data: Float32Array; shape: number[] }> {
  return names.map((n) => {
    const w = model.getLayer(n).getWeights()[0];
    return { data: w.dataSync() as Float32Array, shape: w.shape };
  });
}

describe('schemes equal the per-layer operators at the shared threshold', () => {
  it('Prune == magnitudePrune at threshold(concat |kernels|)', () => {
    const leaks = trackTensors();
    const a = smallNet(5);
    const b = smallNet(5);
    new Prune({ density: 0.3 }).pi(a);
    const layers = ['conv1', 'conv2', 'fc1', 'fc2'];
    const all = new Float32Array(kernels(b, layers).flatMap((k) => Array.from(k.data)));
    const thr = threshold(all, 0.3);
    for (const n of layers) magnitudePrune(b.getLayer(n), { threshold: thr });
    expect(allMasks(a)).toEqual(allMasks(b));
    for (const m of [a, b]) {
      clearPruning(m);
      m.dispose();
    }
    leaks.check();
  });

  it.each(['l2', 'l1', 'max', 'mean'] as const)(
    'FilterPrune/NeuronPrune == filterPrune/neuronPrune (%s)',
    (criteria) => {
      const leaks = trackTensors();
      const a = smallNet(6);
      const b = smallNet(6);
      // The per-layer operators are Condensa's literal ones: compare with the guard off.
      new FilterPrune({ density: 0.4, criteria, allowEmptyLayers: true }).pi(a);
      new NeuronPrune({ density: 0.5, criteria, protectOutputs: false, allowEmptyLayers: true }).pi(a);
      const structureThreshold = (names: string[], d: number): number => {
        const scores = kernels(b, names).flatMap((k) =>
          Array.from(scoreStructures(k.data, k.shape, criteria, -1, 'w')),
        );
        return threshold(new Float32Array(scores), d);
      };
      const convThr = structureThreshold(['conv1', 'conv2'], 0.4);
      const denseThr = structureThreshold(['fc1', 'fc2'], 0.5);
      for (const n of ['conv1', 'conv2']) filterPrune(b.getLayer(n), { threshold: convThr, criteria });
      for (const n of ['fc1', 'fc2']) neuronPrune(b.getLayer(n), { threshold: denseThr, criteria });
      expect(allMasks(a)).toEqual(allMasks(b));
      expect(allMasks(a).some((m) => m.includes(0))).toBe(true);
      for (const m of [a, b]) {
        clearPruning(m);
        m.dispose();
      }
      leaks.check();
    },
  );
});
