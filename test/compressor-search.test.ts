import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Compressor, type CompressionResult } from '../src/compressor/index.js';
import {
  MNIST_MEAN,
  MNIST_STD,
  loadMnist,
  splitValidation,
  stratifiedSubset,
  toTensors,
} from '../src/data/index.js';
import { prunedFlops } from '../src/graph/index.js';
import { loadPretrained } from '../src/models/index.js';
import { objectives, searchops } from '../src/objectives/index.js';
import { DirectCompression, LC, disposeModel } from '../src/optimizers/index.js';
import { FilterPrune, Prune } from '../src/schemes/index.js';
import { SAMPLE_LOG_NAME, type Density, type Sample } from '../src/search/index.js';
import { trackTensors } from './helpers/leaks.js';

// The seed's Listing 1 API (scheme without density + objective + eps) on the pretrained MNIST
// LeNet-5 at a CI-sized budget: DirectCompression samples on 500 validation digits, and a
// two-step L-C of a few minibatches for the final model.
type Tensors = { xs: tf.Tensor; ys: tf.Tensor };
let trainData: Tensors;
let valData: Tensors;
let dense: tf.LayersModel;
let dir: string;

const tinyLC = () =>
  new LC({ steps: 2, firstLIterations: 10, batchSize: 32, fineTuneIterations: 0, bnImages: 0 });

function listing(extra: Partial<ConstructorParameters<typeof Compressor>[0]> = {}): Compressor {
  return new Compressor({
    model: dense,
    objective: new searchops.Minimize(objectives.flops()),
    eps: 0.02,
    budget: 4,
    optimizer: tinyLC(),
    searchOptimizer: new DirectCompression(),
    scheme: new FilterPrune(),
    trainData,
    valData,
    loss: 'categoricalCrossentropy',
    ...extra,
  });
}

// Unstructured pruning for the main search: LeNet-5 (no BatchNorm, 22 filters) loses 7 points
// of accuracy to one pruned filter without retraining, so a FilterPrune search at a CI budget
// would only find sparsity 0 feasible; Prune keeps ~50% of its weights within 2 points.
const prunedListing = (extra: Partial<ConstructorParameters<typeof Compressor>[0]> = {}) =>
  listing({
    scheme: new Prune(),
    objective: new searchops.Minimize(objectives.params({ nonzero: true })),
    ...extra,
  });

/** Fraction of nonzero Conv2D/Dense kernel entries. */
function kernelDensity(model: tf.LayersModel): number {
  let nonzero = 0;
  let total = 0;
  for (const l of model.layers.filter((x) => ['Conv2D', 'Dense'].includes(x.getClassName()))) {
    const k = l.getWeights()[0];
    total += k.size;
    nonzero += tf.tidy(() => tf.sum(tf.cast(tf.notEqual(k, 0), 'float32')).dataSync()[0]);
  }
  return nonzero / total;
}

/** Fraction of Conv2D filters (over all conv layers) that are not entirely zero. */
function filterDensity(model: tf.LayersModel): number {
  let kept = 0;
  let total = 0;
  for (const l of model.layers.filter((x) => x.getClassName() === 'Conv2D')) {
    const k = l.getWeights()[0];
    const out = k.shape[3] as number;
    const norms = tf.tidy(() => tf.sum(tf.abs(tf.reshape(k, [-1, out])), 0).dataSync());
    total += out;
    kept += norms.filter((v) => v > 0).length;
  }
  return kept / total;
}

async function logLines(runDir: string): Promise<Array<{ kind: string }>> {
  const text = await readFile(join(runDir, SAMPLE_LOG_NAME), 'utf8');
  return text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { kind: string });
}

beforeAll(async () => {
  const mnist = await loadMnist();
  const norm = { normalize: 'standard' as const, mean: MNIST_MEAN, std: MNIST_STD, numClasses: 10 };
  const { train, val } = splitValidation(mnist.train, { count: 500, seed: 3 });
  trainData = toTensors(stratifiedSubset(train, { perClass: 40, seed: 0 }), norm);
  valData = toTensors(val, norm);
  dense = await loadPretrained('lenet5-mnist');
  dir = await mkdtemp(join(tmpdir(), 'condensa-search-'));
});

afterAll(async () => {
  tf.dispose([trainData.xs, trainData.ys, valData.xs, valData.ys]);
  dense.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('Compressor sparsity search (seed Listing 1 API, MNIST LeNet-5)', () => {
  it('searches the Prune density within eps, logs every sample, compresses at the chosen density, resumes without repeating', async () => {
    const leaks = trackTensors();
    const runDir = join(dir, 'global');
    // A killed search: abort after the second sample.
    const abort = new AbortController();
    const first: Sample<Density>[] = [];
    await expect(
      prunedListing({
        runDir,
        signal: abort.signal,
        onSample: (s) => {
          first.push(s);
          if (first.length === 2) abort.abort();
        },
      }).run(),
    ).rejects.toThrow();
    expect(first.map((s) => s.replayed)).toEqual([false, false]);
    expect((await logLines(runDir)).filter((l) => l.kind === 'sample')).toHaveLength(2);

    // Resumed: the two finished samples are replayed, the other two computed.
    const traced: Sample<Density>[] = [];
    const result: CompressionResult = await prunedListing({ runDir, onSample: (s) => traced.push(s) }).run();
    const search = result.search!;
    expect(traced.map((s) => s.replayed)).toEqual([true, true, false, false]);
    expect(traced.slice(0, 2).map((s) => s.density)).toEqual(first.map((s) => s.density));
    expect(search.samples).toHaveLength(4);
    expect((await logLines(runDir)).filter((l) => l.kind === 'sample')).toHaveLength(4);

    // The chosen sample is feasible and the best feasible one (fewest weights) of the trace.
    expect(search.feasible).toBe(true);
    expect(search.chosen.accuracy).toBeGreaterThanOrEqual(search.baseAccuracy - 0.02 - 1e-12);
    const feasible = search.samples.filter((s) => s.feasible);
    expect(search.chosen.objective).toBe(Math.min(...feasible.map((s) => s.objective)));
    expect(search.chosenSparsity).toBeGreaterThan(0);
    expect(search.objectiveName).toContain('params');
    expect(search.chosen.objective).toBeLessThan(search.baseObjective);

    // The final (L-C) model keeps the chosen fraction of kernel entries.
    const d = search.chosenDensity as number;
    expect(Math.abs(kernelDensity(result.model) - d)).toBeLessThanOrEqual(1e-3);
    disposeModel(result.model);

    // Run again on the complete log: nothing is recomputed, the same density is chosen.
    const again = await prunedListing({ runDir }).run();
    expect(again.search!.samples.every((s) => s.replayed)).toBe(true);
    expect(again.search!.chosenDensity).toBe(d);
    disposeModel(again.model);
    leaks.check();
  });

  it('reports an infeasible budget with the closest sample and compresses no further than it', async () => {
    const leaks = trackTensors();
    const result = await listing({
      eps: { eps: 0, mode: 'absolute' },
      searchRange: { sMin: 0.9, sMax: 0.95 },
      budget: 2,
    }).run();
    const search = result.search!;
    expect(search.feasible).toBe(false);
    expect(search.message).toBeTruthy();
    expect(search.samples).toHaveLength(2);
    // The closest sample: highest accuracy of the (infeasible) samples.
    expect(search.chosen.accuracy).toBe(Math.max(...search.samples.map((s) => s.accuracy)));
    expect(search.chosen.accuracy).toBeLessThan(search.threshold);
    // No L-C: the returned model is the closest sample's direct compression (one step).
    expect(result.stats).toHaveLength(1);
    expect(result.val.accuracy).toBeCloseTo(search.chosen.accuracy, 10);
    disposeModel(result.model);
    leaks.check();
  });

  it('compresses a scheme built with a density and no objective as given (no search)', async () => {
    const leaks = trackTensors();
    const result = await new Compressor({
      model: dense,
      scheme: new FilterPrune(0.5),
      optimizer: new DirectCompression(),
      trainData,
      valData,
      loss: 'categoricalCrossentropy',
    }).run();
    expect(result.search).toBeUndefined();
    expect(Math.abs(filterDensity(result.model) - 0.5)).toBeLessThanOrEqual(1 / 22 + 1e-9);
    disposeModel(result.model);
    leaks.check();
  });

  it('per-layer mode gives each conv layer its own density within eps', async () => {
    const leaks = trackTensors();
    const result = await listing({ mode: 'per-layer', budget: 3, runDir: join(dir, 'per-layer') }).run();
    const search = result.search!;
    expect(search.mode).toBe('per-layer');
    expect(search.samples).toHaveLength(3);
    const densities = search.chosenDensity as Record<string, number>;
    expect(Object.keys(densities).sort()).toEqual(['conv1', 'conv2']);
    // The overall sparsity is the fraction of FLOPs removed, conv2's input channels included
    // (conv1's filters), and the measured objective is the compacted model's FLOPs at the
    // whole filters each density keeps.
    const flopsAt = prunedFlops(dense);
    const filters = (name: string) => dense.getLayer(name).getWeights()[0].shape[3] as number;
    for (const p of search.samples) {
      const d = p.density as Record<string, number>;
      expect(p.sparsity).toBeCloseTo(1 - flopsAt(d) / flopsAt({}), 9);
      const whole = Object.fromEntries(
        Object.entries(d).map(([l, v]) => [l, Math.floor(v * filters(l) + 1e-9) / filters(l)]),
      );
      expect(p.objective).toBe(flopsAt(whole));
    }
    if (search.feasible) {
      expect(search.chosen.accuracy).toBeGreaterThanOrEqual(search.threshold);
    }
    // Each layer of the final model keeps its own fraction of filters.
    for (const [name, d] of Object.entries(densities)) {
      const k = result.model.getLayer(name).getWeights()[0];
      const out = k.shape[3] as number;
      const kept = tf
        .tidy(() => tf.sum(tf.abs(tf.reshape(k, [-1, out])), 0).dataSync())
        .filter((v) => v > 0).length;
      expect(Math.abs(kept / out - d)).toBeLessThanOrEqual(1 / out + 1e-9);
    }
    disposeModel(result.model);
    leaks.check();
  });
});
