/**
 * Milliseconds per masked fine-tuning minibatch through the recovery training loop: seedNet
 * (width 0.25), FilterPrune at density 0.5, batch 128, SGD with Nesterov momentum, on random
 * CIFAR-sized inputs (the step's cost does not depend on the pixel values). Warm-up minibatches
 * are excluded; the median of `--repeats` timed blocks is printed with the 1-minute load.
 * `--compare` alternates the blocks with the loop as it was before (the loss read after every
 * step, masks re-applied in a separate pass after the update), so that the ratio comes from one
 * process under one load on a shared machine.
 *
 *   npx tsx bench/train-throughput/finetune-step.ts [--iters 10] [--repeats 3] [--threads 2] [--compare]
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
  trainableVariables,
} from '../../src/optimizers/index.js';
import { applyMasks } from '../../src/pruning/index.js';
import { FilterPrune } from '../../src/schemes/index.js';

const { values: a } = parseArgs({
  options: {
    iters: { type: 'string', default: '10' },
    repeats: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '3' },
    threads: { type: 'string', default: '2' },
    batch: { type: 'string', default: '128' },
    compare: { type: 'boolean', default: false },
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
// The loop before: every step waits for its loss, then a second pass multiplies every mask in.
const vars = trainableVariables(model);
const ce = resolveLoss('categoricalCrossentropy');
async function before(iterations: number): Promise<void> {
  for (let i = 0; i < iterations; i++) {
    const batch = await stream.next();
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(
        () => tf.mean(ce(batch.ys, model.apply(batch.xs, { training: true }) as tf.Tensor)) as tf.Scalar,
        vars,
      );
      optimizer.apply(
        vars,
        vars.map((v) => grads[v.name] ?? null),
        0.01,
      );
      return value;
    });
    tf.dispose([batch.xs, batch.ys]);
    applyMasks(model);
    await loss.data();
    loss.dispose();
  }
}

const time = async (f: (n: number) => Promise<unknown>): Promise<number> => {
  const t0 = performance.now();
  await f(iters);
  return (performance.now() - t0) / iters;
};
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
await run(Number(a.warmup));
if (a.compare) await before(Number(a.warmup));
const times: number[] = [];
const beforeTimes: number[] = [];
for (let r = 0; r < Number(a.repeats); r++) {
  if (a.compare) beforeTimes.push(await time(before));
  times.push(await time(run));
}
const round = (x: number) => Number(x.toFixed(1));
console.log(
  JSON.stringify({
    msPerMinibatch: round(median(times)),
    all: times.map(round),
    ...(a.compare
      ? {
          msPerMinibatchBefore: round(median(beforeTimes)),
          allBefore: beforeTimes.map(round),
          ratio: Number((median(times) / median(beforeTimes)).toFixed(3)),
        }
      : {}),
    batchSize,
    threads: Number(a.threads),
    load1: loadavg()[0],
    date: new Date().toISOString(),
  }),
);
