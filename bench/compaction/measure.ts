/**
 * One process of the compaction benchmark (the wasm thread count is fixed when the backend starts,
 * so run.ts starts one of these per thread count). Prints one JSON line per measurement.
 *
 * Each row times four models in alternation: the masked one (dense architecture), it folded for
 * inference (`foldForInference`: batch norms in the convolutions, fused activations), its
 * compaction, and the compaction folded (`compact(model, { fold: true })`). The folded pair gives
 * the compaction speedup of the deployed form, where per-op overhead is smallest.
 *
 *   npx tsx bench/compaction/measure.ts --threads 1 [--quick] [--model resnet20,'seedNet w0.25'] [--removed 0.5,0.7]
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, wasmThreadCount } from '../../src/backend/index.js';
import {
  compactWithPlan,
  countFlops,
  filterPruneGroups,
  foldForInference,
  producedBy,
} from '../../src/graph/index.js';
import { loadPretrained, resnet20, seedNet } from '../../src/models/index.js';
import { clearPruning } from '../../src/pruning/index.js';
import { FilterPrune } from '../../src/schemes/index.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const threads = Number(arg('threads') ?? 1);
const quick = process.argv.includes('--quick');
/** Subjects to run, by name, comma-separated (default: all). */
const only = arg('model')?.split(',');
const fractions = (arg('removed') ?? '0.3,0.5,0.7').split(',').map(Number);

await initBackend({ backend: 'wasm', threads, announce: false });

interface Subject {
  name: string;
  /** Masks `removed` of the filters. */
  prune: (model: tf.LayersModel, removed: number) => void;
  weights: string;
  build: () => Promise<tf.LayersModel>;
  /** Repeats at batch 64 (the big model is slow on 2 shared cores). */
  repeats64: number;
}

async function seedNet025(): Promise<{ model: tf.LayersModel; weights: string }> {
  try {
    return {
      model: await loadPretrained('seednet-0.25-cifar10'),
      weights: 'pretrained seednet-0.25-cifar10',
    };
  } catch {
    return { model: seedNet({ width: 0.25, seed: 0 }), weights: 'random init (pretrained weights missing)' };
  }
}

/**
 * Remove the given fraction of every convolution's filters (whole groups: a residual stage loses
 * the same channels in every branch, BN parameters are masked with them); Dense neurons stay.
 */
const groupPrune = (model: tf.LayersModel, removed: number): void => {
  filterPruneGroups(model, {
    density: 1 - removed,
    scope: 'group',
    criteria: 'l1',
    include: producedBy('Conv2D'),
  });
};
/** Condensa's FilterPrune: one global L1 threshold over all conv filters (filters and biases masked). */
const condensaFilterPrune = (model: tf.LayersModel, removed: number): void => {
  new FilterPrune({ density: 1 - removed, criteria: 'l1' }).pi(model);
};

const first = await seedNet025();
const subjects: Subject[] = [
  {
    name: 'seedNet w0.25',
    prune: groupPrune,
    weights: first.weights,
    build: async () => (await seedNet025()).model,
    repeats64: 7,
  },
  {
    name: 'seedNet w0.25 FilterPrune',
    prune: condensaFilterPrune,
    weights: first.weights,
    build: async () => (await seedNet025()).model,
    repeats64: 7,
  },
  {
    name: 'seedNet w1',
    prune: groupPrune,
    weights: 'random init',
    build: async () => seedNet({ width: 1, seed: 0 }),
    repeats64: 3,
  },
  {
    name: 'resnet20',
    prune: groupPrune,
    weights: 'random init',
    build: async () => resnet20({ width: 1, seed: 0 }),
    repeats64: 5,
  },
];
first.model.dispose();

/**
 * Median wall time (ms) of `predict` on a batch, for models measured in alternation (A, B, C, A,
 * B, C, ...) so that load from other processes on the shared machine hits all alike.
 */
function pairedMedianMs(models: tf.LayersModel[], batch: number, repeats: number): number[] {
  const x = tf.randomNormal([batch, 32, 32, 3], 0, 1, 'float32', 1);
  const inner = batch === 1 ? 10 : 1;
  const once = (m: tf.LayersModel) => {
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) {
      const y = m.predict(x) as tf.Tensor;
      y.dataSync();
      y.dispose();
    }
    return (performance.now() - t0) / inner;
  };
  for (const m of models) once(m); // warm-up: XNNPACK operator creation, memory growth
  const times: number[][] = models.map(() => []);
  for (let r = 0; r < repeats; r++) models.forEach((m, i) => times[i].push(once(m)));
  x.dispose();
  const median = (t: number[]) => t.sort((p, q) => p - q)[Math.floor(t.length / 2)];
  return times.map(median);
}

for (const s of subjects) {
  if (only && !only.includes(s.name)) continue;
  for (const removed of fractions) {
    const model = await s.build();
    const before = countFlops(model);
    // The masked model has the dense architecture, so it is the "before" for timing (zeros
    // make nothing faster on tfjs).
    s.prune(model, removed);
    const t0 = performance.now();
    const { model: small } = compactWithPlan(model);
    const compactMs = performance.now() - t0;
    const folded = foldForInference(small).model;
    const denseFolded = foldForInference(model).model;
    const check = (other: tf.LayersModel) =>
      tf.tidy(() => {
        const x = tf.randomNormal([8, 32, 32, 3], 0, 1, 'float32', 3);
        const a = model.predict(x) as tf.Tensor;
        const b = other.predict(x) as tf.Tensor;
        return a.sub(b).abs().max().div(a.abs().max()).dataSync()[0];
      });
    const after = countFlops(small);
    const models = [model, denseFolded, small, folded];
    const [b64, d64, a64, f64] = pairedMedianMs(models, 64, quick ? 2 : s.repeats64);
    const [b1, d1, a1, f1] = pairedMedianMs(models, 1, quick ? 3 : 9);
    const row = {
      model: s.name,
      weights: s.weights,
      threads: wasmThreadCount(),
      removed,
      flopsBefore: before.total,
      flopsAfter: after.total,
      paramsBefore: before.params,
      paramsAfter: after.params,
      compactMs,
      maxRelErr: check(small),
      maxRelErrFolded: check(folded),
      flopsFolded: countFlops(folded).total,
      flopsBeforeFolded: countFlops(denseFolded).total,
      layersAfter: small.layers.length,
      layersFolded: folded.layers.length,
      tp64Before: 64000 / b64,
      tp64After: 64000 / a64,
      tp1Before: 1000 / b1,
      tp1After: 1000 / a1,
      tp64Folded: 64000 / f64,
      tp64BeforeFolded: 64000 / d64,
      tp1BeforeFolded: 1000 / d1,
      tp1Folded: 1000 / f1,
    };
    console.log(JSON.stringify(row));
    clearPruning(model);
    model.dispose();
    small.dispose();
    folded.dispose();
    denseFolded.dispose();
  }
}
