import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../src/errors.js';
import { channelScale } from './helpers/custom-layer.js';
import {
  compactWithPlan,
  countFlops,
  dependencyGraph,
  filterPruneGroups,
  groupImportance,
  producedBy,
} from '../src/graph/index.js';
import { resnet20, seedNet, vggNet } from '../src/models/index.js';
import { getMask, isPruned, prunedWeights } from '../src/pruning/index.js';
import { type Sym, disposeAll, functional, init } from './graph-fixtures.js';
import { trackTensors } from './helpers/leaks.js';

describe('countFlops', () => {
  it('counts a small model by hand', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 4, kernelSize: 3, activation: 'relu', name: 'c' }),
        tf.layers.maxPooling2d({ poolSize: 2, name: 'p' }),
        tf.layers.batchNormalization({ name: 'bn' }),
        tf.layers.flatten({ name: 'f' }),
        tf.layers.dense({ units: 5, name: 'd1' }),
        tf.layers.dense({ units: 3, activation: 'softmax', name: 'd2' }),
      ],
    });
    const r = countFlops(model);
    const expected = {
      c: 2 * 9 * 3 * 4 * 36 + 2 * 4 * 36, // MACs*2, then bias + relu per output
      p: 4 * 3 * 3 * 4, // one op per window element per output
      bn: 2 * 3 * 3 * 4,
      f: 0,
      d1: 2 * 36 * 5 + 5,
      d2: 2 * 5 * 3 + 3 + 3,
    };
    expect(Object.fromEntries(r.perLayer.map((l) => [l.name, l.flops]))).toEqual(expected);
    expect(r.total).toBe(Object.values(expected).reduce((a, b) => a + b, 0));
    expect(r.params).toBe(model.countParams());
    expect(r.perLayer.find((l) => l.name === 'bn')!.params).toBe(16);
    model.dispose();
  });

  it('gives resnet20 its known ~41M multiply-accumulates in convolutions and dense', () => {
    const model = resnet20();
    const r = countFlops(model);
    const macs =
      r.perLayer
        .filter((l) => l.className === 'Conv2D' || l.className === 'Dense')
        .reduce((s, l) => s + l.flops, 0) / 2;
    expect(macs).toBeGreaterThan(40.5e6);
    expect(macs).toBeLessThan(41.6e6);
    expect(r.params).toBe(model.countParams());
    model.dispose();
  });

  it('counts a layer it does not know as 0 with a warning naming it', () => {
    const model = functional([4, 4, 2], (x) => {
      const y = tf.layers.conv2d({ name: 'c', filters: 3, kernelSize: 1 }).apply(x) as Sym;
      return channelScale('enc').apply(y) as Sym;
    });
    const report = countFlops(model);
    expect(report.perLayer.find((l) => l.name === 'enc')!.flops).toBe(0);
    expect(report.total).toBe(2 * 2 * 3 * 16 + 3 * 16);
    expect(report.warnings).toEqual([
      expect.stringMatching(/'enc' \(ChannelScale\).*no registered layer kind/),
    ]);
    model.dispose();
  });
});

describe('group importance and group pruning', () => {
  it('ranks a residual stage as one group summed over its producers', () => {
    const model = resnet20({ width: 0.5, seed: 1 });
    const groups = groupImportance(model, 'l1');
    const stage2 = groups.find((g) => g.producers.includes('s2b1_proj'))!;
    expect(stage2.producers.sort()).toEqual(['s2b1_conv2', 's2b1_proj', 's2b2_conv2', 's2b3_conv2']);
    // The score of channel 0 is the sum of the L1 norms of filter 0 of each producer.
    const l1 = (name: string) =>
      tf.tidy(() => model.getLayer(name).getWeights()[0].abs().sum([0, 1, 2]).dataSync()[0]);
    const sum = stage2.producers.reduce((s, p) => s + l1(p), 0);
    expect(stage2.scores[0]).toBeCloseTo(sum, 4);
    // The classifier (model output) and the input are not prunable groups.
    expect(groups.some((g) => g.producers.includes('fc'))).toBe(false);
    model.dispose();
  });

  it('masks the same channels in every producer and BN of a stage', () => {
    const leaks = trackTensors();
    const model = resnet20({ width: 0.5, seed: 2 });
    filterPruneGroups(model, { density: 0.5, scope: 'group', criteria: 'l2' });
    const zeroed = (layer: string, name: string) =>
      Array.from(getMask(model.getLayer(layer), name)!.dataSync().slice(-16)).join('');
    const ref = zeroed('s2b1_proj', 'kernel');
    for (const layer of ['s2b1_conv2', 's2b2_conv2', 's2b3_conv2']) expect(zeroed(layer, 'kernel')).toBe(ref);
    for (const layer of ['s2b1_bn2', 's2b1_proj_bn', 's2b3_bn2']) {
      expect(Array.from(getMask(model.getLayer(layer), 'gamma')!.dataSync()).join('')).toBe(ref);
    }
    expect(ref.split('').filter((c) => c === '0').length).toBe(8);
    expect(isPruned(model.getLayer('fc'))).toBe(false);
    disposeAll(model);
    leaks.check();
  });

  it('global scope shares one threshold; align rounds each group down to a multiple', () => {
    const model = vggNet({ width: 0.25, seed: 3 });
    const scores = groupImportance(model);
    const all = scores.flatMap((g) => Array.from(g.scores)).sort((a, b) => b - a);
    const threshold = all[Math.floor(0.5 * all.length) - 1];
    const result = filterPruneGroups(model, { density: 0.5 });
    scores.forEach((g, i) => {
      expect(result.groups[i].kept).toBe(Math.max(1, g.scores.filter((s) => s >= threshold).length));
    });
    disposeAll(model);
    const aligned = vggNet({ width: 0.25, seed: 3 });
    const r2 = filterPruneGroups(aligned, { density: 0.5, align: 8 });
    r2.groups.forEach((g, i) => {
      const wanted = result.groups[i].kept;
      expect(g.kept).toBe(Math.max(8, Math.floor(wanted / 8) * 8));
    });
    disposeAll(aligned);
  });

  it('rejects bad options and leaves the model unchanged', () => {
    const model = seedNet({ width: 0.125 });
    expect(() => filterPruneGroups(model, { density: 0 })).toThrow(InvalidArgumentError);
    expect(() => filterPruneGroups(model, { density: 1.5 })).toThrow(/density must be in \(0, 1\]/);
    expect(() => filterPruneGroups(model, { density: 0.5, align: 0 })).toThrow(/align/);
    expect(() => filterPruneGroups(model, { density: 0.5, criteria: 'l3' as never })).toThrow(
      /criteria 'l3'/,
    );
    expect(prunedWeights(model)).toEqual([]);
    model.dispose();
  });

  it('include: producedBy restricts pruning to convolution groups', () => {
    const model = seedNet({ width: 0.125, seed: 2 });
    const r = filterPruneGroups(model, { density: 0.5, scope: 'group', include: producedBy('Conv2D') });
    expect(r.groups.map((g) => g.producers[0])).toEqual(['conv1', 'conv2', 'conv3']);
    expect(isPruned(model.getLayer('fc1'))).toBe(false);
    expect(isPruned(model.getLayer('bn2'), 'gamma')).toBe(true);
    disposeAll(model);
  });

  it('compacting an unpruned model gives the same architecture and outputs', () => {
    const leaks = trackTensors();
    const model = seedNet({ width: 0.125, seed: 2 });
    const { model: copy, plan } = compactWithPlan(model);
    expect(plan.removed).toEqual([]);
    expect(copy.countParams()).toBe(model.countParams());
    const x = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 1);
    const diff = tf.tidy(
      () =>
        (model.predict(x) as tf.Tensor)
          .sub(copy.predict(x) as tf.Tensor)
          .abs()
          .max()
          .dataSync()[0],
    );
    expect(diff).toBe(0);
    x.dispose();
    disposeAll(model, copy);
    leaks.check();
  });

  it('lists the groups of a graph with their pins', () => {
    const model = functional([6, 6, 3], (x) => {
      const c = tf.layers
        .conv2d({ name: 'c', filters: 4, kernelSize: 3, kernelInitializer: init() })
        .apply(x) as Sym;
      const f = tf.layers.flatten({ name: 'f' }).apply(c) as Sym;
      return tf.layers.dense({ name: 'd', units: 2, kernelInitializer: init() }).apply(f) as Sym;
    });
    const groups = dependencyGraph(model).groups();
    expect(groups.map((g) => [g.producers, g.layers, g.size, g.pins.map((p) => p.reason)])).toEqual([
      [[], ['in'], 3, ['model input']],
      [['c'], ['c', 'f'], 4, []],
      [['d'], ['d'], 2, ['model output']],
    ]);
    model.dispose();
  });
});
