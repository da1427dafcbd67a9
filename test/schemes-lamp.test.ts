import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../src/errors.js';
import { lenet5 } from '../src/models/index.js';
import { lampScores } from '../src/operators/index.js';
import { clearPruning } from '../src/pruning/state.js';
import { Prune, schemeFromSpec } from '../src/schemes/index.js';
import { trackTensors } from './helpers/leaks.js';

const KERNELS = ['conv1', 'conv2', 'fc1', 'fc2', 'fc3'];
const kernel = (m: tf.LayersModel, l: string) => m.getLayer(l).getWeights()[0].dataSync() as Float32Array;
const kept = (v: Float32Array) => v.filter((x) => x !== 0).length;

describe('lampScores', () => {
  it('divides each square by the sum of the squares at least as large (hand-computed)', () => {
    // squares 9, 1, 4, 4, 0: 9/9; ties 4 and 4 share (9+4+4); 1/(9+8+1); 0.
    const s = lampScores([3, -1, 2, -2, 0]);
    const want = [1, 1 / 18, 4 / 17, 4 / 17, 0];
    want.forEach((w, i) => expect(s[i]).toBeCloseTo(w, 7));
  });

  it('is unchanged by the scale of the tensor (the point of it)', () => {
    const v = Float32Array.from({ length: 50 }, (_, i) => Math.sin(i * 1.7) * (1 + (i % 7)));
    const a = lampScores(v);
    const b = lampScores(v.map((x) => x * 1e-3));
    a.forEach((x, i) => expect(b[i]).toBeCloseTo(x, 6));
  });
});

describe("Prune({ score: 'lamp' })", () => {
  it('keeps the same count as magnitude, the largest |w| of each layer, and no empty layer', () => {
    const leaks = trackTensors();
    const make = () => {
      const m = lenet5({ seed: 3 });
      // fc1's weights 1000x smaller (with BatchNorm after a layer its scale is arbitrary): global
      // |w| empties it.
      tf.tidy(() => {
        const [k, b] = m.getLayer('fc1').getWeights();
        m.getLayer('fc1').setWeights([k.mul(1e-3), b]);
      });
      return m;
    };
    const ref = make();
    const byMagnitude = make();
    const byLamp = make();
    new Prune({ density: 0.05 }).pi(byMagnitude);
    new Prune({ density: 0.05, score: 'lamp' }).pi(byLamp);
    const total = (m: tf.LayersModel) => KERNELS.reduce((n, l) => n + kept(kernel(m, l)), 0);
    expect(total(byLamp)).toBe(total(byMagnitude));
    expect(kept(kernel(byMagnitude, 'fc1'))).toBe(0);
    for (const l of KERNELS) {
      const w = kernel(byLamp, l);
      const n = kept(w);
      expect(n, l).toBeGreaterThan(0);
      // Within a layer, the kept entries are exactly its n largest magnitudes.
      const dense = kernel(ref, l); // same seed: the unpruned values
      const order = Array.from(dense, Math.abs).sort((a, b) => b - a);
      const smallestKept = Math.min(
        ...Array.from(w)
          .filter((x) => x !== 0)
          .map(Math.abs),
      );
      expect(smallestKept).toBe(order[n - 1]);
    }
    ref.dispose();
    for (const m of [byMagnitude, byLamp]) {
      clearPruning(m);
      m.dispose();
    }
    leaks.check();
  });

  it('round-trips through a JSON spec and rejects an unknown score', () => {
    const s = schemeFromSpec({ scheme: 'Prune', density: 0.1, score: 'lamp' });
    expect(s.toJSON()).toEqual({ scheme: 'Prune', density: 0.1, score: 'lamp' });
    expect(() => schemeFromSpec({ scheme: 'Prune', density: 0.1, score: 'l1' })).toThrow(
      /\$\.score.*"magnitude", "lamp"/,
    );
    expect(() => new Prune({ density: 0.1, score: 'taylor' as never })).toThrow(InvalidArgumentError);
  });
});
