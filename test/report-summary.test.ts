import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/index.js';
import { MNIST_MEAN, MNIST_STD, loadMnist, stratifiedSubset, toTensors } from '../src/data/index.js';
import { compact } from '../src/graph/index.js';
import { loadPretrained } from '../src/models/index.js';
import { clearPruning } from '../src/pruning/state.js';
import { formatSummary, summary } from '../src/report/index.js';
import { FilterPrune, Prune } from '../src/schemes/index.js';
import { trackTensors } from './helpers/leaks.js';

describe('summary', () => {
  it('compares the pretrained LeNet-5 with its 90%-pruned copy on the same images', async () => {
    await initBackend();
    const mnist = await loadMnist();
    const data = toTensors(stratifiedSubset(mnist.test, { perClass: 20, seed: 0 }), {
      normalize: 'standard',
      mean: MNIST_MEAN,
      std: MNIST_STD,
      numClasses: 10,
    });
    const leaks = trackTensors();
    const dense = await loadPretrained('lenet5-mnist');
    const pruned = await loadPretrained('lenet5-mnist');
    new Prune({ density: 0.1 }).pi(pruned);
    const s = await summary(dense, pruned, { data, afterSave: { format: 'sparse' }, repeats: 2 });
    expect(s.examples).toBe(200);
    expect(s.before.accuracy).toBeGreaterThan(0.95);
    expect(s.after.accuracy).toBeLessThan(s.before.accuracy!); // no recovery: pruning costs accuracy
    expect(s.accuracyChange).toBeCloseTo(s.after.accuracy! - s.before.accuracy!, 12);
    expect(s.after.parameters).toBe(s.before.parameters); // pruning zeroes, it does not remove
    expect(s.before.nonzeros).toBe(dense.countParams());
    expect(s.ratios.nonzeros).toBeGreaterThan(8); // kernels at 10%, biases kept
    expect(s.ratios.flops).toBe(1);
    expect(s.ratios.bytes).toBeGreaterThan(5); // the sparse layout stores positions + values
    expect(s.after.gzipBytes).toBeLessThan(s.after.bytes);
    expect(s.before.latencyMs).toBeGreaterThan(0);
    expect(s.after.throughput).toBeGreaterThan(0);
    expect(s.backend).toBe(tf.getBackend());
    const table = formatSummary(s);
    expect(table.split('\n')).toHaveLength(9);
    expect(table).toMatch(/^accuracy \(200 images\) +\d+\.\d\d% +\d+\.\d\d% +-\d+\.\d\d pt$/m);
    clearPruning(pruned);
    for (const m of [dense, pruned]) m.dispose();
    leaks.check();
    tf.dispose([data.xs, data.ys]);
  });

  it('counts the FLOPs a compacted model saves, and gives no accuracy without data', async () => {
    await initBackend();
    const leaks = trackTensors();
    const dense = await loadPretrained('lenet5-mnist');
    const pruned = await loadPretrained('lenet5-mnist');
    new FilterPrune({ density: 0.5, include: ['conv2', 'fc1', 'fc2'] }).pi(pruned);
    const small = compact(pruned);
    const s = await summary(dense, small, { repeats: 1 });
    expect(s.before.accuracy).toBeNull();
    expect(s.accuracyChange).toBeNull();
    expect(s.examples).toBe(0);
    expect(s.after.parameters).toBeLessThan(s.before.parameters);
    expect(s.ratios.flops).toBeGreaterThan(1.5);
    expect(s.ratios.parameters).toBeCloseTo(s.before.parameters / s.after.parameters, 12);
    clearPruning(pruned);
    for (const m of [dense, pruned, small]) m.dispose();
    leaks.check();
  });
});
