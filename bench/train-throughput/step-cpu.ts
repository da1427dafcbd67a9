/**
 * CPU time (all threads) and wall time per seedNet training step on wasm, batch 64: the steadier
 * figure for comparing kernel changes on a shared machine, where wall time follows the load.
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
const c0 = process.cpuUsage();
const t0 = performance.now();
for (let i = 0; i < steps; i++) await model.trainOnBatch(x, y);
const wall = (performance.now() - t0) / steps;
const cpu = process.cpuUsage(c0);
console.log(
  `seedNet width ${width} batch ${batch}, ${wasmThreadCount()} wasm thread(s): ` +
    `${((cpu.user + cpu.system) / 1000 / steps).toFixed(1)} ms cpu, ${wall.toFixed(1)} ms wall per step`,
);
tf.dispose([x, y]);
model.dispose();
