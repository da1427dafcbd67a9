/**
 * Every importance criterion on the pretrained CIFAR-10 seedNet (width 0.25), one-shot: 50% of
 * the conv filters removed by FilterPrune (one global ranking over conv1-3), no fine-tuning;
 * test accuracy right after pruning and after re-estimating the batch-norm statistics on
 * training images (forward passes only). The time is that of scoring alone
 * (`importanceScores`) on the calibration set.
 *
 *   npx tsx bench/criteria/one-shot.ts [--scope global|layer|group] [--test 2000] [--calibration 512] [--bn 2048] [--density 0.5]
 *       [--flops-cut 0.5]
 *
 * --scope group: GroupPrune (channel groups of the dependency graph, one global threshold) at the
 * density that removes --flops-cut of the model's FLOPs once compacted (`densityForFlops`), so that
 * every criterion is compared at the same FLOPs, not the same filter count.
 *
 * Calibration: --calibration training images (stratified, seed 0); test: the first --test test
 * images. Appends one JSON line per criterion to bench/criteria/results.jsonl and prints a table.
 */
import * as tf from '@tensorflow/tfjs';
import { appendFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { BUILTIN_IMPORTANCE, importanceScores } from '../../src/importance/index.js';
import { loadPretrained } from '../../src/models/index.js';
import { reestimateBatchNorm } from '../../src/optimizers/index.js';
import { FilterPrune, GroupPrune } from '../../src/schemes/index.js';
import { densityForFlops } from '../../src/search/index.js';
import { criteriaData } from './cifar-data.js';

const { values: a } = parseArgs({
  options: {
    test: { type: 'string', default: '2000' },
    calibration: { type: 'string', default: '512' },
    bn: { type: 'string', default: '2048' },
    density: { type: 'string', default: '0.5' },
    only: { type: 'string' },
    scope: { type: 'string', default: 'global' },
    'flops-cut': { type: 'string', default: '0.5' },
    out: { type: 'string', default: 'bench/criteria/results.jsonl' },
  },
});

const n = Number(a.test);
const { backend, trainSubset, accuracy } = await criteriaData(n);
const calibration = trainSubset(Number(a.calibration), 0);
const bnData = trainSubset(Number(a.bn), 1, Math.ceil);
const density = Number(a.density);
const convs = ['conv1', 'conv2', 'conv3'];

const dense = await loadPretrained('seednet-0.25-cifar10');
const denseAcc = await accuracy(dense);
dense.dispose();
console.log(`dense: ${(denseAcc * 100).toFixed(2)}% on ${n} test images`);

const rows: Array<Record<string, unknown>> = [];
const criteria = a.only ? a.only.split(',') : [...BUILTIN_IMPORTANCE];
for (const importance of criteria) {
  const model = await loadPretrained('seednet-0.25-cifar10');
  const load = loadavg()[0];
  const t0 = performance.now();
  // GroupPrune also reads the dense layers' scores (it prunes only the conv groups).
  const layers = a.scope === 'group' ? [...convs, 'fc1', 'fc2'] : convs;
  const scores = importanceScores(model, importance, { data: calibration, layers, seed: 0 });
  const seconds = (performance.now() - t0) / 1000;
  // The same scores rank the filters: the timing above is the criterion's whole cost.
  // 'global': one threshold over conv1-3 (FilterPrune's default); 'layer': each conv keeps
  // `density` of its own filters (the setting of the FPGM and Taylor papers' comparisons).
  const densities = a.scope === 'layer' ? Object.fromEntries(convs.map((l) => [l, density])) : undefined;
  let used = density;
  if (a.scope === 'group') {
    const match = densityForFlops(model, new GroupPrune({ density: 1, importance: () => scores }), {
      cut: Number(a['flops-cut']),
    });
    used = match.density;
    match.scheme.pi(model);
  } else {
    new FilterPrune({ density, densities, importance: () => scores }).pi(model);
  }
  const kept = Object.fromEntries(
    convs.map((l) => [
      l,
      tf.tidy(
        () =>
          tf
            .max(tf.abs(model.getLayer(l).getWeights()[0]), [0, 1, 2])
            .greater(0)
            .sum()
            .dataSync()[0],
      ),
    ]),
  );
  const oneShot = await accuracy(model);
  await reestimateBatchNorm(model, bnData, { images: Number(a.bn) });
  const bnAcc = await accuracy(model);
  const row = {
    date: new Date().toISOString(),
    backend,
    importance,
    density: used,
    scope: a.scope,
    flopsCut: a.scope === 'group' ? Number(a['flops-cut']) : undefined,
    kept,
    scoreSeconds: Number(seconds.toFixed(3)),
    denseAccuracy: denseAcc,
    oneShotAccuracy: oneShot,
    bnRecalibratedAccuracy: bnAcc,
    calibrationImages: calibration.xs.shape[0],
    bnImages: Number(a.bn),
    testImages: n,
    loadAverage: Number(load.toFixed(2)),
  };
  rows.push(row);
  appendFileSync(a.out!, `${JSON.stringify(row)}\n`);
  console.log(JSON.stringify(row));
  model.dispose();
}

console.log(
  '\n| importance | kept conv1/conv2/conv3 | score time (s) | one-shot acc. | after BN recalibration |',
);
console.log('| --- | --- | --- | --- | --- |');
for (const r of rows) {
  const k = r.kept as Record<string, number>;
  const pct = (x: unknown) => `${((x as number) * 100).toFixed(2)}%`;
  console.log(
    `| ${String(r.importance)} | ${k.conv1}/${k.conv2}/${k.conv3} | ${String(r.scoreSeconds)} | ${pct(r.oneShotAccuracy)} | ${pct(r.bnRecalibratedAccuracy)} |`,
  );
}
