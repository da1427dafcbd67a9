import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CIFAR10_MEAN, CIFAR10_STD, loadCifar10, stratifiedSubset, toTensors } from '../src/data/index.js';
import { compactWithPlan, countFlops, filterPruneGroups } from '../src/graph/index.js';
import { MODEL_JSON, WEIGHTS_BIN, saveModel } from '../src/io/index.js';
import { resnet20, seedNet, vggNet } from '../src/models/index.js';
import { isPruned, prune } from '../src/pruning/index.js';
import {
  type Sym,
  conv,
  disposeAll,
  functional,
  init,
  maxRelativeError,
  randomInput,
  randomizeBiasesAndNorms,
} from './graph-fixtures.js';
import { trackTensors } from './helpers/leaks.js';

// Real CIFAR-10 test images (2 per class), normalised as the models are trained.
let real: tf.Tensor4D;
beforeAll(async () => {
  const cifar = await loadCifar10();
  const subset = stratifiedSubset(cifar.test, { perClass: 2, seed: 5 });
  const { xs, ys } = toTensors(subset, {
    normalize: 'standard',
    mean: CIFAR10_MEAN,
    std: CIFAR10_STD,
    numClasses: 10,
  });
  ys.dispose();
  real = xs;
});
afterAll(() => real.dispose());

/** Compacts `model`, checks outputs on random and real inputs, returns the compacted model. */
function compactAndCheck(model: tf.LayersModel): { small: tf.LayersModel; removed: number } {
  const { model: small, plan } = compactWithPlan(model);
  const noise = randomInput([4, 32, 32, 3], 11);
  expect(maxRelativeError(model, small, noise)).toBeLessThanOrEqual(1e-5);
  expect(maxRelativeError(model, small, real)).toBeLessThanOrEqual(1e-5);
  noise.dispose();
  return { small, removed: plan.removed.reduce((s, r) => s + r.removed, 0) };
}

const kernelShape = (m: tf.LayersModel, layer: string): number[] =>
  m.getLayer(layer).weights[0].shape as number[];

describe('compaction of the project models equals the masked model', () => {
  it("seedNet: torch's random_structured on conv1 (weights only), BN after pooling folds into conv2", () => {
    const leaks = trackTensors();
    const model = seedNet({ width: 0.25, seed: 1 });
    randomizeBiasesAndNorms(model, 2);
    prune.randomStructured(model.getLayer('conv1'), 'kernel', 0.41479, 'out', { seed: 3 });
    const kernelBefore = tf.tidy(() => model.getLayer('conv1').getWeights()[0].sum().dataSync()[0]);
    const { small, removed } = compactAndCheck(model);
    // round(0.41479 * 64) = 27 filters go: conv1 keeps 37 and conv2 reads 37 channels.
    expect(removed).toBe(27);
    expect(kernelShape(small, 'conv1')).toEqual([3, 3, 3, 37]);
    expect(kernelShape(small, 'conv2')).toEqual([3, 3, 37, 128]);
    expect(small.getLayer('bn1').weights[0].shape).toEqual([37]);
    expect(countFlops(small).total).toBeLessThan(countFlops(model).total);
    // The input model is untouched: same shapes, same weights, still pruned.
    expect(kernelShape(model, 'conv1')).toEqual([3, 3, 3, 64]);
    expect(tf.tidy(() => model.getLayer('conv1').getWeights()[0].sum().dataSync()[0])).toBe(kernelBefore);
    expect(isPruned(model.getLayer('conv1'), 'kernel')).toBe(true);
    disposeAll(model, small);
    leaks.check();
  });

  it('seedNet: L1 structured on conv1 and group pruning everywhere, through Flatten into fc1', () => {
    const leaks = trackTensors();
    const model = seedNet({ width: 0.25, seed: 4 });
    randomizeBiasesAndNorms(model, 5);
    prune.lnStructured(model.getLayer('conv1'), 'kernel', 0.41479, 1, 'out');
    filterPruneGroups(model, { density: 0.5, scope: 'group', criteria: 'l1' });
    const { small } = compactAndCheck(model);
    expect(kernelShape(small, 'conv3')).toEqual([3, 3, 64, 128]);
    // fc1 reads h*w = 2*2 entries per surviving conv3 channel.
    expect(kernelShape(small, 'fc1')).toEqual([4 * 128, 256]);
    expect(kernelShape(small, 'fc3')).toEqual([64, 10]);
    disposeAll(model, small);
    leaks.check();
  });

  it('vggNet with global group pruning and align 8', () => {
    const model = vggNet({ width: 0.25, seed: 2 });
    randomizeBiasesAndNorms(model, 6);
    const result = filterPruneGroups(model, { density: 0.4, align: 8 });
    expect(result.groups.every((g) => g.kept % 8 === 0 || g.kept === g.size)).toBe(true);
    const { small, removed } = compactAndCheck(model);
    expect(removed).toBeGreaterThan(0);
    for (const l of small.layers.filter((x) => x.getClassName() === 'Conv2D')) {
      expect((l.weights[0].shape[3] as number) % 8).toBe(0);
    }
    disposeAll(model, small);
  });

  it('resnet20: identity and projection shortcuts pruned as one group per stage', () => {
    const model = resnet20({ width: 0.5, seed: 3 });
    randomizeBiasesAndNorms(model, 7);
    filterPruneGroups(model, { density: 0.5, scope: 'group' });
    const { small } = compactAndCheck(model);
    // Stage 2 of width-0.5 resnet20 has 16 channels; every tensor of the stage keeps 8.
    for (const name of ['s2b1_conv1', 's2b1_conv2', 's2b1_proj', 's2b2_conv2', 's2b3_conv2']) {
      expect(kernelShape(small, name)[3]).toBe(8);
    }
    expect(kernelShape(small, 's3b1_proj')).toEqual([1, 1, 8, 16]);
    expect(kernelShape(small, 'fc')).toEqual([16, 10]);
    disposeAll(model, small);
  });

  it('resnet20: a channel pruned in only one branch of a stage is kept', () => {
    const model = resnet20({ width: 0.5, seed: 3 });
    randomizeBiasesAndNorms(model, 8);
    prune.lnStructured(model.getLayer('s1b1_conv2'), 'kernel', 0.5, 2, 'out');
    const { small } = compactAndCheck(model);
    expect(kernelShape(small, 's1b1_conv2')).toEqual(kernelShape(model, 's1b1_conv2'));
    disposeAll(model, small);
  });

  it('a model with Concatenate (Inception-style branches)', () => {
    const model = functional([32, 32, 3], (x) => {
      const a = conv('a', 8, { activation: 'relu' }).apply(x) as Sym;
      const b = conv('b', 6, { activation: 'relu', kernelSize: 1, padding: 'valid', strides: 1 }).apply(
        tf.layers.cropping2D({ name: 'crop', cropping: [1, 1] }).apply(x) as Sym,
      ) as Sym;
      const cat = tf.layers.concatenate({ name: 'cat' }).apply([a, b]) as Sym;
      const n = tf.layers.batchNormalization({ name: 'bn' }).apply(cat) as Sym;
      const c = conv('c', 10, { strides: 2 }).apply(n) as Sym;
      const g = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(c) as Sym;
      return tf.layers
        .dense({ name: 'out', units: 10, activation: 'softmax', kernelInitializer: init() })
        .apply(g) as Sym;
    });
    randomizeBiasesAndNorms(model, 9);
    prune.lnStructured(model.getLayer('a'), 'kernel', 0.5, 2, 'out');
    prune.lnStructured(model.getLayer('b'), 'kernel', 0.5, 2, 'out');
    const { small, removed } = compactAndCheck(model);
    expect(removed).toBe(7);
    expect(kernelShape(small, 'c')).toEqual([3, 3, 7, 10]);
    expect(small.getLayer('bn').weights[0].shape).toEqual([7]);
    disposeAll(model, small);
  });

  it('a depthwise-separable model (MobileNet-style)', () => {
    const model = functional([32, 32, 3], (x) => {
      let y = conv('stem', 16, { strides: 2, padding: 'same' }).apply(x) as Sym;
      y = tf.layers.batchNormalization({ name: 'stem_bn' }).apply(y) as Sym;
      y = tf.layers.reLU({ name: 'stem_relu', maxValue: 6 }).apply(y) as Sym;
      y = tf.layers
        .depthwiseConv2d({ name: 'dw', kernelSize: 3, padding: 'same', depthwiseInitializer: init() })
        .apply(y) as Sym;
      y = tf.layers.batchNormalization({ name: 'dw_bn' }).apply(y) as Sym;
      y = tf.layers.reLU({ name: 'dw_relu' }).apply(y) as Sym;
      y = tf.layers
        .separableConv2d({
          name: 'sep',
          filters: 24,
          kernelSize: 3,
          padding: 'same',
          depthwiseInitializer: init(),
          pointwiseInitializer: init(),
        })
        .apply(y) as Sym;
      y = tf.layers.batchNormalization({ name: 'sep_bn' }).apply(y) as Sym;
      y = tf.layers.reLU({ name: 'sep_relu' }).apply(y) as Sym;
      y = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(y) as Sym;
      return tf.layers
        .dense({ name: 'out', units: 10, activation: 'softmax', kernelInitializer: init() })
        .apply(y) as Sym;
    });
    randomizeBiasesAndNorms(model, 10);
    filterPruneGroups(model, { density: 0.5, scope: 'group' });
    const { small } = compactAndCheck(model);
    expect(kernelShape(small, 'stem')).toEqual([3, 3, 3, 8]);
    expect(small.getLayer('dw').weights[0].shape).toEqual([3, 3, 8, 1]);
    expect(small.getLayer('sep').weights[1].shape).toEqual([1, 1, 8, 12]);
    disposeAll(model, small);
  });
});

describe('the compacted model saves and loads with stock tfjs', () => {
  it('round-trips through tf.io.withSaveHandler / tf.io.fromMemory and through saveModel files', async () => {
    const leaks = trackTensors();
    const model = seedNet({ width: 0.25, seed: 6 });
    randomizeBiasesAndNorms(model, 12);
    prune.randomStructured(model.getLayer('conv1'), 'kernel', 0.41479, 'out', { seed: 1 });
    filterPruneGroups(model, { density: 0.6, scope: 'group' });
    const { small } = compactAndCheck(model);

    let artifacts: tf.io.ModelArtifacts | undefined;
    await small.save(
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const fromMemory = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));
    expect(maxRelativeError(model, fromMemory, real)).toBeLessThanOrEqual(1e-5);

    const dir = await mkdtemp(join(tmpdir(), 'condensa-compact-'));
    try {
      await saveModel(small, join(dir, 'm'));
      const json = JSON.parse(await readFile(join(dir, 'm', MODEL_JSON), 'utf8'));
      const weights = await readFile(join(dir, 'm', WEIGHTS_BIN));
      const loaded = await tf.loadLayersModel(
        tf.io.fromMemory({
          modelTopology: json.modelTopology,
          weightSpecs: json.weightsManifest[0].weights,
          weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
        }),
      );
      expect(maxRelativeError(model, loaded, real)).toBeLessThanOrEqual(1e-5);
      expect(kernelShape(loaded, 'conv1')).toEqual(kernelShape(small, 'conv1'));
      loaded.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    disposeAll(model, small, fromMemory);
    leaks.check();
  });
});
