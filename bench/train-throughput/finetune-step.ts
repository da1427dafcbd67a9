/**
 * Milliseconds per masked fine-tuning minibatch through the recovery training loop: seedNet
 * (width 0.25), FilterPrune at density 0.5, batch 128, SGD with Nesterov momentum, on random
 * CIFAR-sized inputs (the step's cost does not depend on the pixel values). Warm-up minibatches
 * are excluded; the median of `--repeats` timed blocks is printed with the 1-minute load.
 *
 *   npx tsx bench/train-throughput/finetune-step.ts [--iters 10] [--repeats 3] [--threads 2]
 */
import * as tf from '@tensorflow/tfjs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { initBackend } from '../../src/backend/index.js';
import { seedNet } from '../../src/models/index.js';
import {
  BatchStream,
  GradientOptimizer,
  constantLr,
  resolveLoss,
  trainIterations,
} from '../../src/optimizers/index.js';
import { FilterPrune } from '../../src/schemes/index.js';

const { values: a } = parseArgs({
  options: {
    iters: { type: 'string', default: '10' },
    repeats: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '3' },
    threads: { type: 'string', default: '2' },
    batch: { type: 'string', default: '128' },
  },
});
const iters = Number(a.iters);
const batchSize = Number(a.batch);

await initBackend({ backend: 'wasm', threads: Number(a.threads) });
const model = seedNet({ width: 0.25, seed: 0 });
new FilterPrune({ density: 0.5 }).pi(model);
const n = batchSize * 4;
const xs = tf.randomNormal([n, 32, 32, 3], 0, 1, 'float32', 1);
const ys = tf.oneHot(tf.randomUniform([n], 0, 10, 'int32', 2), 10);
const stream = new BatchStream({ xs, ys }, { batchSize, seed: 0 });
const optimizer = new GradientOptimizer({ kind: 'sgd', momentum: 0.9 });
const run = (iterations: number) =>
  trainIterations(model, {
    stream,
    loss: resolveLoss('categoricalCrossentropy'),
    optimizer,
    iterations,
    lr: constantLr(0.01),
  });
await run(Number(a.warmup));
const times: number[] = [];
for (let r = 0; r < Number(a.repeats); r++) {
  const t0 = performance.now();
  await run(iters);
  times.push((performance.now() - t0) / iters);
}
times.sort((x, y) => x - y);
console.log(
  JSON.stringify({
    msPerMinibatch: Number(times[Math.floor(times.length / 2)].toFixed(1)),
    all: times.map((t) => Number(t.toFixed(1))),
    batchSize,
    threads: Number(a.threads),
    load1: loadavg()[0],
    date: new Date().toISOString(),
  }),
);
