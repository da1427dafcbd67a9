/**
 * Regularised training before unstructured pruning, and the seed's claim (after Han et al.,
 * "Learning both Weights and Connections"): "L1 regularisation is better right after pruning,
 * L2 after retraining". On the pretrained CIFAR-10 seedNet (width 0.25), per row:
 *   1. train the dense model --pre minibatches with the row's penalty on every kernel (none, L1 or
 *      L2; SGD Nesterov 0.9 at a constant --lr, CIFAR augmentation);
 *   2. `Prune(--density)` (one global |w| threshold) one-shot: test accuracy as pruned, and after
 *      re-estimating the batch-norm statistics on --bn training images;
 *   3. retrain --retrain minibatches with the mask fixed and the same penalty (Han's setting),
 *      cosine rate from --lr to 0: test accuracy.
 * The L1 and L2 strengths default to equal pull on a weight at the global 10% threshold
 * (|w| = tau = 0.0443 on this model: l1 = 2 * l2 * tau) and a cumulative L1 shrink of about a
 * quarter of tau over the pre-training phase (lr * l1 / (1 - momentum) * pre = tau / 4).
 *
 *   npx tsx bench/criteria/regularized.ts [--pre 200] [--retrain 200] [--lr 0.01] [--l1 5.5e-4]
 *       [--l2 6.2e-3] [--only none,l1,l2] [--density 0.1] [--seed 0] [--test 2000]
 *
 * Test: the first --test test images (as the other criteria benchmarks); validation (FineTune's
 * end-of-run evaluation, not used for selection): 500 stratified training images (seed 2).
 * Appends one JSON line per row to bench/criteria/regularized-results.jsonl and prints a table.
 */
import * as tf from '@tensorflow/tfjs';
import { appendFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Compressor } from '../../src/compressor/index.js';
import { batchDataset } from '../../src/data/index.js';
import { loadPretrained } from '../../src/models/index.js';
import {
  cloneModel,
  cosineLr,
  disposeModel,
  FineTune,
  reestimateBatchNorm,
} from '../../src/optimizers/index.js';
import { Prune } from '../../src/schemes/index.js';
import type { RegularizerSpec } from '../../src/training/index.js';
import { criteriaData } from './cifar-data.js';

const { values: a } = parseArgs({
  options: {
    pre: { type: 'string', default: '200' },
    retrain: { type: 'string', default: '200' },
    lr: { type: 'string', default: '0.01' },
    l1: { type: 'string', default: '5.5e-4' },
    l2: { type: 'string', default: '6.2e-3' },
    only: { type: 'string', default: 'none,l1,l2' },
    density: { type: 'string', default: '0.1' },
    bn: { type: 'string', default: '2048' },
    seed: { type: 'string', default: '0' },
    test: { type: 'string', default: '2000' },
    out: { type: 'string', default: 'bench/criteria/regularized-results.jsonl' },
  },
});
const [pre, retrain, lr, density, seed] = [a.pre, a.retrain, a.lr, a.density, a.seed].map(Number);
const batchSize = 128;
const { backend, cifar, norm, trainSubset, accuracy } = await criteriaData(Number(a.test));
const valData = trainSubset(500, 2);
const bnData = trainSubset(Number(a.bn), 1, Math.ceil);
const penalties: Record<string, RegularizerSpec> = {
  none: {},
  l1: { l1: Number(a.l1) },
  l2: { l2: Number(a.l2) },
};
const stream = (s: number) =>
  batchDataset(cifar.train, { ...norm, batchSize, shuffle: true, seed: s, augment: 'cifar' });

/** Fraction of kernel entries with |w| below 1e-3 (L1 drives weights to zero, L2 only shrinks). */
const nearZero = (m: tf.LayersModel): number =>
  tf.tidy(() => {
    const kernels = m.layers.map((l) => l.getWeights()[0]).filter((k) => k !== undefined && k.rank >= 2);
    const small = kernels.reduce((s, k) => s + tf.abs(k).less(1e-3).sum().dataSync()[0], 0);
    return small / kernels.reduce((s, k) => s + k.size, 0);
  });

const rows: Array<Record<string, unknown>> = [];
for (const name of a.only!.split(',')) {
  const regularizer = penalties[name];
  if (!regularizer) throw new Error(`--only: unknown row '${name}' (none, l1, l2)`);
  const load = loadavg()[0];
  const t0 = performance.now();
  const dense = await loadPretrained('seednet-0.25-cifar10');
  const trained = await new Compressor({
    model: dense,
    scheme: new Prune(1),
    optimizer: new FineTune({ iterations: pre, lr, lrEnd: lr, batchSize, evalEvery: pre }),
    trainData: stream(seed),
    valData,
    loss: 'categoricalCrossentropy',
    regularizer,
    seed,
  }).run();
  const afterPre = await accuracy(trained.model);
  const zeros = nearZero(trained.model);

  const oneShotModel = cloneModel(trained.model);
  new Prune(density).pi(oneShotModel);
  const oneShot = await accuracy(oneShotModel);
  await reestimateBatchNorm(oneShotModel, bnData, { images: Number(a.bn) });
  const oneShotBn = await accuracy(oneShotModel);
  disposeModel(oneShotModel);

  const retrained = await new Compressor({
    model: trained.model,
    scheme: new Prune(density),
    optimizer: new FineTune({
      iterations: retrain,
      bnImages: Number(a.bn),
      lr,
      lrSchedule: cosineLr(lr, 0, retrain),
      batchSize,
      evalEvery: retrain,
    }),
    trainData: stream(seed + 1),
    valData,
    loss: 'categoricalCrossentropy',
    regularizer,
    seed,
  }).run();
  const afterRetrain = await accuracy(retrained.model);
  const row = {
    date: new Date().toISOString(),
    backend,
    regularizer: name,
    strengths: regularizer,
    density,
    budget: { pre, retrain, batchSize, lr, momentum: 0.9, augment: 'cifar', seed },
    afterPreTraining: afterPre,
    nearZeroFraction: zeros,
    oneShot,
    oneShotBnRecalibrated: oneShotBn,
    afterRetraining: afterRetrain,
    seconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
    testImages: Number(a.test),
    loadAverage: Number(load.toFixed(2)),
  };
  rows.push(row);
  appendFileSync(a.out!, `${JSON.stringify(row)}\n`);
  console.log(JSON.stringify(row));
  disposeModel(retrained.model);
  disposeModel(trained.model);
  dense.dispose();
}

const pct = (x: unknown) => `${((x as number) * 100).toFixed(2)}%`;
console.log(
  '\n| penalty | dense after pre-training | |w| < 1e-3 | pruned, one-shot | + BN recal. | after retraining |',
);
console.log('| --- | --- | --- | --- | --- | --- |');
for (const r of rows) {
  console.log(
    `| ${String(r.regularizer)} | ${pct(r.afterPreTraining)} | ${pct(r.nearZeroFraction)} | ${pct(r.oneShot)} | ${pct(r.oneShotBnRecalibrated)} | ${pct(r.afterRetraining)} |`,
  );
}
tf.dispose([valData.xs, valData.ys, bnData.xs, bnData.ys]);
