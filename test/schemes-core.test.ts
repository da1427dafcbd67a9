import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, LayerError, TensorError } from '../src/errors.js';
import { lenet5, resnet20, seedNet, vggNet } from '../src/models/index.js';
import { MaskEnforcer, getMask, isPruned } from '../src/pruning/state.js';
import {
  BlockPrune,
  Compose,
  FilterPrune,
  NeuronPrune,
  Prune,
  Quantize,
  StructurePrune,
  outputProducers,
} from '../src/schemes/index.js';
import type { Scheme } from '../src/schemes/index.js';
import { nonzeroFraction, smallNet } from './schemes-models.js';
import { disposeEachTest } from './helpers/leaks.js';

const track = disposeEachTest();

function kernelOf(model: tf.LayersModel, layer: string): Float32Array {
  return model.getLayer(layer).getWeights()[0].dataSync() as Float32Array;
}

/** Kept fraction over the kernels of `layers`. */
function keptOver(model: tf.LayersModel, layers: string[]): number {
  let nz = 0;
  let n = 0;
  for (const l of layers) {
    const d = kernelOf(model, l);
    n += d.length;
    for (const v of d) if (v !== 0) nz++;
  }
  return nz / n;
}

function unitsOf(model: tf.LayersModel, layer: string): number {
  const shape = model.getLayer(layer).getWeights()[0].shape as number[];
  return shape[shape.length - 1];
}

/** Kept fraction of the output units (last axis) of a layer's kernel. */
function keptUnits(model: tf.LayersModel, layer: string): number {
  const w = model.getLayer(layer).getWeights()[0];
  const units = w.shape[w.shape.length - 1];
  const d = w.dataSync();
  let kept = 0;
  for (let u = 0; u < units; u++) {
    let any = false;
    for (let i = u; i < d.length; i += units) if (d[i] !== 0) any = true;
    if (any) kept++;
  }
  return kept / units;
}

const referenceModels: Array<[string, () => tf.LayersModel]> = [
  ['seedNet', () => seedNet({ width: 0.125, seed: 1 })],
  ['lenet5', () => lenet5({ seed: 1 })],
  ['vggNet', () => vggNet({ width: 0.125, seed: 1 })],
  ['resnet20', () => resnet20({ width: 0.5, seed: 1 })],
];

const schemes: Array<[string, () => Scheme]> = [
  ['Prune', () => new Prune({ density: 0.3 })],
  ['FilterPrune', () => new FilterPrune({ density: 0.5 })],
  ['NeuronPrune', () => new NeuronPrune({ density: 0.5 })],
  ['StructurePrune', () => new StructurePrune({ density: 0.5, criteria: 'l1' })],
  ['BlockPrune', () => new BlockPrune({ density: 0.5, blockSize: [2, 2], pad: true })],
  ['Quantize float16', () => new Quantize({ dtype: 'float16' })],
  ['Compose', () => new Compose([new Prune({ density: 0.5 }), new Quantize({ dtype: 'int8' })])],
];

describe('every scheme on every reference model', () => {
  for (const [mname, make] of referenceModels) {
    it.each(schemes)(`%s on ${mname}`, (sname, makeScheme) => {
      const model = track(make());
      const x = tf.randomUniform([2, ...(model.inputs[0].shape.slice(1) as number[])], 0, 1, 'float32', 3);
      const before = model.predict(x) as tf.Tensor;
      const scheme = makeScheme();
      const targets = scheme.targets(model);
      if (targets.length === 0) {
        // NeuronPrune on a net whose only Dense layer is the (protected) logits layer.
        expect(sname).toBe('NeuronPrune');
        expect([...outputProducers(model)].every((l) => l.getClassName() === 'Dense')).toBe(true);
        tf.dispose([x, before]);
        return;
      }
      scheme.pi(model);
      const after = model.predict(x) as tf.Tensor;
      expect(after.shape).toEqual(before.shape);
      expect(Array.from(after.dataSync()).every(Number.isFinite)).toBe(true);
      if (!sname.startsWith('Quantize')) {
        // Every targeted kernel carries a mask and some entry of the network is now zero.
        expect(targets.filter((t) => t.name === 'kernel').every((t) => isPruned(t.layer, 'kernel'))).toBe(
          true,
        );
        expect(targets.some((t) => nonzeroFraction(t.layer, t.name) < 1)).toBe(true);
      } else {
        const d = kernelOf(model, targets[0].layer.name);
        expect(Array.from(d).every((v) => Math.fround(v) === v)).toBe(true);
      }
      // The logits layer keeps all its units under structured pruning.
      for (const out of outputProducers(model)) expect(keptUnits(model, out.name)).toBe(1);
      scheme.delta(model);
      tf.dispose([x, before, after]);
    });
  }
});

describe('one global threshold across layers (Condensa)', () => {
  it('Prune: per-layer densities differ, total kept >= target, ties kept', () => {
    const model = track(seedNet({ width: 0.125, seed: 2 }));
    const layers = ['conv1', 'conv2', 'conv3', 'fc1', 'fc2', 'fc3'];
    new Prune(0.2).pi(model);
    const total = keptOver(model, layers);
    expect(total).toBeGreaterThanOrEqual(0.2);
    expect(total).toBeLessThan(0.2 + 1e-3);
    const per = layers.map((l) => keptOver(model, [l]));
    expect(Math.max(...per) - Math.min(...per)).toBeGreaterThan(0.05);
  });

  it('ties at the threshold are all kept', () => {
    const model = track(smallNet());
    const k = model.getLayer('fc1');
    const w = k.getWeights();
    const tied = tf.fill(w[0].shape, 0.5);
    k.setWeights([tied, w[1]]);
    tied.dispose();
    // fc1 is all ties: at any density that reaches them, every entry of fc1 survives.
    new Prune({ density: 0.9, include: ['fc1', 'fc2'] }).pi(model);
    expect(nonzeroFraction(k, 'kernel')).toBe(1);
  });

  it('FilterPrune ranks filters of all conv layers together', () => {
    const model = track(seedNet({ width: 0.125, seed: 3 }));
    new FilterPrune({ density: 0.4 }).pi(model);
    const kept = ['conv1', 'conv2', 'conv3'].map((l) => keptUnits(model, l));
    const units = ['conv1', 'conv2', 'conv3'].map((l) => unitsOf(model, l));
    const total = kept.reduce((s, k, i) => s + k * units[i], 0) / units.reduce((a, b) => a + b);
    const n = units.reduce((a, b) => a + b);
    expect(total).toBeGreaterThanOrEqual(Math.floor(0.4 * n) / n);
    expect(new Set(kept.map((k) => k.toFixed(3))).size).toBeGreaterThan(1);
  });
});

describe('layer selection', () => {
  it('a per-layer density overrides the global threshold for that layer', () => {
    const model = track(seedNet({ width: 0.125, seed: 4 }));
    new Prune({ density: 0.5, densities: { conv2: 0.1, 'fc*': 0.3 } }).pi(model);
    expect(keptOver(model, ['conv2'])).toBeCloseTo(0.1, 2);
    expect(keptOver(model, ['fc1'])).toBeCloseTo(0.3, 2);
    expect(keptOver(model, ['fc3'])).toBeCloseTo(0.3, 1);
    expect(keptOver(model, ['conv1', 'conv3'])).toBeGreaterThanOrEqual(0.5);
    expect(keptOver(model, ['conv1', 'conv3'])).toBeLessThan(0.502);
  });

  it('include/exclude by name, glob, RegExp and class; noCompress is never touched', () => {
    const model = track(smallNet());
    expect(new Prune({ density: 0.5, include: ['Dense'] }).targets(model).map((t) => t.layer.name)).toEqual([
      'fc1',
      'fc2',
    ]);
    expect(new Prune({ density: 0.5, include: ['conv*'] }).targets(model).map((t) => t.layer.name)).toEqual([
      'conv1',
      'conv2',
    ]);
    expect(new Prune({ density: 0.5, exclude: [/^fc/] }).targets(model).map((t) => t.layer.name)).toEqual([
      'conv1',
      'conv2',
    ]);
    expect(new Prune({ density: 0.5, exclude: ['/2$/'] }).targets(model).map((t) => t.layer.name)).toEqual([
      'conv1',
      'fc1',
    ]);
    new Prune({ density: 0.2, noCompress: ['conv1'] }).pi(model);
    expect(isPruned(model.getLayer('conv1'))).toBe(false);
    expect(nonzeroFraction(model.getLayer('conv1'), 'kernel')).toBe(1);
    expect(isPruned(model.getLayer('conv2'))).toBe(true);
  });

  it('structured schemes protect the output units behind a separate softmax layer unless protectOutputs: false', () => {
    const model = track(smallNet());
    expect([...outputProducers(model)].map((l) => l.name)).toEqual(['fc2']);
    expect(new NeuronPrune({ density: 0.5 }).targets(model).map((t) => t.layer.name)).toEqual(['fc1', 'fc1']);
    new NeuronPrune({ density: 0.5, protectOutputs: false }).pi(model);
    expect(isPruned(model.getLayer('fc2'), 'kernel')).toBe(true);
    expect(keptUnits(model, 'fc1') * 16 + keptUnits(model, 'fc2') * 10).toBeGreaterThanOrEqual(13);
  });

  it('align rounds each layer down to a multiple; pruneBias zeroes removed units biases', () => {
    const model = track(smallNet());
    new FilterPrune({ density: 0.55, align: 4 }).pi(model);
    for (const l of ['conv1', 'conv2']) {
      const units = unitsOf(model, l);
      const kept = Math.round(keptUnits(model, l) * units);
      expect(kept % 4).toBe(0);
      const bias = model.getLayer(l).getWeights()[1].dataSync();
      // smallNet biases start at 1: zero bias <=> removed filter.
      expect(Array.from(bias).filter((b) => b !== 0).length).toBe(kept);
    }
    const m2 = track(smallNet());
    new FilterPrune({ density: 0.5, pruneBias: false }).pi(m2);
    expect(getMask(m2.getLayer('conv1'), 'bias')).toBeNull();
    expect(Array.from(m2.getLayer('conv1').getWeights()[1].dataSync()).every((b) => b === 1)).toBe(true);
  });

  it('BlockPrune zeroes whole blocks and rejects a block that does not divide', () => {
    const model = track(smallNet());
    new BlockPrune({ density: 0.5, blockSize: [4, 2] }).pi(model);
    const w = model.getLayer('fc1').getWeights()[0];
    const [rows, cols] = w.shape;
    const d = w.dataSync();
    for (let i = 0; i < rows; i += 4) {
      for (let j = 0; j < cols; j += 2) {
        const vals = [0, 1, 2, 3].flatMap((r) => [0, 1].map((c) => d[(i + r) * cols + j + c]));
        expect(vals.every((v) => v === 0) || vals.every((v) => v !== 0)).toBe(true);
      }
    }
    const m2 = track(smallNet());
    expect(() => new BlockPrune({ density: 0.5, blockSize: [3, 3] }).pi(m2)).toThrow(InvalidArgumentError);
    expect(isPruned(m2.getLayer('fc1'))).toBe(false);
  });
});

describe('density, withDensity and failure atomicity', () => {
  it('a scheme without a density refuses pi until withDensity', () => {
    const model = track(smallNet());
    const s = new FilterPrune();
    expect(s.density).toBeUndefined();
    expect(() => s.pi(model)).toThrow(/no density.*withDensity/);
    const s2 = s.withDensity(0.5);
    expect(s2).toBeInstanceOf(FilterPrune);
    expect(s2.density).toBe(0.5);
    expect(s.density).toBeUndefined();
    s2.pi(model);
    expect(isPruned(model.getLayer('conv1'))).toBe(true);
    expect(() => s.withDensity(1.5)).toThrow(InvalidArgumentError);
    expect(() => new Prune(0)).toThrow(/\(0, 1\]/);
    expect(() => new Prune({ density: 0.5, densities: { conv1: -1 } })).toThrow(InvalidArgumentError);
    // A per-layer density for a layer the model does not have is an error, not a silent no-op.
    expect(() => new Prune({ density: 0.5, densities: { conv9: 0.5 } }).pi(model)).toThrow(LayerError);
    expect(() => new Prune({ density: 0.5, densities: { conv9: 0.5 } }).pi(model)).toThrow(/conv9.*conv1, /);
  });

  it('NaN weights throw TensorError naming the weight and leave the model unchanged', () => {
    const model = track(smallNet());
    const fc2 = model.getLayer('fc2');
    const w = fc2.getWeights();
    const data = Float32Array.from(w[0].dataSync());
    data[0] = NaN;
    const t = tf.tensor(data, w[0].shape);
    fc2.setWeights([t, w[1]]);
    t.dispose();
    const before = Array.from(kernelOf(model, 'conv1'));
    expect(() => new Prune(0.5).pi(model)).toThrow(TensorError);
    expect(() => new Prune(0.5).pi(model)).toThrow(/fc2\/kernel/);
    expect(Array.from(kernelOf(model, 'conv1'))).toEqual(before);
    expect(isPruned(model.getLayer('conv1'))).toBe(false);
  });

  it('a density that keeps nothing throws before any layer changes', () => {
    const model = track(smallNet());
    expect(() => new FilterPrune({ density: 0.5, densities: { conv2: 0.01 } }).pi(model)).toThrow(
      /keeps nothing|zero/,
    );
    expect(isPruned(model.getLayer('conv1'))).toBe(false);
  });
});

describe('Compose and Quantize', () => {
  it('Compose runs pi in order and delta in reverse', () => {
    const calls: string[] = [];
    const probe = (name: string): Scheme => ({
      kind: name,
      pi: () => void calls.push(`pi ${name}`),
      delta: () => void calls.push(`delta ${name}`),
      targets: () => [],
      toJSON: () => ({ scheme: name }),
    });
    const model = track(smallNet());
    const c = new Compose([probe('a'), probe('b'), probe('c')]);
    c.pi(model);
    c.delta(model);
    expect(calls).toEqual(['pi a', 'pi b', 'pi c', 'delta c', 'delta b', 'delta a']);
    expect(() => new Compose([])).toThrow(InvalidArgumentError);
  });

  it('prune then quantize keeps zeros exactly; targets are the union', () => {
    const model = track(smallNet());
    const c = new Compose([new FilterPrune({ density: 0.5 }), new Quantize({ dtype: 'int8' })]);
    c.pi(model);
    const d = kernelOf(model, 'conv1');
    expect(keptUnits(model, 'conv1')).toBeLessThan(1);
    expect(new Set(Array.from(d)).size).toBeLessThanOrEqual(256);
    expect(c.targets(model).map((t) => `${t.layer.name}/${t.name}`)).toEqual([
      'conv1/kernel',
      'conv1/bias',
      'conv2/kernel',
      'conv2/bias',
      'fc1/kernel',
      'fc1/bias',
      'fc2/kernel',
      'fc2/bias',
    ]);
    expect(c.withDensity(0.3).density).toBe(0.3);
  });

  it('Quantize float16 round trip: values are half-precision, delta keeps them, second pi is a no-op', () => {
    const model = track(smallNet());
    const q = new Quantize({ dtype: 'float16' });
    const orig = Array.from(kernelOf(model, 'fc1'));
    q.pi(model);
    const once = Array.from(kernelOf(model, 'fc1'));
    expect(once).not.toEqual(orig);
    once.forEach((v, i) =>
      expect(Math.abs(v - orig[i])).toBeLessThanOrEqual(Math.abs(orig[i]) * 2 ** -11 + 2 ** -25),
    );
    q.delta(model);
    expect(Array.from(kernelOf(model, 'fc1'))).toEqual(once);
    q.pi(model);
    expect(Array.from(kernelOf(model, 'fc1'))).toEqual(once);
    expect(() => new Quantize({ dtype: 'int4' as never })).toThrow(/float16, int8/);
  });
});

describe('training keeps pruned weights at zero', () => {
  it('one epoch of model.fit with MaskEnforcer', async () => {
    const model = track(smallNet());
    new Prune({ density: 0.3 }).pi(model);
    const zerosBefore = ['conv1', 'conv2', 'fc1', 'fc2'].map((l) =>
      nonzeroFraction(model.getLayer(l), 'kernel'),
    );
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
    const xs = tf.randomUniform([32, 8, 8, 3], 0, 1, 'float32', 5);
    const ys = tf.tidy(() =>
      tf.oneHot(
        tf.tensor1d(
          Array.from({ length: 32 }, (_, i) => i % 10),
          'int32',
        ),
        10,
      ),
    );
    const before = Array.from(kernelOf(model, 'fc1'));
    await model.fit(xs, ys, { epochs: 1, batchSize: 8, verbose: 0, callbacks: [new MaskEnforcer(model)] });
    const after = Array.from(kernelOf(model, 'fc1'));
    expect(after).not.toEqual(before);
    const zerosAfter = ['conv1', 'conv2', 'fc1', 'fc2'].map((l) =>
      nonzeroFraction(model.getLayer(l), 'kernel'),
    );
    expect(zerosAfter).toEqual(zerosBefore);
    before.forEach((v, i) => {
      if (v === 0) expect(after[i] === 0).toBe(true);
    });
    tf.dispose([xs, ys]);
    model.optimizer.dispose();
  });
});
