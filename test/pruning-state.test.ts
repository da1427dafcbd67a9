import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { applyMask, applyMasks, getMask, getOriginal, isPruned, remove } from '../src/pruning/index.js';
import { trackTensors } from './helpers/leaks.js';

function dense(): tf.LayersModel {
  return tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2, name: 'fc' })] });
}

describe('pruning state', () => {
  it('keeps effective weights in the variable, originals aside, and masks multiply', () => {
    const leaks = trackTensors();
    const model = dense();
    const layer = model.getLayer('fc');
    const inputs = [tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]), tf.tensor1d([1, 1])];
    layer.setWeights(inputs);
    const m1 = tf.tensor2d([1, 0, 1, 1, 0, 1], [3, 2]);
    const m2 = tf.tensor2d([0, 1, 1, 1, 1, 1], [3, 2]);
    applyMask(layer, 'kernel', m1);
    expect(Array.from(layer.getWeights()[0].dataSync())).toEqual([1, 0, 3, 4, 0, 6]);
    applyMask(layer, 'kernel', m2);
    expect(Array.from(getMask(layer, 'kernel')!.dataSync())).toEqual([0, 0, 1, 1, 0, 1]);
    const orig = getOriginal(layer, 'kernel');
    expect(Array.from(orig.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    orig.dispose();
    expect(isPruned(layer)).toBe(true);
    expect(isPruned(layer, 'bias')).toBe(false);
    // A training step writes into pruned entries; applyMasks zeroes them again.
    tf.tidy(() => {
      layer.weights[0].write(tf.onesLike(layer.weights[0].read()));
    });
    applyMasks(model);
    expect(Array.from(layer.getWeights()[0].dataSync())).toEqual([0, 0, 1, 1, 0, 1]);
    // applyMask keeps its own copy of the mask: the caller may free its tensors at once.
    tf.dispose([...inputs, m1, m2]);
    remove(layer, 'kernel');
    expect(isPruned(layer)).toBe(false);
    expect(() => remove(layer, 'kernel')).toThrow(/not pruned/);
    expect(() => getMask(layer, 'weight')).toThrow(/no weight 'weight'.*kernel, bias/);
    model.dispose();
    leaks.check();
  });

  it('rejects a mask of the wrong shape or with values other than 0/1, leaving the layer unchanged', () => {
    const model = dense();
    const layer = model.getLayer('fc');
    const w0 = layer.getWeights()[0].arraySync();
    expect(() => applyMask(layer, 'kernel', tf.ones([2, 3]))).toThrow(/shape \[3, 2\].*\[2, 3\]/);
    expect(() => applyMask(layer, 'kernel', tf.fill([3, 2], 0.5))).toThrow(/only 0 and 1/);
    expect(layer.getWeights()[0].arraySync()).toEqual(w0);
    expect(isPruned(layer)).toBe(false);
    model.dispose();
  });
});
