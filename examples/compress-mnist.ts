/**
 * Compress the pretrained LeNet-5 on MNIST with Condensa's recipe: 90% unstructured pruning
 * (`Prune(0.1)`) recovered by the L-C optimizer, with a terminal progress bar.
 *
 *   npx tsx examples/compress-mnist.ts            # ~2-3 minutes on 2 CPU cores (wasm)
 *   npx tsx examples/compress-mnist.ts --resume   # checkpoints to /tmp; re-run continues
 *   npx tsx examples/compress-mnist.ts --small    # CI-sized: 2 short L-C steps, seconds
 */
import { initBackend } from '../src/backend/index.js';
import { Compressor, progressBar } from '../src/compressor/index.js';
import {
  MNIST_MEAN,
  MNIST_STD,
  loadMnist,
  splitValidation,
  stratifiedSubset,
  toTensors,
} from '../src/data/index.js';
import { loadPretrained } from '../src/models/index.js';
import { LC, disposeModel, evaluate, resolveLoss } from '../src/optimizers/index.js';
import { Prune } from '../src/schemes/index.js';

await initBackend();
const mnist = await loadMnist();
// Hold out validation images (the L-C optimizer selects its result on them), and train on a
// stratified subset: recovery needs far less data than training from scratch.
const { train, val } = splitValidation(mnist.train, { count: 2000, seed: 1 });
// The pretrained LeNet-5 was trained on standardised pixels.
const norm = { normalize: 'standard' as const, mean: MNIST_MEAN, std: MNIST_STD, numClasses: 10 };
const trainData = toTensors(stratifiedSubset(train, { perClass: 1000, seed: 0 }), norm);
const valData = toTensors(val, norm);
const testData = toTensors(mnist.test, norm);

const dense = await loadPretrained('lenet5-mnist');
const before = await evaluate(dense, testData, resolveLoss('categoricalCrossentropy'));

// --small keeps the recipe but shrinks every iteration count (CI runs it so the example cannot rot).
const small = process.argv.includes('--small');
const iters = (n: number): number => (small ? Math.max(5, Math.round(n / 20)) : n);
const lc = new LC({
  steps: small ? 2 : 5,
  firstLIterations: iters(200),
  perLIterations: iters(150),
  batchSize: 64,
  lr: 0.05,
  lrEnd: 0.005,
  muInit: 0.5,
  muMultiplier: 1.6,
  fineTuneIterations: iters(700),
});
const bar = progressBar({ total: lc.plan().iterations });
const { model, stats, test } = await new Compressor({
  model: dense,
  scheme: new Prune(0.1),
  optimizer: lc,
  trainData,
  valData,
  testData,
  testEvery: 'end',
  loss: 'categoricalCrossentropy',
  onEvent: bar.onEvent,
  checkpointDir: process.argv.includes('--resume') ? '/tmp/condensa-mnist-ckpt' : undefined,
}).run();
bar.stop();

const densities = Object.entries(stats[stats.length - 1].density)
  .map(([k, d]) => `${k} ${(d * 100).toFixed(1)}%`)
  .join(', ');
console.log(`dense test accuracy      ${(before.accuracy * 100).toFixed(2)}%`);
console.log(`compressed test accuracy ${(test!.accuracy * 100).toFixed(2)}%  (kept: ${densities})`);
disposeModel(model);
dense.dispose();
