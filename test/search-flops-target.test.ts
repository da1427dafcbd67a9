import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../src/errors.js';
import { compact, countFlops } from '../src/graph/index.js';
import { resnet20, seedNet } from '../src/models/index.js';
import { disposeModel } from '../src/optimizers/index.js';
import { isPruned } from '../src/pruning/index.js';
import { FilterPrune, GroupPrune } from '../src/schemes/index.js';
import { densityForFlops } from '../src/search/index.js';
import { trackTensors } from './helpers/leaks.js';

/** FLOPs of `model` once `scheme` pruned a copy and it was compacted, over the model's own. */
function keptAt(model: tf.LayersModel, scheme: { pi(m: tf.LayersModel): void }): number {
  const copy = seedLike(model);
  scheme.pi(copy);
  const small = compact(copy);
  const kept = countFlops(small).total / countFlops(model).total;
  small.dispose();
  disposeModel(copy);
  return kept;
}

function seedLike(model: tf.LayersModel): tf.LayersModel {
  const copy = seedNet({ width: 0.125, seed: 3 });
  copy.setWeights(model.getWeights());
  return copy;
}

describe('densityForFlops', () => {
  it('finds the largest FilterPrune density that removes the asked share of FLOPs', () => {
    const leaks = trackTensors();
    const model = seedNet({ width: 0.125, seed: 3 });
    const before = model.getWeights().map((w) => w.dataSync().slice());
    const match = densityForFlops(model, new FilterPrune({ density: 1 }), { cut: 0.5, tolerance: 0.01 });
    expect(match.flopsKept).toBeLessThanOrEqual(0.5);
    // The bisection's bracket: a density one tolerance step higher keeps more than the target.
    expect(keptAt(model, new FilterPrune({ density: match.density + 0.02 }))).toBeGreaterThan(0.5);
    expect(keptAt(model, match.scheme)).toBeCloseTo(match.flopsKept, 10);
    expect(match.density).toBeGreaterThan(0.2);
    expect(match.density).toBeLessThan(0.9);
    // The model itself is untouched: no masks, the same weights.
    expect(model.layers.some((l) => isPruned(l))).toBe(false);
    model.getWeights().forEach((w, i) => expect(w.dataSync()).toEqual(before[i]));
    model.dispose();
    leaks.check();
  });

  it('works through channel groups of a residual network (GroupPrune)', () => {
    const leaks = trackTensors();
    const model = resnet20({ width: 0.25, seed: 1 });
    const match = densityForFlops(model, new GroupPrune({ density: 1 }), { cut: 0.3, tolerance: 0.02 });
    expect(match.flopsKept).toBeLessThanOrEqual(0.7);
    expect(match.flopsKept).toBeGreaterThan(0.5);
    expect(match.scheme.density).toBe(match.density);
    model.dispose();
    leaks.check();
  });

  it('refuses a cut the scheme cannot reach, and a cut outside (0, 1)', () => {
    const leaks = trackTensors();
    const model = seedNet({ width: 0.125, seed: 3 });
    // FilterPrune keeps at least one filter per conv and never touches the dense layers.
    expect(() => densityForFlops(model, new FilterPrune({ density: 1 }), { cut: 0.9999 })).toThrow(
      /cannot remove 100\.0% .*at most/,
    );
    expect(() => densityForFlops(model, new FilterPrune({ density: 1 }), { cut: 1 })).toThrow(
      InvalidArgumentError,
    );
    model.dispose();
    leaks.check();
  });
});
