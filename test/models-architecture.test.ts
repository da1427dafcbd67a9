import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../src/errors.js';
import { createModel, lenet5, modelNames, resnet20, seedNet, vggNet } from '../src/models/index.js';
import { trackTensors } from './helpers/leaks.js';

function trainableCount(model: tf.LayersModel): number {
  return model.trainableWeights.reduce((n, w) => n + (w.shape as number[]).reduce((a, b) => a * b, 1), 0);
}

function outputShape(model: tf.LayersModel, input: number[]): number[] {
  return tf.tidy(() => {
    const y = model.predict(tf.randomNormal(input, 0, 1, 'float32', 7)) as tf.Tensor;
    const sums = y.sum(1).dataSync();
    for (const s of sums) expect(s).toBeCloseTo(1, 4); // softmax rows
    return y.shape;
  });
}

describe('reference models', () => {
  it("seedNet at width 1 is the seed's Net: 15,355,402 trainable parameters, seed layer names", () => {
    const leaks = trackTensors();
    const model = seedNet();
    expect(trainableCount(model)).toBe(15_355_402);
    const names = model.layers.map((l) => l.name);
    for (const n of ['conv1', 'bn1', 'conv2', 'bn2', 'conv3', 'bn3', 'fc1', 'fc2', 'fc3'])
      expect(names).toContain(n);
    // Batch norm follows the pool, as in the seed's forward.
    expect(names.indexOf('bn1')).toBe(names.indexOf('pool1') + 1);
    expect(model.getLayer('fc1').getWeights()[0].shape).toEqual([4096, 2048]);
    expect(outputShape(model, [1, 32, 32, 3])).toEqual([1, 10]);
    model.dispose();
    leaks.check();
  });

  it('seedNet width scales every hidden width', () => {
    const leaks = trackTensors();
    const model = seedNet({ width: 0.25 });
    const kernel = (n: string) => model.getLayer(n).getWeights()[0].shape;
    expect(kernel('conv1')).toEqual([3, 3, 3, 64]);
    expect(kernel('conv2')).toEqual([3, 3, 64, 128]);
    expect(kernel('conv3')).toEqual([3, 3, 128, 256]);
    expect(kernel('fc1')).toEqual([1024, 512]);
    expect(kernel('fc2')).toEqual([512, 128]);
    expect(kernel('fc3')).toEqual([128, 10]);
    expect(trainableCount(model)).toBe(963_466); // PyTorch's count for the same width
    expect(outputShape(model, [3, 32, 32, 3])).toEqual([3, 10]);
    model.dispose();
    leaks.check();
  });

  it('lenet5, vggNet and resnet20 run forward with the expected sizes', () => {
    const leaks = trackTensors();
    const lenet = lenet5();
    expect(trainableCount(lenet)).toBe(61_706);
    expect(outputShape(lenet, [2, 28, 28, 1])).toEqual([2, 10]);
    const vgg = vggNet({ width: 0.25 });
    expect(vgg.getLayer('conv3_2').getWeights()[0].shape).toEqual([3, 3, 64, 64]);
    expect(outputShape(vgg, [2, 32, 32, 3])).toEqual([2, 10]);
    const resnet = resnet20();
    // 0.27M parameters (He et al. 2016), plus the two projection shortcuts with their BN.
    expect(trainableCount(resnet)).toBe(272_474);
    const kinds = resnet.layers.map((l) => l.getClassName());
    expect(kinds.filter((k) => k === 'Add')).toHaveLength(9);
    expect(resnet.getLayer('s2b1_proj').getWeights()[0].shape).toEqual([1, 1, 16, 32]);
    expect(resnet.layers.some((l) => l.name === 's2b2_proj')).toBe(false); // identity inside a stage
    expect(outputShape(resnet, [2, 32, 32, 3])).toEqual([2, 10]);
    [lenet, vgg, resnet].forEach((m) => m.dispose());
    leaks.check();
  });

  it('the same seed gives the same weights, another seed different ones', () => {
    const leaks = trackTensors();
    for (const name of modelNames()) {
      const opts = { width: 0.25 };
      const [a, b, c] = [
        createModel(name, { ...opts, seed: 3 }),
        createModel(name, { ...opts, seed: 3 }),
        createModel(name, { ...opts, seed: 4 }),
      ];
      const wa = a.getWeights();
      const wb = b.getWeights();
      const wc = c.getWeights();
      wa.forEach((w, i) => expect(Array.from(w.dataSync())).toEqual(Array.from(wb[i].dataSync())));
      expect(Array.from(wa[0].dataSync())).not.toEqual(Array.from(wc[0].dataSync()));
      [a, b, c].forEach((m) => m.dispose());
    }
    // Layers of one model get distinct seeds: two same-shaped kernels must differ.
    const resnet = resnet20({ seed: 1 });
    const k1 = resnet.getLayer('s1b1_conv1').getWeights()[0];
    const k2 = resnet.getLayer('s1b1_conv2').getWeights()[0];
    expect(k1.shape).toEqual(k2.shape);
    expect(Array.from(k1.dataSync())).not.toEqual(Array.from(k2.dataSync()));
    resnet.dispose();
    leaks.check();
  });

  it('rejects bad options with typed errors naming the value', () => {
    expect(() => seedNet({ width: 0 })).toThrow(InvalidArgumentError);
    expect(() => vggNet({ width: Number.NaN })).toThrow(/width must be/);
    expect(() => lenet5({ seed: 1.5 })).toThrow(/seed must be an integer/);
    expect(() => createModel('alexnet')).toThrow(/unknown model 'alexnet'.*seednet, lenet5, vgg, resnet20/);
  });
});
