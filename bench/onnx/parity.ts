/**
 * Max |tfjs - onnxruntime| of `toOnnx` on the shipped LeNet-5 and on seedNet 0.125 (random
 * weights, seed 3), on a seeded random batch of 4 (the test asserts < 1e-4; this prints it).
 *
 *   npx tsx bench/onnx/parity.ts
 */
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { initBackend } from '../../src/backend/index.js';
import { toOnnx } from '../../src/io/index.js';
import { loadPretrained, seedNet } from '../../src/models/index.js';

await initBackend();
for (const model of [await loadPretrained('lenet5-mnist'), seedNet({ width: 0.125, seed: 3 })]) {
  const bytes = toOnnx(model);
  const session = await ort.InferenceSession.create(bytes);
  const shape = model.inputs[0].shape.map((d) => d ?? 4) as number[];
  const x = tf.randomNormal(shape, 0, 1, 'float32', 7);
  const y = model.predict(x) as tf.Tensor;
  const want = y.dataSync();
  const feed = new ort.Tensor('float32', x.dataSync() as Float32Array, shape);
  const got = (await session.run({ input: feed })).output.data as Float32Array;
  let max = 0;
  for (let i = 0; i < want.length; i++) max = Math.max(max, Math.abs(want[i] - got[i]));
  console.log(`${model.name}: ${bytes.length} bytes of ONNX, max abs diff ${max.toExponential(2)}`);
  await session.release();
  tf.dispose([x, y]);
  model.dispose();
}
