/**
 * Where a seedNet training step spends its time on wasm, per kernel (tf.profile wall times).
 * Used to decide which wasm kernels to replace (see src/backend/wasm/*.ts headers).
 *
 *   npx tsx bench/train-throughput/profile-kernels.ts [width=0.25] [batch=64]
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/index.js';
import { seedNet } from '../../src/models/index.js';

const width = Number(process.argv[2] ?? 0.25);
const batch = Number(process.argv[3] ?? 64);
await initBackend({ backend: 'wasm' });
const model = seedNet({ width, seed: 1 });
model.compile({ optimizer: tf.train.momentum(0.01, 0.9), loss: 'categoricalCrossentropy' });
const x = tf.randomNormal([batch, 32, 32, 3], 0, 1, 'float32', 1);
const y = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', 2), 10);
await model.trainOnBatch(x, y); // warm-up: XNNPACK operator creation, memory growth
const t0 = performance.now();
const info = await tf.profile(async () => {
  await model.trainOnBatch(x, y);
});
const wall = performance.now() - t0;
const byName = new Map<string, { ms: number; count: number; shapes: string }>();
for (const k of info.kernels) {
  const e = byName.get(k.name) ?? { ms: 0, count: 0, shapes: '' };
  e.ms += Number(k.kernelTimeMs) || 0;
  e.count += 1;
  if (e.shapes.length < 120) e.shapes += ` ${JSON.stringify(k.inputShapes)}`;
  byName.set(k.name, e);
}
const rows = [...byName.entries()].sort((a, b) => b[1].ms - a[1].ms);
console.log(`seedNet width ${width} batch ${batch}: step ${wall.toFixed(0)} ms (profiled)`);
for (const [name, e] of rows.slice(0, 25)) {
  console.log(`${name.padEnd(28)} ${e.ms.toFixed(1).padStart(8)} ms  x${e.count}  ${e.shapes.slice(0, 110)}`);
}
