/**
 * Which layers keep the weights at `Prune(0.1)`: the per-layer allocation as a lever, one-shot, on
 * the pretrained CIFAR-10 seedNet (width 0.25). The same 10% of all kernel entries kept, split:
 *   global |w|  one threshold over every kernel (Prune's default);
 *   lamp        one threshold over LAMP scores (layer-adaptive);
 *   uniform     every layer keeps 10% of its own kernel;
 *   sensitivity Han et al.: an unstructured sensitivity profile (each layer pruned alone by |w|,
 *               the others dense, accuracy on --probe training images), then the accuracy budget b
 *               at which every layer takes the largest sparsity whose drop is <= b (linear between
 *               probed sparsities) and the kept entries total 10% (bisection on b); the output
 *               layer (fc3, 0.13% of the weights) stays dense.
 * Test accuracy right after pruning and after re-estimating the batch-norm statistics (--bn
 * training images), on the first --test test images.
 *
 *   npx tsx bench/criteria/allocation.ts [--density 0.1] [--probe 1000] [--test 2000] [--bn 2048]
 *
 * Appends one JSON line per allocation to bench/criteria/allocation-results.jsonl and prints a table.
 */
import * as tf from '@tensorflow/tfjs';
import { appendFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { loadPretrained } from '../../src/models/index.js';
import { cloneModel, disposeModel, reestimateBatchNorm } from '../../src/optimizers/index.js';
import { Prune } from '../../src/schemes/index.js';
import { sensitivity, type SensitivityAnalysis } from '../../src/search/index.js';
import { evaluate } from '../../src/training/index.js';
import { criteriaData } from './cifar-data.js';

const { values: a } = parseArgs({
  options: {
    density: { type: 'string', default: '0.1' },
    probe: { type: 'string', default: '1000' },
    test: { type: 'string', default: '2000' },
    bn: { type: 'string', default: '2048' },
    out: { type: 'string', default: 'bench/criteria/allocation-results.jsonl' },
  },
});
const density = Number(a.density);
const { backend, trainSubset, loss, accuracy } = await criteriaData(Number(a.test));
const probeSet = trainSubset(Number(a.probe), 3);
const bnData = trainSubset(Number(a.bn), 1, Math.ceil);
const dense = await loadPretrained('seednet-0.25-cifar10');
const kernelLayers = dense.layers.filter((l) => l.getWeights()[0]?.rank >= 2).map((l) => l.name);
const sizes = Object.fromEntries(kernelLayers.map((l) => [l, dense.getLayer(l).getWeights()[0].size]));
const total = Object.values(sizes).reduce((s, x) => s + x, 0);

const t0 = performance.now();
const profile = await sensitivity(dense, {
  granularity: 'weight',
  sparsities: [0.5, 0.7, 0.8, 0.85, 0.9, 0.93, 0.96, 0.98, 0.99],
  evaluate: async (m) => (await evaluate(m, probeSet, loss)).accuracy,
});
const profileSeconds = (performance.now() - t0) / 1000;

/** The largest sparsity of `layer` whose (interpolated) drop stays within `budget`. */
function sparsityAt(p: SensitivityAnalysis['layers'][number], baseline: number, budget: number): number {
  const pts = [
    { sparsity: 0, drop: 0 },
    ...p.points.map((q) => ({ sparsity: q.sparsity, drop: baseline - q.metric })),
  ];
  let best = 0;
  for (let i = 1; i < pts.length; i++) {
    const [u, v] = [pts[i - 1], pts[i]];
    if (v.drop <= budget) best = v.sparsity;
    else {
      // The curve crosses the budget inside this segment (if it was under it at u).
      if (u.drop <= budget)
        best = u.sparsity + ((budget - u.drop) / (v.drop - u.drop)) * (v.sparsity - u.sparsity);
      break;
    }
  }
  return best;
}
const allocate = (budget: number): Record<string, number> =>
  Object.fromEntries(profile.layers.map((p) => [p.layer, 1 - sparsityAt(p, profile.baseline, budget)]));
const keptAt = (d: Record<string, number>) =>
  kernelLayers.reduce((s, l) => s + sizes[l] * (d[l] ?? 1), 0) / total;
let [lo, hi] = [0, 1];
for (let i = 0; i < 50; i++) {
  const mid = (lo + hi) / 2;
  if (keptAt(allocate(mid)) > density) lo = mid;
  else hi = mid;
}
const hanBudget = hi;
const han = { ...allocate(hanBudget), fc3: 1 };

const allocations: Record<string, () => Prune> = {
  'global |w|': () => new Prune(density),
  lamp: () => new Prune({ density, score: 'lamp' }),
  uniform: () => new Prune({ density, densities: Object.fromEntries(kernelLayers.map((l) => [l, density])) }),
  sensitivity: () => new Prune({ density, densities: han }),
};
const denseAcc = await accuracy(dense);
const rows: Array<Record<string, unknown>> = [];
for (const [name, scheme] of Object.entries(allocations)) {
  const m = cloneModel(dense);
  scheme().pi(m);
  const kept = Object.fromEntries(
    kernelLayers.map((l) => {
      const k = m.getLayer(l).getWeights()[0];
      const nz = tf.tidy(() => k.notEqual(0).sum().dataSync()[0]);
      return [l, Number((nz / k.size).toFixed(4))];
    }),
  );
  const oneShot = await accuracy(m);
  await reestimateBatchNorm(m, bnData, { images: Number(a.bn) });
  const bn = await accuracy(m);
  disposeModel(m);
  const row = {
    date: new Date().toISOString(),
    backend,
    allocation: name,
    density,
    kept,
    keptOverall: kernelLayers.reduce((s, l) => s + sizes[l] * kept[l], 0) / total,
    denseAccuracy: denseAcc,
    oneShot,
    bnRecalibrated: bn,
    ...(name === 'sensitivity' ? { budget: hanBudget, profile, profileSeconds } : {}),
    probeImages: Number(a.probe),
    testImages: Number(a.test),
    loadAverage: Number(loadavg()[0].toFixed(2)),
  };
  rows.push(row);
  appendFileSync(a.out!, `${JSON.stringify(row)}\n`);
}
const pct = (x: unknown) => `${((x as number) * 100).toFixed(2)}%`;
console.log(
  `dense ${pct(denseAcc)}; sensitivity budget ${(hanBudget * 100).toFixed(2)} points on the probe set`,
);
console.log(`\n| allocation | kept ${kernelLayers.join('/')} (%) | one-shot | + BN recal. |`);
console.log('| --- | --- | --- | --- |');
for (const r of rows) {
  const k = r.kept as Record<string, number>;
  const split = kernelLayers.map((l) => (k[l] * 100).toFixed(1)).join('/');
  console.log(`| ${String(r.allocation)} | ${split} | ${pct(r.oneShot)} | ${pct(r.bnRecalibrated)} |`);
}
dense.dispose();
tf.dispose([probeSet.xs, probeSet.ys, bnData.xs, bnData.ys]);
