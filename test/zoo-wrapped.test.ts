import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel, saveModel } from '../src/io/index.js';
import { clearPruning, getMask, isPruned, weightNames } from '../src/pruning/index.js';
import { Prune, Quantize } from '../src/schemes/index.js';
import { trackTensors } from './helpers/leaks.js';
import { type ZooModel, zoo } from './zoo/index.js';

const root = mkdtempSync(join(tmpdir(), 'condensa-zoo-wrapped-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const sequenceModels = zoo.filter((z) =>
  ['LSTM text', 'Bidirectional LSTM/GRU text', 'TimeDistributed'].includes(z.name),
);

/** Every kernel-like weight of the model (what Prune must reach), as [layer, weight name]. */
function kernels(model: tf.LayersModel): Array<[tf.layers.Layer, string]> {
  return model.layers.flatMap((layer) =>
    weightNames(layer)
      .filter((n) => n.endsWith('kernel') || n === 'embeddings')
      .map((n): [tf.layers.Layer, string] => [layer, n]),
  );
}

function zeroFraction(t: tf.Tensor): number {
  const data = Array.from(t.dataSync());
  return data.filter((v) => v === 0).length / data.length;
}

function maxAbsDiff(a: tf.LayersModel, b: tf.LayersModel, x: tf.Tensor): number {
  return tf.tidy(
    () =>
      (a.predict(x) as tf.Tensor)
        .sub(b.predict(x) as tf.Tensor)
        .abs()
        .max()
        .dataSync()[0],
  );
}

describe.each(sequenceModels)('wrapped and recurrent kernels: $name', (entry: ZooModel) => {
  it('Prune(0.5) masks every kernel (wrapped, forward/backward, recurrent) and skips nothing', () => {
    const leaks = trackTensors();
    const model = entry.build();
    // Prune per layer at 50%, so each kernel's share is known; the global ranking is checked below.
    const scheme = new Prune({ density: 0.5, densities: { '/.*/': 0.5 } });
    scheme.pi(model);
    expect(scheme.lastReport?.skipped).toEqual([]);
    const all = kernels(model);
    expect(all.length).toBeGreaterThan(0);
    for (const [layer, name] of all) {
      expect(isPruned(layer, name), `${layer.name}/${name} is masked`).toBe(true);
      const mask = getMask(layer, name)!;
      const zeros = zeroFraction(mask);
      // One threshold per layer over all its kernels: each kernel near half, none left whole.
      expect(zeros, `${layer.name}/${name}`).toBeGreaterThan(0.25);
      expect(zeros, `${layer.name}/${name}`).toBeLessThan(0.75);
      const value = layer.weights.find((w) => w.originalName.endsWith(name))!.read();
      expect(zeroFraction(value), `${layer.name}/${name} holds its mask`).toBeCloseTo(zeros, 6);
    }
    clearPruning(model);
    model.dispose();
    leaks.check();
  });

  it('the global Prune(0.5) keeps half of all kernel entries; the sparse save keeps every zero', async () => {
    const leaks = trackTensors();
    const model = entry.build();
    const scheme = new Prune(0.5);
    scheme.pi(model);
    expect(scheme.lastReport?.skipped).toEqual([]);
    const compressed = scheme.lastReport!.compressed;
    const kept = compressed.reduce((n, c) => n + (c.kept ?? 0), 0);
    const total = compressed.reduce((n, c) => n + (c.total ?? 0), 0);
    expect(kept / total).toBeCloseTo(0.5, 2);
    const dir = join(root, `${model.name}-sparse`);
    const dense = await saveModel(model, join(root, `${model.name}-dense`));
    const sparse = await saveModel(model, dir, { format: 'sparse' });
    expect(sparse.weightsBytes).toBeLessThan(dense.weightsBytes);
    const back = await loadModel(dir);
    for (const [layer, name] of kernels(model)) {
      const original = layer.weights.find((w) => w.originalName.endsWith(name))!.read();
      const loaded = back
        .getLayer(layer.name)
        .weights.find((w) => w.originalName.endsWith(name))!
        .read();
      expect(zeroFraction(loaded), `${layer.name}/${name}`).toBe(zeroFraction(original));
    }
    const x = entry.input(2);
    expect(maxAbsDiff(model, back, x)).toBe(0);
    x.dispose();
    clearPruning(model);
    model.dispose();
    back.dispose();
    leaks.check();
  });

  it('Quantize reaches the wrapped weights and int8 round-trips exactly', async () => {
    const leaks = trackTensors();
    const model = entry.build();
    const scheme = new Quantize({ dtype: 'int8' });
    scheme.pi(model);
    expect(scheme.lastReport?.skipped).toEqual([]);
    const targeted = new Set(scheme.targets(model).map((t) => `${t.layer.name}/${t.name}`));
    for (const [layer, name] of kernels(model)) expect(targeted).toContain(`${layer.name}/${name}`);
    const dir = join(root, `${model.name}-int8`);
    await saveModel(model, dir);
    const back = await loadModel(dir);
    const x = entry.input(2);
    expect(maxAbsDiff(model, back, x)).toBe(0);
    x.dispose();
    model.dispose();
    back.dispose();
    leaks.check();
  });
});

describe('Bidirectional: forward and backward weights are told apart', () => {
  it('its two kernels have their own names and their own masks', () => {
    const model = zoo.find((z) => z.name === 'Bidirectional LSTM/GRU text')!.build();
    const bi = model.layers.find((l) => l.getClassName() === 'Bidirectional')!;
    const names = weightNames(bi);
    expect(new Set(names).size).toBe(names.length);
    expect(names.filter((n) => n.endsWith('/kernel'))).toHaveLength(2);
    new Prune({ density: 0.5, densities: { [bi.name]: 0.5 } }).pi(model);
    const [fw, bw] = names.filter((n) => n.endsWith('/kernel'));
    const a = getMask(bi, fw)!.dataSync();
    const b = getMask(bi, bw)!.dataSync();
    expect(Array.from(a)).not.toEqual(Array.from(b));
    clearPruning(model);
    model.dispose();
  });
});
