/**
 * The criteria after an equal fine-tuning budget: on the pretrained CIFAR-10 seedNet (width
 * 0.25), FilterPrune removes 50% of the conv filters (one global threshold over conv1-3, default
 * guards: every layer keeps >= 1 filter) ranked by each importance, then FineTune trains every
 * row for the same number of minibatches (SGD Nesterov 0.9, cosine lr from --lr to 0, masks
 * fixed, CIFAR augmentation, data order seeded by --seed). Reports, per criterion: filters kept
 * per layer, scoring time (`importanceScores` alone, on the calibration set), test accuracy
 * one-shot and after fine-tuning, and the dense accuracy, all on the same test images.
 *
 *   npx tsx bench/criteria/finetune.ts [--iterations 150] [--lr 0.01] [--seed 0] [--test 2000]
 *       [--calibration 512] [--val 500] [--only l2,fpgm,...]
 *
 * Calibration: --calibration stratified training images (seed 0); validation (FineTune's single
 * evaluation, not used for selection since there is one step): --val stratified training images
 * (seed 2); test: the first --test test images (as `one-shot.ts`). The scores are computed once
 * and the same scores give both the one-shot mask and the fine-tuned model's mask. Appends one
 * JSON line per criterion to bench/criteria/finetune-results.jsonl and prints a table.
 */
import * as tf from '@tensorflow/tfjs';
import { appendFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Compressor } from '../../src/compressor/index.js';
import { batchDataset } from '../../src/data/index.js';
import { importanceScores } from '../../src/importance/index.js';
import { loadPretrained } from '../../src/models/index.js';
import { cosineLr, disposeModel, FineTune } from '../../src/optimizers/index.js';
import { criteriaData } from './cifar-data.js';
import { FilterPrune } from '../../src/schemes/index.js';

const { values: a } = parseArgs({
  options: {
    iterations: { type: 'string', default: '150' },
    lr: { type: 'string', default: '0.01' },
    seed: { type: 'string', default: '0' },
    test: { type: 'string', default: '2000' },
    calibration: { type: 'string', default: '512' },
    val: { type: 'string', default: '500' },
    density: { type: 'string', default: '0.5' },
    only: { type: 'string', default: 'random,l2,fpgm,bnScale,activation,apoz,taylor' },
    out: { type: 'string', default: 'bench/criteria/finetune-results.jsonl' },
  },
});

const iterations = Number(a.iterations);
const lr = Number(a.lr);
const seed = Number(a.seed);
const density = Number(a.density);
const batchSize = 128;
const convs = ['conv1', 'conv2', 'conv3'];

const n = Number(a.test);
const { backend, cifar, norm, trainSubset, test, accuracy } = await criteriaData(n);
const calibration = trainSubset(Number(a.calibration), 0);
const valData = trainSubset(Number(a.val), 2);

const dense = await loadPretrained('seednet-0.25-cifar10');
const denseAcc = await accuracy(dense);
dense.dispose();
console.log(`dense: ${(denseAcc * 100).toFixed(2)}% on ${n} test images`);

const keptFilters = (model: tf.LayersModel) =>
  Object.fromEntries(
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

const rows: Array<Record<string, unknown>> = [];
for (const importance of a.only!.split(',')) {
  const load = loadavg()[0];
  const model = await loadPretrained('seednet-0.25-cifar10');
  const t0 = performance.now();
  const scores = importanceScores(model, importance, { data: calibration, layers: convs, seed: 0 });
  const scoreSeconds = (performance.now() - t0) / 1000;
  const scheme = () => new FilterPrune({ density, importance: () => scores });
  scheme().pi(model);
  const keptOneShot = keptFilters(model);
  const oneShot = await accuracy(model);
  model.dispose();

  const fresh = await loadPretrained('seednet-0.25-cifar10');
  const trainData = batchDataset(cifar.train, { ...norm, batchSize, shuffle: true, seed, augment: 'cifar' });
  const t1 = performance.now();
  const result = await new Compressor({
    model: fresh,
    scheme: scheme(),
    optimizer: new FineTune({
      iterations,
      evalEvery: iterations,
      lr,
      lrSchedule: cosineLr(lr, 0, iterations),
      batchSize,
    }),
    trainData,
    valData,
    loss: 'categoricalCrossentropy',
    seed,
  }).run();
  const fineTuneSeconds = (performance.now() - t1) / 1000;
  const kept = keptFilters(result.model);
  const fineTuned = await accuracy(result.model);
  const row = {
    date: new Date().toISOString(),
    backend,
    importance,
    density,
    scope: 'global',
    kept,
    keptOneShot,
    scoreSeconds: Number(scoreSeconds.toFixed(3)),
    denseAccuracy: denseAcc,
    oneShotAccuracy: oneShot,
    fineTunedAccuracy: fineTuned,
    budget: {
      minibatches: iterations,
      batchSize,
      lr,
      schedule: 'cosine to 0',
      momentum: 0.9,
      augment: 'cifar',
      seed,
    },
    fineTuneSeconds: Number(fineTuneSeconds.toFixed(1)),
    calibrationImages: calibration.xs.shape[0],
    valImages: valData.xs.shape[0],
    testImages: n,
    loadAverage: Number(load.toFixed(2)),
  };
  rows.push(row);
  appendFileSync(a.out!, `${JSON.stringify(row)}\n`);
  console.log(JSON.stringify(row));
  disposeModel(result.model);
  if (result.model !== fresh) fresh.dispose();
}

console.log(
  `\n| importance | kept conv1/conv2/conv3 | score time (s) | one-shot acc. | after ${iterations} minibatches |`,
);
console.log('| --- | --- | --- | --- | --- |');
const pct = (x: unknown) => `${((x as number) * 100).toFixed(2)}%`;
for (const r of rows) {
  const k = r.kept as Record<string, number>;
  console.log(
    `| ${String(r.importance)} | ${k.conv1}/${k.conv2}/${k.conv3} | ${String(r.scoreSeconds)} | ${pct(r.oneShotAccuracy)} | ${pct(r.fineTunedAccuracy)} |`,
  );
}
tf.dispose([calibration.xs, calibration.ys, valData.xs, valData.ys, test.xs, test.ys]);
