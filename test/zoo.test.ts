import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  compact,
  compactWithPlan,
  countFlops,
  dependencyGraph,
  filterPruneGroups,
  groupImportance,
} from '../src/graph/index.js';
import { WEIGHTS_BIN, loadModel, saveModel } from '../src/io/index.js';
import { clearPruning } from '../src/pruning/index.js';
import { FilterPrune, Prune, Quantize } from '../src/schemes/index.js';
import { randomizeBiasesAndNorms } from './graph-fixtures.js';
import { trackTensors } from './helpers/leaks.js';
import { type ZooModel, zoo } from './zoo/index.js';

const root = mkdtempSync(join(tmpdir(), 'condensa-zoo-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A zoo model with random (seeded) biases and BN statistics, so pruned channels emit real constants. */
function built(entry: ZooModel): tf.LayersModel {
  const model = entry.build();
  randomizeBiasesAndNorms(model, 11);
  return model;
}

function relativeError(a: tf.LayersModel, b: tf.LayersModel, x: tf.Tensor): number {
  return tf.tidy(() => {
    const ya = a.predict(x) as tf.Tensor;
    const yb = b.predict(x) as tf.Tensor;
    if (ya.shape.join() !== yb.shape.join()) return Infinity;
    return ya.sub(yb).abs().max().div(ya.abs().max()).dataSync()[0];
  });
}

function dispose(...models: tf.LayersModel[]): void {
  for (const m of models) {
    clearPruning(m);
    m.dispose();
    // tfjs holds one reference per application of a layer and model.dispose() drops one, so a
    // shared layer (the siamese tower) keeps its weights until disposed once more per extra use.
    for (const layer of m.layers) for (let i = 1; i < layer.inboundNodes.length; i++) layer.dispose();
  }
}

/** Compact `model`, check the outputs match, return params and FLOPs before and after. */
function compactAndCompare(model: tf.LayersModel, entry: ZooModel) {
  const { model: small, plan } = compactWithPlan(model);
  const x = entry.input(2);
  expect(relativeError(model, small, x)).toBeLessThan(1e-5);
  const before = countFlops(model);
  const after = countFlops(small);
  expect(before.warnings).toEqual([]);
  const result = {
    params: [model.countParams(), small.countParams()],
    flops: [before.total, after.total],
    plan,
  };
  x.dispose();
  dispose(small);
  return result;
}

describe.each(zoo)('zoo: $name', (entry) => {
  it('group pruning at 50% -> compact: same outputs, fewer parameters and FLOPs', () => {
    const leaks = trackTensors();
    const model = built(entry);
    expect(groupImportance(model).length).toBeGreaterThan(0);
    filterPruneGroups(model, { density: 0.5 });
    const { params, flops } = compactAndCompare(model, entry);
    expect(params[1]).toBeLessThan(params[0]);
    expect(flops[1]).toBeLessThan(flops[0]);
    dispose(model);
    leaks.check();
  });

  it('per-layer FilterPrune at 50% -> compact: same outputs, fewer parameters and FLOPs', () => {
    const leaks = trackTensors();
    const model = built(entry);
    const scheme = new FilterPrune({ density: 0.5 });
    const hasFilters = scheme.layers(model).length > 0;
    scheme.pi(model);
    const { params, flops } = compactAndCompare(model, entry);
    // A model without filters (the LSTM text classifier) is left as it is.
    if (hasFilters) {
      expect(params[1]).toBeLessThan(params[0]);
      expect(flops[1]).toBeLessThan(flops[0]);
    } else {
      expect(params[1]).toBe(params[0]);
    }
    dispose(model);
    leaks.check();
  });

  it('save -> loadModel and stock tf.loadLayersModel give the same outputs', async () => {
    const leaks = trackTensors();
    const model = built(entry);
    const dir = join(root, `${model.name}-f32`);
    await saveModel(model, dir);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    const bin = readFileSync(join(dir, WEIGHTS_BIN));
    const stock = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest[0].weights,
        weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
      }),
    );
    const loaded = await loadModel(dir);
    const x = entry.input(2);
    expect(relativeError(model, loaded, x)).toBe(0);
    expect(relativeError(model, stock, x)).toBe(0);
    x.dispose();
    dispose(model, loaded, stock);
    leaks.check();
  });

  it('Prune(0.1) saves smaller sparse than dense; int8 quantization round-trips exactly', async () => {
    const leaks = trackTensors();
    const model = built(entry);
    new Prune(0.1).pi(model);
    const dense = await saveModel(model, join(root, `${model.name}-dense`));
    const sparse = await saveModel(model, join(root, `${model.name}-sparse`), { format: 'sparse' });
    expect(sparse.weightsBytes).toBeLessThan(0.6 * dense.weightsBytes);
    const fromSparse = await loadModel(join(root, `${model.name}-sparse`));
    const x = entry.input(2);
    expect(relativeError(model, fromSparse, x)).toBe(0);

    new Quantize({ dtype: 'int8' }).pi(model);
    const int8 = await saveModel(model, join(root, `${model.name}-int8`));
    // The kernels really went out as 8 bits (float32 BN statistics and biases stay).
    expect(int8.weightsBytes).toBeLessThan(0.6 * dense.weightsBytes);
    const fromInt8 = await loadModel(join(root, `${model.name}-int8`));
    expect(relativeError(model, fromInt8, x)).toBe(0);
    x.dispose();
    dispose(model, fromSparse, fromInt8);
    leaks.check();
  });
});

describe('zoo: what is kept, and why', () => {
  it("NASNet's Add of a concatenation and a conv pins those channels instead of failing", () => {
    const model = built(zoo.find((z) => z.name === 'NASNet cells')!);
    new FilterPrune({ density: 0.5 }).pi(model);
    const { model: small, plan } = compactWithPlan(model);
    expect(plan.pinned.flatMap((p) => p.reasons).join('\n')).toMatch(
      /\(Add\): it merges inputs whose channels are grouped differently/,
    );
    expect(plan.removed.length).toBeGreaterThan(0);
    dispose(model, small);
  });

  it('group pruning lists the groups it left whole, with why', () => {
    const model = built(zoo.find((z) => z.name === 'NASNet cells')!);
    const { pinned } = filterPruneGroups(model, { density: 0.5 });
    const reasons = pinned.flatMap((p) => p.reasons).join('\n');
    expect(reasons).toMatch(/\(Add\): it merges inputs whose channels are grouped differently/);
    expect(reasons).toMatch(/model output/);
    dispose(model);
  });

  it("a siamese net's shared tower is counted per application, pruned, and kept whole by compact", () => {
    const leaks = trackTensors();
    const model = built(zoo.find((z) => z.name === 'Siamese shared tower')!);
    const shared = model.layers.filter((l) => l.inboundNodes.length === 2 && l.weights.length > 0);
    expect(shared.map((l) => l.getClassName()).sort()).toEqual(['BatchNormalization', 'Conv2D', 'Conv2D']);
    const [first] = shared;
    // Each application is a node of its own: the tower's FLOPs are counted twice.
    const flops = countFlops(model);
    const perApplication = flops.perLayer.filter((l) => l.name === first.name);
    expect(perApplication).toHaveLength(2);
    expect(perApplication[0].flops).toBeGreaterThan(0);
    expect(perApplication[1].flops).toBe(perApplication[0].flops);

    const prune = new Prune(0.5);
    prune.pi(model);
    expect(prune.lastReport?.skipped).toEqual([]);
    expect(prune.lastReport?.compressed.map((c) => c.layer)).toEqual(
      expect.arrayContaining(shared.filter((l) => l.getClassName() === 'Conv2D').map((l) => l.name)),
    );
    clearPruning(model);

    new FilterPrune({ density: 0.5 }).pi(model);
    const { model: small, plan } = compactWithPlan(model);
    expect(plan.pinned.flatMap((p) => p.reasons).join('\n')).toMatch(
      new RegExp(`'${first.name}' \\(Conv2D\\) is applied 2 times \\(a shared layer\\)`),
    );
    // The tower keeps all its filters; the unshared head loses half of its.
    for (const l of shared) expect(small.getLayer(l.name).countParams()).toBe(l.countParams());
    expect(small.countParams()).toBeLessThan(model.countParams());
    const x = zoo.find((z) => z.name === 'Siamese shared tower')!.input(2);
    expect(relativeError(model, small, x)).toBeLessThan(1e-5);
    x.dispose();
    dispose(model, small);
    leaks.check();
  });

  it('a layer with several outputs (an LSTM returning its states) is counted, pruned and compacted', () => {
    const leaks = trackTensors();
    const init = (seed: number) => tf.initializers.glorotUniform({ seed });
    const input = tf.input({ shape: [6, 4] });
    const lstm = tf.layers.lstm({ units: 5, returnState: true, kernelInitializer: init(1) });
    const [out, h, c] = lstm.apply(input) as tf.SymbolicTensor[];
    const merged = tf.layers.concatenate({}).apply([out, h, c]) as tf.SymbolicTensor;
    const hidden = tf.layers
      .dense({ units: 8, activation: 'relu', kernelInitializer: init(2) })
      .apply(merged) as tf.SymbolicTensor;
    const y = tf.layers.dense({ units: 2, kernelInitializer: init(3) }).apply(hidden) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: y });
    expect(countFlops(model).warnings).toEqual([]);
    const prune = new Prune(0.5);
    prune.pi(model);
    expect(prune.lastReport?.skipped).toEqual([]);
    const pins = dependencyGraph(model)
      .groups()
      .flatMap((g) => g.pins.map((p) => p.reason));
    expect(pins.join('\n')).toMatch(/it has 3 outputs/);
    const small = compact(model);
    const x = tf.randomNormal([2, 6, 4], 0, 1, 'float32', 3);
    expect(relativeError(model, small, x)).toBeLessThan(1e-5);
    x.dispose();
    dispose(model, small);
    leaks.check();
  });
});
