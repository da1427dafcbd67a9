import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/index.js';
import { compact } from '../src/graph/index.js';
import { toOnnx } from '../src/io/onnx/export.js';
import { loadPretrained, seedNet } from '../src/models/index.js';
import { clearPruning } from '../src/pruning/state.js';
import { FilterPrune } from '../src/schemes/index.js';
import { trackTensors } from './helpers/leaks.js';

/** Largest |tfjs - onnxruntime| over the outputs of a seeded random batch of 4. */
async function maxDiff(model: tf.LayersModel): Promise<number> {
  const session = await ort.InferenceSession.create(toOnnx(model));
  const shape = model.inputs[0].shape.map((d) => d ?? 4) as number[];
  const x = tf.randomNormal(shape, 0, 1, 'float32', 7);
  const y = model.predict(x) as tf.Tensor;
  const want = y.dataSync();
  const feed = new ort.Tensor('float32', x.dataSync() as Float32Array, shape);
  const got = (await session.run({ input: feed })).output;
  await session.release();
  tf.dispose([x, y]);
  expect(got.dims).toEqual(y.shape);
  let max = 0;
  for (let i = 0; i < want.length; i++)
    max = Math.max(max, Math.abs(want[i] - (got.data as Float32Array)[i]));
  return max;
}

describe('toOnnx', () => {
  it('LeNet-5 (pretrained) runs in onnxruntime with the same outputs', async () => {
    await initBackend();
    const leaks = trackTensors();
    const model = await loadPretrained('lenet5-mnist');
    expect(await maxDiff(model)).toBeLessThan(1e-4);
    model.dispose();
    leaks.check();
  });

  it('seedNet 0.125, dense and filter-pruned + compacted, with BatchNorm statistics that matter', async () => {
    await initBackend();
    const leaks = trackTensors();
    const model = seedNet({ width: 0.125, seed: 3 });
    // Non-trivial moving statistics, so a wrong BatchNormalization mapping shows.
    for (const layer of model.layers.filter((l) => l.getClassName() === 'BatchNormalization')) {
      const ws = layer.getWeights();
      const stats = ws.map((w, i) => tf.randomUniform(w.shape, 0.5, 1.5, 'float32', 10 + i));
      layer.setWeights(stats);
      tf.dispose(stats);
    }
    expect(await maxDiff(model)).toBeLessThan(1e-4);
    new FilterPrune({ density: 0.5, include: ['conv2', 'conv3', 'fc1'] }).pi(model);
    const small = compact(model);
    expect(small.countParams()).toBeLessThan(model.countParams());
    expect(await maxDiff(small)).toBeLessThan(1e-4);
    clearPruning(model);
    for (const m of [model, small]) m.dispose();
    leaks.check();
  });

  it('names the first layer it cannot map', async () => {
    await initBackend();
    const model = tf.sequential({
      layers: [tf.layers.conv1d({ name: 'c1d', inputShape: [8, 2], filters: 2, kernelSize: 3 })],
    });
    expect(() => toOnnx(model)).toThrow(/layer 'c1d' is a Conv1D, which the exporter does not map/);
    model.dispose();
  });
});
