import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { LayerError, SpecError } from '../src/errors.js';
import { loadPretrained } from '../src/models/index.js';

import {
  BlockPrune,
  Compose,
  FilterPrune,
  NeuronPrune,
  Prune,
  Quantize,
  StructurePrune,
  compressWithReport,
  refuseSkipped,
  schemeFromSpec,
  schemeToSpec,
} from '../src/schemes/index.js';
import { disposeEachTest } from './helpers/leaks.js';

const track = disposeEachTest();

/** Output units (last kernel axis) of `layer` with any nonzero weight. */
function liveUnits(model: tf.LayersModel, layer: string): number {
  const w = model.getLayer(layer).getWeights()[0];
  const units = w.shape[w.shape.length - 1];
  const d = w.dataSync();
  const live = new Set<number>();
  d.forEach((v, i) => {
    if (v !== 0) live.add(i % units);
  });
  return live.size;
}

/**
 * A residual net whose stem filters are small (scaled by 0.05, as a stem with few inputs and a
 * small init has): one global filter threshold empties the stem, and the output goes constant.
 */
function residualNet(): tf.LayersModel {
  const init = (s: number) => tf.initializers.heNormal({ seed: s });
  const input = tf.input({ shape: [8, 8, 3] });
  const conv = (name: string, filters: number, s: number, x: tf.SymbolicTensor): tf.SymbolicTensor =>
    tf.layers
      .conv2d({
        name,
        filters,
        kernelSize: 3,
        padding: 'same',
        kernelInitializer: init(s),
        activation: 'relu',
      })
      .apply(x) as tf.SymbolicTensor;
  const stem = conv('stem', 4, 1, input);
  const a = conv('res_a', 4, 2, stem);
  const b = conv('res_b', 4, 3, a);
  const sum = tf.layers.add().apply([stem, b]) as tf.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling2d({}).apply(sum) as tf.SymbolicTensor;
  const out = tf.layers.dense({ name: 'head', units: 5, kernelInitializer: init(4) }).apply(pooled);
  const model = tf.model({ inputs: input, outputs: out as tf.SymbolicTensor });
  const stemLayer = model.getLayer('stem');
  const [k, bias] = stemLayer.getWeights();
  const small = tf.mul(k, 0.05);
  stemLayer.setWeights([small, bias]);
  small.dispose();
  return model;
}

/** Max spread of the model's outputs over a few random inputs: 0 when the output is constant. */
function outputSpread(model: tf.LayersModel): number {
  return tf.tidy(() => {
    const x = tf.randomUniform([6, 8, 8, 3], 0, 1, 'float32', 7);
    const y = model.predict(x) as tf.Tensor;
    return tf.sub(tf.max(y, 0), tf.min(y, 0)).max().dataSync()[0];
  });
}

describe('empty-layer guard', () => {
  it('FilterPrune(0.5) on pretrained lenet5-mnist keeps a filter of conv1 and says so', async () => {
    const model = track(await loadPretrained('lenet5-mnist'));
    const scheme = new FilterPrune({ density: 0.5 });
    scheme.pi(model);
    expect(liveUnits(model, 'conv1')).toBe(1);
    const conv1 = scheme.lastReport!.compressed.find((c) => c.layer === 'conv1')!;
    expect(conv1).toMatchObject({ kept: 1, total: 6, guarded: true, unit: 'filter', ownDensity: false });
    expect(scheme.lastReport!.warnings.join('\n')).toMatch(/all 6 filters of 'conv1'.*keeps its 1 best/);
  });

  it('allowEmptyLayers: true gives Condensa literal semantics: conv1 emptied, and a floor warning', async () => {
    const model = track(await loadPretrained('lenet5-mnist'));
    const report = compressWithReport(new FilterPrune({ density: 0.5, allowEmptyLayers: true }), model);
    expect(liveUnits(model, 'conv1')).toBe(0);
    expect(report.compressed.find((c) => c.layer === 'conv1')).toMatchObject({ kept: 0, guarded: false });
    expect(report.warnings.join('\n')).toMatch(/leaves 'conv1' 0 of 6 filters.*below the floor 10\.0%/);
  });

  it('a residual net keeps its stem (and a non-constant output) under FilterPrune and StructurePrune', () => {
    for (const make of [
      (o: { allowEmptyLayers?: boolean }) => new FilterPrune({ density: 0.5, ...o }),
      (o: { allowEmptyLayers?: boolean }) => new StructurePrune({ density: 0.5, ...o }),
    ]) {
      const literal = track(residualNet());
      make({ allowEmptyLayers: true }).pi(literal);
      expect(liveUnits(literal, 'stem')).toBe(0);
      expect(outputSpread(literal)).toBe(0);

      const guarded = track(residualNet());
      const scheme = make({});
      scheme.pi(guarded);
      expect(liveUnits(guarded, 'stem')).toBeGreaterThanOrEqual(1);
      expect(outputSpread(guarded)).toBeGreaterThan(0);
      for (const c of scheme.lastReport!.compressed) expect(c.kept).toBeGreaterThanOrEqual(1);
    }
  });

  it('keeps max(1, align) structures with align, and literal rounding to none when allowed', () => {
    const guarded = track(residualNet());
    new FilterPrune({ density: 0.5, align: 2 }).pi(guarded);
    expect(liveUnits(guarded, 'stem')).toBe(2);
    const literal = track(residualNet());
    new FilterPrune({ density: 0.5, align: 2, allowEmptyLayers: true }).pi(literal);
    expect(liveUnits(literal, 'stem')).toBe(0);
  });

  it('BlockPrune keeps a block of a layer whose blocks all fall under the threshold', () => {
    const model = track(
      tf.sequential({
        layers: [
          tf.layers.dense({ name: 'small', inputShape: [4], units: 4, kernelInitializer: 'zeros' }),
          tf.layers.dense({ name: 'big', units: 4, kernelInitializer: tf.initializers.ones() }),
        ],
      }),
    );
    const small = model.getLayer('small');
    const k = tf.tensor2d([0.01, 0.02, 0.03, 0.04, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [4, 4]);
    small.setWeights([k, small.getWeights()[1]]);
    k.dispose();
    const scheme = new BlockPrune({ density: 0.5, blockSize: [2, 2] });
    scheme.pi(model);
    expect(scheme.lastReport!.compressed.map((c) => [c.layer, c.kept, c.guarded])).toEqual([
      ['small', 1, true],
      ['big', 4, false],
    ]);
  });

  it('warns about a layer the shared threshold leaves under warnBelow, and not with warnBelow: 0', async () => {
    const a = track(await loadPretrained('lenet5-mnist'));
    const warned = compressWithReport(new Prune({ density: 0.2, warnBelow: 0.18 }), a).warnings;
    const b = track(await loadPretrained('lenet5-mnist'));
    const quiet = compressWithReport(new Prune({ density: 0.2, warnBelow: 0 }), b).warnings;
    expect(quiet).toEqual([]);
    // fc1 holds most weights and its entries are small: the global threshold cuts it hardest (16%).
    expect(warned).toEqual([
      expect.stringMatching(/leaves 'fc1' \d+ of 48000 weights .*below the floor 18\.0%/),
    ]);
  });
});

describe('reporting: nothing skipped quietly', () => {
  /** Conv2D + ConvLSTM2D + Dense: FilterPrune handles Conv2D only. */
  function mixedNet(): tf.LayersModel {
    const input = tf.input({ shape: [3, 6, 6, 2] });
    let x = tf.layers
      .convLstm2d({ name: 'clstm', filters: 2, kernelSize: 3, returnSequences: false })
      .apply(input) as tf.SymbolicTensor;
    x = tf.layers.conv2d({ name: 'conv', filters: 4, kernelSize: 3 }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
    const out = tf.layers.dense({ name: 'fc', units: 3 }).apply(x) as tf.SymbolicTensor;
    return tf.model({ inputs: input, outputs: out });
  }

  it('names a layer of the family that the scheme cannot handle, with why', () => {
    const model = track(mixedNet());
    const scheme = new FilterPrune({ density: 0.5 });
    scheme.pi(model);
    const r = scheme.lastReport!;
    expect(r.compressed.map((c) => c.layer)).toEqual(['conv']);
    expect(r.skipped).toEqual([
      expect.objectContaining({ layer: 'clstm', className: 'ConvLSTM2D', cause: 'unsupported' }),
    ]);
    expect(r.skipped[0].reason).toMatch(/FilterPrune does not handle ConvLSTM2D/);
  });

  it('strict: true throws naming the layer before any weight changes (scheme, Compose, compressWithReport)', () => {
    const model = track(mixedNet());
    const before = model.getLayer('conv').getWeights()[0].dataSync().slice();
    const strict = new FilterPrune({ density: 0.5, strict: true });
    expect(() => strict.pi(model)).toThrow(LayerError);
    expect(() => strict.pi(model)).toThrow(/'clstm' \(ConvLSTM2D\)/);
    const composed = new Compose([new Prune({ density: 0.5, layerTypes: ['Dense'] }), strict]);
    expect(() => composed.pi(model)).toThrow(/clstm/);
    expect(() => compressWithReport(new FilterPrune({ density: 0.5 }), model, { strict: true })).toThrow(
      /clstm/,
    );
    expect(() => refuseSkipped(new Compose([new FilterPrune({ density: 0.5 })]), model)).toThrow(/clstm/);
    expect(() => refuseSkipped(new FilterPrune({ density: 0.5, exclude: ['clstm'] }), model)).not.toThrow();
    expect(model.getLayer('conv').getWeights()[0].dataSync()).toEqual(before);
    expect(
      model
        .getLayer('fc')
        .getWeights()[0]
        .dataSync()
        .every((v) => v !== 0),
    ).toBe(true);
  });

  it('every kernel-carrying layer is either compressed or skipped by Prune and Quantize, never neither', () => {
    for (const make of [() => new Prune({ density: 0.5 }), () => new Quantize({ dtype: 'float16' })]) {
      const model = track(mixedNet());
      const report = compressWithReport(make(), model);
      const named = [...report.compressed, ...report.skipped].map((c) => c.layer).sort();
      expect(named).toEqual(['clstm', 'conv', 'fc']);
    }
  });

  it('a protected output is reported as skipped, but strict does not refuse it', async () => {
    const model = track(await loadPretrained('lenet5-mnist'));
    const report = compressWithReport(new NeuronPrune({ density: 0.5, strict: true }), model);
    const out = report.skipped.find((s) => s.cause === 'output');
    expect(out?.reason).toMatch(/protectOutputs: false/);
    expect(report.compressed.every((c) => c.unit === 'neuron')).toBe(true);
  });

  it('Compose reports its members in order', async () => {
    const model = track(await loadPretrained('lenet5-mnist'));
    const scheme = new Compose([new Prune({ density: 0.3 }), new Quantize({ dtype: 'int8' })]);
    scheme.pi(model);
    const r = scheme.lastReport!;
    const units = r.compressed.map((c) => c.unit);
    expect(units.slice(0, units.indexOf('int8'))).toEqual(expect.arrayContaining(['weight']));
    expect(units.filter((u) => u === 'int8').length).toBe(r.compressed.length / 2);
    const pruned = r.compressed.filter((c) => c.unit === 'weight');
    const kept = pruned.reduce((n, c) => n + c.kept!, 0) / pruned.reduce((n, c) => n + c.total!, 0);
    expect(kept).toBeCloseTo(0.3, 3);
  });
});

describe('guard options in JSON specs', () => {
  it('round-trip, and a bad value is a SpecError at its path', () => {
    const spec = {
      scheme: 'FilterPrune',
      density: 0.5,
      strict: true,
      warnBelow: 0.2,
      allowEmptyLayers: true,
    };
    expect(schemeToSpec(schemeFromSpec(spec))).toEqual(spec);
    expect(schemeToSpec(schemeFromSpec({ scheme: 'Quantize', dtype: 'int8', strict: true }))).toEqual({
      scheme: 'Quantize',
      dtype: 'int8',
      strict: true,
    });
    const bad = (s: object): SpecError => {
      try {
        schemeFromSpec(s as Record<string, unknown>);
      } catch (e) {
        return e as SpecError;
      }
      throw new Error('accepted');
    };
    expect(bad({ scheme: 'Prune', density: 0.5, warnBelow: 2 }).path).toBe('$.warnBelow');
    expect(bad({ scheme: 'Prune', density: 0.5, allowEmptyLayers: true }).path).toBe('$.allowEmptyLayers');
    expect(bad({ compose: [{ scheme: 'NeuronPrune', strict: 'yes' }] }).path).toBe('$.compose[0].strict');
  });
});
