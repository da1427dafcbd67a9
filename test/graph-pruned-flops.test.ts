import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../src/errors.js';
import { compact, countFlops, prunedFlops } from '../src/graph/index.js';
import { seedNet } from '../src/models/index.js';
import {
  type Sym,
  conv,
  disposeAll,
  functional,
  init,
  randomizeBiasesAndNorms,
  zeroFilters,
} from './graph-fixtures.js';
import { trackTensors } from './helpers/leaks.js';

/** Zero the first `n` filters of each named layer, compact, and count the compacted model's FLOPs. */
function compactedFlops(model: tf.LayersModel, zeroed: Record<string, number>): number {
  for (const [name, n] of Object.entries(zeroed)) {
    zeroFilters(
      model,
      name,
      Array.from({ length: n }, (_, i) => i),
    );
  }
  const small = compact(model);
  try {
    return countFlops(small).total;
  } finally {
    small.dispose();
  }
}

/** Convs 'a' and 'b' on the input, merged, then conv 'c', flatten and a dense output. */
function twoBranches(aFilters: number, bFilters: number, merge: (a: Sym, b: Sym) => Sym): tf.LayersModel {
  return functional([8, 8, 3], (x) => {
    const a = conv('a', aFilters, { padding: 'same' }).apply(x) as Sym;
    const b = conv('b', bFilters, { padding: 'same' }).apply(x) as Sym;
    const c = conv('c', 6).apply(merge(a, b)) as Sym;
    const f = tf.layers.flatten({ name: 'f' }).apply(c) as Sym;
    return tf.layers.dense({ units: 3, name: 'out', kernelInitializer: init() }).apply(f) as Sym;
  });
}

describe('prunedFlops', () => {
  it('equals the FLOPs of the compacted seedNet, coupling consecutive layers', () => {
    const leaks = trackTensors();
    const model = seedNet({ width: 0.125, seed: 3 }); // conv filters 32, 64, 128
    randomizeBiasesAndNorms(model);
    const flopsAt = prunedFlops(model);
    expect(flopsAt({})).toBe(countFlops(model).total);
    const keep = { conv1: 0.5, conv2: 0.75, conv3: 0.25 };
    const expected = compactedFlops(model, { conv1: 16, conv2: 16, conv3: 96 });
    expect(flopsAt(keep) / expected).toBeCloseTo(1, 12);
    // The coupling: conv1's filters are conv2's input channels, so keeping half of conv1 removes
    // half of conv2's multiply-accumulates too, far more than conv1's own FLOPs.
    const dense = countFlops(model).perLayer;
    const own = (name: string) => dense.find((l) => l.name === name)!.flops;
    const saved = flopsAt({}) - flopsAt({ conv1: 0.5 });
    expect(saved).toBeGreaterThan(own('conv1') / 2 + own('conv2') / 2 - 1);
    // The classifier's output is pinned (its channels are the model's output): nothing to save.
    expect(flopsAt({ fc3: 0.5 })).toBe(flopsAt({}));
    disposeAll(model);
    leaks.check();
  });

  it('follows concatenated branches and tied residual channels', () => {
    const concat = twoBranches(8, 4, (a, b) => tf.layers.concatenate({ name: 'cat' }).apply([a, b]) as Sym);
    randomizeBiasesAndNorms(concat);
    const concatAt = prunedFlops(concat);
    expect(concatAt({ a: 0.5, c: 0.5 }) / compactedFlops(concat, { a: 4, c: 3 })).toBeCloseTo(1, 12);

    const residual = twoBranches(8, 8, (a, b) => tf.layers.add({ name: 'sum' }).apply([a, b]) as Sym);
    randomizeBiasesAndNorms(residual);
    const residualAt = prunedFlops(residual);
    // A channel of the sum survives while either branch keeps it: one branch alone saves nothing.
    expect(residualAt({ a: 0.5 })).toBe(residualAt({}));
    expect(residualAt({ a: 0.5, b: 0.5 }) / compactedFlops(residual, { a: 4, b: 4 })).toBeCloseTo(1, 12);
    disposeAll(concat, residual);
  });

  it('rejects a kept fraction outside [0, 1]', () => {
    const model = seedNet({ width: 0.125, seed: 3 });
    const flopsAt = prunedFlops(model);
    expect(() => flopsAt({ conv1: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => flopsAt({ conv1: Number.NaN })).toThrow(/conv1.*\[0, 1\]/);
    disposeAll(model);
  });
});
