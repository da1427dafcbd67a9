/**
 * CPU time (all threads) and wall time per seedNet training step and inference batch on wasm,
 * batch 64: the steadier figure for comparing kernel changes on a shared machine, where wall time
 * follows the load. Also prints training's GFLOP per CPU second as a percentage of inference's
 * (a step counts 3x the forward FLOPs, as in run.ts): the load-independent form of run.ts's
 * "training % of inference".
 *
 *   CONDENSA_THREADS=1 npx tsx bench/train-throughput/step-cpu.ts [width=0.25] [steps=8]
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, wasmThreadCount } from '../../src/backend/index.js';
import { seedNet } from '../../src/models/index.js';

const width = Number(process.argv[2] ?? 0.25);
const steps = Number(process.argv[3] ?? 8);
const batch = 64;
await initBackend({ backend: 'wasm', announce: false });
const model = seedNet({ width, seed: 1 });
model.compile({ optimizer: tf.train.momentum(0.01, 0.9), loss: 'categoricalCrossentropy' });
const x = tf.randomNormal([batch, 32, 32, 3], 0, 1, 'float32', 1);
const y = tf.tidy(() => tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', 2), 10).toFloat());
await model.trainOnBatch(x, y); // warm-up: XNNPACK operator creation, memory growth
/** Mean CPU and wall ms of `run` over `steps` calls. */
async function measure(run: () => Promise<void>): Promise<{ cpu: number; wall: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) await run();
  const wall = (performance.now() - t0) / steps;
  const cpu = process.cpuUsage(c0);
  return { cpu: (cpu.user + cpu.system) / 1000 / steps, wall };
}
const train = await measure(async () => {
  await model.trainOnBatch(x, y);
});
const infer = await measure(async () => {
  tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync());
});
console.log(
  `seedNet width ${width} batch ${batch}, ${wasmThreadCount()} wasm thread(s): ` +
    `train ${train.cpu.toFixed(1)} ms cpu (${train.wall.toFixed(1)} wall), ` +
    `infer ${infer.cpu.toFixed(1)} ms cpu (${infer.wall.toFixed(1)} wall) per batch; ` +
    `training at ${((100 * 3 * infer.cpu) / train.cpu).toFixed(0)}% of inference GFLOP per CPU second`,
);
tf.dispose([x, y]);
model.dispose();
