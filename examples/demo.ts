/**
 * The README's main job (`npm run demo`): fetch MNIST (verified, cached), train the reference
 * LeNet-5 for one epoch on the default backend with a progress line, and print the backend in
 * use and the test accuracy. DEMO_SMALL=1 trains and tests on a stratified subset (for CI).
 */
import { initBackend } from '../src/backend/index.js';
import { loadMnist, MNIST_MEAN, MNIST_STD, stratifiedSubset } from '../src/data/index.js';
import { lenet5 } from '../src/models/index.js';
import { progressPrinter, trainClassifier } from '../src/training/index.js';

const small = process.env.DEMO_SMALL === '1';
const backend = await initBackend();
let lastWhat = '';
const mnist = await loadMnist({
  onProgress: (done, total, what) => {
    if (what !== lastWhat) process.stderr.write(`${(lastWhat = what)}\n`);
    if (done === total) process.stderr.write(`  ${what}: done\n`);
  },
});
const data = small
  ? {
      ...mnist,
      train: stratifiedSubset(mnist.train, { perClass: 200, seed: 0 }),
      test: stratifiedSubset(mnist.test, { perClass: 100, seed: 0 }),
    }
  : mnist;
console.log(
  `Training LeNet-5 on ${data.train.count} MNIST digits for 1 epoch (backend: ${backend})` +
    (small ? ' [DEMO_SMALL subset]' : ''),
);
const model = lenet5({ seed: 0 });
const record = await trainClassifier({
  model,
  data,
  epochs: 1,
  batchSize: 64,
  optimizer: 'adam',
  lr: 2e-3,
  mean: MNIST_MEAN,
  std: MNIST_STD,
  onProgress: progressPrinter(),
});
const threads =
  record.backend === 'wasm' ? ` (${record.threads} thread${record.threads === 1 ? '' : 's'})` : '';
console.log(`backend: ${record.backend}${threads}`);
console.log(
  `test accuracy: ${(100 * record.testAccuracy).toFixed(2)}% on ${data.test.count} images ` +
    `(1 epoch, ${record.totalSeconds.toFixed(1)} s)`,
);
model.optimizer.dispose();
model.dispose();
