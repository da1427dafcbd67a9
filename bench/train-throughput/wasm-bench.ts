/**
 * One wasm measurement (one process per thread count: the wasm thread pool is fixed when the
 * backend starts). Prints one JSON line per width:
 *   {"engine":"wasm","threads":N,"width":W,"mode":"train"|"infer","imagesPerSec":..,"gflops":..}
 *
 *   npx tsx bench/train-throughput/wasm-bench.ts --threads 2 --widths 1,0.5,0.25 [--batch 64]
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, wasmThreadCount } from '../../src/backend/index.js';
import { seedNet } from '../../src/models/index.js';
import { forwardFlopsPerImage, TRAINING_FLOPS_FACTOR } from './flops.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const threads = Number(arg('threads', '1'));
const widths = arg('widths', '1,0.5,0.25').split(',').map(Number);
const batch = Number(arg('batch', '64'));
/** Minimum timed seconds per measurement, and the step bounds. */
const minSeconds = Number(arg('seconds', '4'));

await initBackend({ backend: 'wasm', threads, announce: false });
const actualThreads = wasmThreadCount();

/** Time `step` after one warm-up: at least 2 runs and `minSeconds`, at most 20 runs. */
async function timeSteps(step: () => Promise<void>): Promise<number> {
  await step();
  let runs = 0;
  const t0 = performance.now();
  while (runs < 2 || (performance.now() - t0 < minSeconds * 1000 && runs < 20)) {
    await step();
    runs++;
  }
  return (performance.now() - t0) / 1000 / runs;
}

for (const width of widths) {
  const model = seedNet({ width, seed: 1 });
  model.compile({ optimizer: tf.train.momentum(0.01, 0.9), loss: 'categoricalCrossentropy' });
  const x = tf.randomNormal([batch, 32, 32, 3], 0, 1, 'float32', 1);
  const y = tf.tidy(() => tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', 2), 10).toFloat());
  const flops = forwardFlopsPerImage(model);
  const trainSec = await timeSteps(async () => {
    await model.trainOnBatch(x, y);
  });
  const inferSec = await timeSteps(async () => {
    const p = model.predict(x) as tf.Tensor;
    p.dataSync();
    p.dispose();
  });
  for (const [mode, sec, factor] of [
    ['train', trainSec, TRAINING_FLOPS_FACTOR],
    ['infer', inferSec, 1],
  ] as const) {
    const imagesPerSec = batch / sec;
    console.log(
      JSON.stringify({
        engine: 'wasm',
        threads: actualThreads,
        width,
        mode,
        batch,
        imagesPerSec,
        gflops: (imagesPerSec * flops * factor) / 1e9,
        forwardMflopPerImage: flops / 1e6,
      }),
    );
  }
  tf.dispose([x, y]);
  model.optimizer.dispose();
  model.dispose();
}
