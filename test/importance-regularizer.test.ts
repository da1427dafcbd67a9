import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { BatchStream } from '../src/training/batch-stream.js';
import { GradientOptimizer } from '../src/training/gradient-optimizer.js';
import { resolveLoss } from '../src/training/loss.js';
import { constantLr } from '../src/training/schedules.js';
import { trainIterations } from '../src/training/loop.js';
import { penalty, penaltyRegularizer } from '../src/training/regularizer.js';
import type { RegularizerSpec } from '../src/training/regularizer.js';
import { expectNoLeaks } from './helpers/leaks.js';
import { tinyModel } from './importance-fixture.js';

describe('penalty', () => {
  it('is L1, L2, group lasso and BN-scale L1 of the chosen layers (by hand)', async () => {
    const model = tinyModel();
    const value = (spec: RegularizerSpec) => tf.tidy(() => penalty(model, spec).dataSync()[0]);
    await expectNoLeaks(() => {
      expect(value({ l1: 1, layers: ['conv'] })).toBeCloseTo(5.5, 5);
      expect(value({ l2: 2, layers: ['conv'] })).toBeCloseTo(2 * 7.25, 5);
      expect(value({ groupLasso: 1, layers: ['conv'] })).toBeCloseTo(Math.SQRT2 + Math.sqrt(5) + 0.5, 5);
      expect(value({ bnScale: 1 })).toBeCloseTo(3.5, 5);
      expect(value({ l1: 1, bnScale: 0.5, layers: ['conv', 'bn'] })).toBeCloseTo(5.5 + 1.75, 5);
      expect(value({})).toBe(0);
    });
    expect(() => penalty(model, { l1: -1 })).toThrow(/regularizer.l1/);
    model.dispose();
  });

  it('group lasso in training drives whole filters towards zero', async () => {
    const filterNorms = async (spec?: RegularizerSpec) => {
      const input = tf.input({ shape: [6, 6, 1] });
      const conv = tf.layers.conv2d({
        name: 'conv',
        filters: 6,
        kernelSize: 3,
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
      });
      const out = tf.layers.dense({
        units: 2,
        activation: 'softmax',
        kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
      });
      const model = tf.model({
        inputs: input,
        outputs: out.apply(tf.layers.flatten().apply(conv.apply(input))) as tf.SymbolicTensor,
      });
      const xs = tf.randomNormal([64, 6, 6, 1], 0, 1, 'float32', 3);
      const ys = tf.tidy(() => tf.oneHot(tf.cast(tf.greater(xs.mean([1, 2, 3]), 0), 'int32'), 2));
      await trainIterations(model, {
        stream: new BatchStream({ xs, ys }, { batchSize: 16, seed: 0 }),
        loss: resolveLoss('categoricalCrossentropy'),
        optimizer: new GradientOptimizer({ kind: 'sgd' }),
        iterations: 100,
        lr: constantLr(0.05),
        regularizer: spec ? penaltyRegularizer(spec) : undefined,
      });
      const norms = tf.tidy(() => Array.from(conv.getWeights()[0].square().sum([0, 1, 2]).sqrt().dataSync()));
      tf.dispose([xs, ys]);
      model.dispose();
      return norms.sort((a, b) => a - b);
    };
    const plain = await filterNorms();
    const lasso = await filterNorms({ groupLasso: 0.05, layers: ['conv'] });
    // Without the penalty every filter keeps a norm near its start; with it, filters collapse.
    expect(plain[0]).toBeGreaterThan(0.3);
    expect(lasso[0]).toBeLessThan(plain[0] / 10);
    expect(lasso.filter((n) => n < 0.05).length).toBeGreaterThanOrEqual(2);
  });
});
