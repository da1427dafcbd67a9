/**
 * Is there a nondeterministic path in the int8 round trip (quantize, save, load, predict)? On a
 * DenseNet-like model (concatenating dense blocks, batch norm), this measures, in one process:
 *   - seeded vs unseeded construction: are two builds' weights identical?
 *   - Quantize int8 twice on identical models: identical weights?
 *   - save (uint8) + load: largest change of a weight and of an output vs the in-memory model;
 *   - predict twice on the same input: bitwise identical (wasm threads, reduction order)?
 *   - three SGD steps from identical builds: identical weights (the training kernels' threads)?
 * Prints one JSON line; run it with CONDENSA_THREADS=1 and =2 and compare the output hashes.
 *
 *   CONDENSA_THREADS=2 npx tsx bench/guards/int8-determinism.ts
 */
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../src/backend/index.js';
import { loadModel, saveModel } from '../../src/io/index.js';
import { Quantize } from '../../src/schemes/index.js';

function denseNetLike(seed: number | undefined): tf.LayersModel {
  let s = 0;
  const init = (): ReturnType<typeof tf.initializers.heNormal> =>
    tf.initializers.heNormal(seed === undefined ? {} : { seed: seed + s++ });
  const input = tf.input({ shape: [16, 16, 3] });
  let x = tf.layers
    .conv2d({ filters: 8, kernelSize: 3, padding: 'same', kernelInitializer: init() })
    .apply(input);
  for (let block = 0; block < 2; block++) {
    for (let layer = 0; layer < 3; layer++) {
      let y = tf.layers.batchNormalization().apply(x);
      y = tf.layers.activation({ activation: 'relu' }).apply(y);
      y = tf.layers
        .conv2d({ filters: 6, kernelSize: 3, padding: 'same', kernelInitializer: init() })
        .apply(y);
      x = tf.layers.concatenate().apply([x as tf.SymbolicTensor, y as tf.SymbolicTensor]);
    }
    x = tf.layers.conv2d({ filters: 12, kernelSize: 1, kernelInitializer: init() }).apply(x);
    x = tf.layers.averagePooling2d({ poolSize: 2 }).apply(x);
  }
  x = tf.layers.globalAveragePooling2d({}).apply(x);
  const out = tf.layers.dense({ units: 10, kernelInitializer: init() }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

const flat = (m: tf.LayersModel): Float32Array => {
  const parts = m.getWeights().map((w) => w.dataSync() as Float32Array);
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
const hash = (a: Float32Array): string =>
  createHash('sha256').update(Buffer.from(a.buffer)).digest('hex').slice(0, 16);
function maxRel(a: Float32Array, b: Float32Array): number {
  let scale = 0;
  let d = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(a[i]));
    d = Math.max(d, Math.abs(a[i] - b[i]));
  }
  return scale > 0 ? d / scale : d;
}
const predict = (m: tf.LayersModel, x: tf.Tensor): Float32Array =>
  tf.tidy(() => (m.predict(x) as tf.Tensor).dataSync() as Float32Array);

/** Hash of the int8-quantized weights after three SGD steps on a fresh seeded build. */
async function trainThree(x: tf.Tensor): Promise<string> {
  const m = denseNetLike(1);
  m.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32'), 10);
  for (let i = 0; i < 3; i++) await m.trainOnBatch(x, y);
  y.dispose();
  new Quantize({ dtype: 'int8' }).pi(m);
  const h = hash(flat(m));
  m.dispose();
  return h;
}

async function main(): Promise<void> {
  const backend = await initBackend({ announce: false });
  const x = tf.randomUniform([8, 16, 16, 3], 0, 1, 'float32', 3);
  const seededA = denseNetLike(1);
  const seededB = denseNetLike(1);
  const unseededA = denseNetLike(undefined);
  const unseededB = denseNetLike(undefined);
  const q = new Quantize({ dtype: 'int8' });
  q.pi(seededA);
  q.pi(seededB);
  const dir = mkdtempSync(join(tmpdir(), 'int8-det-'));
  await saveModel(seededA, join(dir, 'm'));
  const loaded = await loadModel(join(dir, 'm'));
  rmSync(dir, { recursive: true, force: true });
  const yMem = predict(seededA, x);
  const yMem2 = predict(seededA, x);
  const yLoaded = predict(loaded, x);
  const dense = denseNetLike(1);
  const yDense = predict(dense, x);
  const trained = await Promise.all([0, 1].map(() => trainThree(x)));
  console.log(
    JSON.stringify({
      backend,
      threads: process.env.CONDENSA_THREADS ?? 'default',
      seededBuildsIdentical: hash(flat(denseNetLike(1))) === hash(flat(dense)),
      unseededBuildsMaxRelDiff: maxRel(flat(unseededA), flat(unseededB)),
      int8TwiceIdentical: hash(flat(seededA)) === hash(flat(seededB)),
      savedVsMemoryWeightsMaxRel: maxRel(flat(seededA), flat(loaded)),
      savedVsMemoryOutputMaxRel: maxRel(yMem, yLoaded),
      predictTwiceIdentical: hash(yMem) === hash(yMem2),
      int8VsDenseOutputMaxRel: maxRel(yDense, yMem),
      trainedTwiceIdentical: trained[0] === trained[1],
      trainedHash: trained[0],
      outputHash: hash(yMem),
    }),
  );
}

await main();
