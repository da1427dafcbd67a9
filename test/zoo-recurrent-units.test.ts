import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { compactWithPlan } from '../src/graph/index.js';
import { writeWeight } from '../src/pruning/index.js';
import { NeuronPrune } from '../src/schemes/index.js';
import { disposeAll, maxRelativeError, randomizeBiasesAndNorms } from './graph-fixtures.js';
import { trackTensors } from './helpers/leaks.js';
import { zoo } from './zoo/index.js';

const GATES: Record<string, number> = { LSTM: 4, GRU: 3, SimpleRNN: 1 };

/** Input [5, 3] -> `cls` (6 units, every step) -> global average pooling -> Dense(2). */
function recurrentNet(cls: string): tf.LayersModel {
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  const options = {
    name: 'r',
    units: 6,
    returnSequences: true,
    kernelInitializer: init(1),
    recurrentInitializer: init(2),
  };
  const rnn =
    cls === 'LSTM'
      ? tf.layers.lstm(options)
      : cls === 'GRU'
        ? tf.layers.gru(options)
        : tf.layers.simpleRNN(options);
  const input = tf.input({ shape: [5, 3] });
  const pooled = tf.layers.globalAveragePooling1d({}).apply(rnn.apply(input)) as tf.SymbolicTensor;
  const y = tf.layers.dense({ name: 'out', units: 2, kernelInitializer: init(3) }).apply(pooled);
  const model = tf.model({ inputs: input, outputs: y as tf.SymbolicTensor });
  randomizeBiasesAndNorms(model, 7);
  return model;
}

/** For each unit of a recurrent layer: whether its columns are zero in every gate of `weight`. */
function zeroUnits(layer: tf.layers.Layer, weight: string, gates: number): boolean[] {
  const v = layer.weights.find((w) => w.originalName.endsWith(`/${weight}`))!.read();
  const [rows, cols] = v.shape as [number, number];
  const data = v.dataSync();
  const units = cols / gates;
  return Array.from({ length: units }, (_, u) => {
    for (let g = 0; g < gates; g++)
      for (let r = 0; r < rows; r++) if (data[r * cols + g * units + u] !== 0) return false;
    return true;
  });
}

describe.each(Object.keys(GATES))('%s units: NeuronPrune -> compact', (cls) => {
  it('removes whole units (every gate, kernel and recurrent kernel) and keeps the outputs', () => {
    const leaks = trackTensors();
    const model = recurrentNet(cls);
    const scheme = new NeuronPrune({ density: 0.5 });
    scheme.pi(model);
    expect(scheme.lastReport?.skipped).toEqual([
      { layer: 'out', className: 'Dense', cause: 'output', reason: expect.any(String) },
    ]);
    const r = model.getLayer('r');
    const gates = GATES[cls];
    const zeroK = zeroUnits(r, 'kernel', gates);
    expect(zeroK.filter(Boolean)).toHaveLength(3);
    expect(zeroUnits(r, 'recurrent_kernel', gates)).toEqual(zeroK);
    const { model: small, plan } = compactWithPlan(model);
    expect(plan.removed.reduce((n, g) => n + g.removed, 0)).toBe(3);
    expect(small.getLayer('r').getConfig().units).toBe(3);
    // The next layer's inputs are cut with them.
    expect(small.getLayer('out').getWeights()[0].shape).toEqual([3, 2]);
    const x = tf.randomNormal([2, 5, 3], 0, 1, 'float32', 4);
    expect(maxRelativeError(model, small, x)).toBeLessThan(1e-5);
    x.dispose();
    disposeAll(model, small);
    leaks.check();
  });

  it('keeps a unit whose kernel columns are zero but whose bias is not (its output varies)', () => {
    const leaks = trackTensors();
    const model = recurrentNet(cls);
    const r = model.getLayer('r');
    const gates = GATES[cls];
    for (const name of ['kernel', 'recurrent_kernel']) {
      const v = r.weights.find((w) => w.originalName.endsWith(`/${name}`))!;
      const units = (v.shape[1] as number) / gates;
      const mask = tf.tidy(() => {
        const m = tf.buffer(v.shape as [number, number]);
        for (let i = 0; i < (v.shape[0] as number); i++)
          for (let j = 0; j < (v.shape[1] as number); j++) m.set(j % units === 0 ? 0 : 1, i, j);
        return tf.keep(v.read().mul(m.toTensor()));
      });
      writeWeight(r, name, mask);
      mask.dispose();
    }
    const { model: small, plan } = compactWithPlan(model);
    expect(plan.removed).toEqual([]);
    const x = tf.randomNormal([2, 5, 3], 0, 1, 'float32', 4);
    expect(maxRelativeError(model, small, x)).toBeLessThan(1e-5);
    x.dispose();
    disposeAll(model, small);
    leaks.check();
  });
});

describe('the zoo LSTM text classifier', () => {
  it('loses its pruned LSTM units to NeuronPrune(0.5) + compact, with the same outputs', () => {
    const leaks = trackTensors();
    const entry = zoo.find((z) => z.name === 'LSTM text')!;
    const model = entry.build();
    const lstm = model.layers.find((l) => l.getClassName() === 'LSTM')!;
    const scheme = new NeuronPrune({ density: 0.5, densities: { [lstm.name]: 0.5 } });
    scheme.pi(model);
    expect(scheme.lastReport?.compressed.find((c) => c.layer === lstm.name)?.kept).toBe(4);
    const { model: small } = compactWithPlan(model);
    expect(small.getLayer(lstm.name).getConfig().units).toBe(4);
    expect(small.countParams()).toBeLessThan(model.countParams());
    const x = entry.input(2);
    expect(maxRelativeError(model, small, x)).toBeLessThan(1e-5);
    x.dispose();
    disposeAll(model, small);
    leaks.check();
  });
});
