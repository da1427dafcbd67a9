import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { compact, filterPruneGroups, foldForInference, producedBy } from '../src/graph/index.js';
import { resnet20, seedNet } from '../src/models/index.js';
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

const classNames = (m: tf.LayersModel): string[] => m.layers.map((l) => l.getClassName());

/** Folds `model` and checks the outputs on a random batch to 1e-5 relative. */
function foldAndCheck(model: tf.LayersModel, shape = [4, 32, 32, 3]): ReturnType<typeof foldForInference> {
  const folded = foldForInference(model);
  const x = randomInput(shape, 21);
  expect(maxRelativeError(model, folded.model, x)).toBeLessThanOrEqual(1e-5);
  x.dispose();
  return folded;
}

/**
 * MobileNet-v2 inverted residual blocks (expand 1x1 + BN + ReLU6, depthwise + BN + ReLU6, project
 * + BN), then a MobileNet-v1-style separable conv + BN + ReLU with depth multiplier 2.
 */
function mobileNetV2Style(): tf.LayersModel {
  const block = (x: Sym, tag: string, channels: number, expand: number, residual: boolean): Sym => {
    let y = conv(`${tag}_expand`, channels * expand, { kernelSize: 1, useBias: false }).apply(x) as Sym;
    y = tf.layers.batchNormalization({ name: `${tag}_expand_bn` }).apply(y) as Sym;
    y = tf.layers.reLU({ name: `${tag}_expand_relu`, maxValue: 6 }).apply(y) as Sym;
    y = tf.layers
      .depthwiseConv2d({ name: `${tag}_dw`, kernelSize: 3, padding: 'same', depthwiseInitializer: init() })
      .apply(y) as Sym;
    y = tf.layers.batchNormalization({ name: `${tag}_dw_bn` }).apply(y) as Sym;
    y = tf.layers.reLU({ name: `${tag}_dw_relu`, maxValue: 6 }).apply(y) as Sym;
    y = conv(`${tag}_project`, channels, { kernelSize: 1, useBias: false }).apply(y) as Sym;
    y = tf.layers.batchNormalization({ name: `${tag}_project_bn` }).apply(y) as Sym;
    return residual ? (tf.layers.add({ name: `${tag}_add` }).apply([x, y]) as Sym) : y;
  };
  return functional(
    [32, 32, 3],
    (x) => {
      let y = conv('stem', 8, { strides: 2, padding: 'same', useBias: false }).apply(x) as Sym;
      y = tf.layers.batchNormalization({ name: 'stem_bn' }).apply(y) as Sym;
      y = tf.layers.activation({ name: 'stem_relu', activation: 'relu6' }).apply(y) as Sym;
      y = block(y, 'b1', 8, 4, true);
      y = block(y, 'b2', 8, 6, true);
      y = tf.layers
        .separableConv2d({
          name: 'sep',
          filters: 8,
          kernelSize: 3,
          padding: 'same',
          depthMultiplier: 2,
          depthwiseInitializer: init(),
          pointwiseInitializer: init(),
        })
        .apply(y) as Sym;
      y = tf.layers.batchNormalization({ name: 'sep_bn' }).apply(y) as Sym;
      y = tf.layers.reLU({ name: 'sep_relu' }).apply(y) as Sym;
      y = tf.layers.reshape({ name: 'noop_reshape', targetShape: [16, 16, 8] }).apply(y) as Sym;
      y = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(y) as Sym;
      y = tf.layers.dropout({ name: 'drop', rate: 0.2 }).apply(y) as Sym;
      return tf.layers
        .dense({ name: 'out', units: 10, activation: 'softmax', kernelInitializer: init() })
        .apply(y) as Sym;
    },
    'mobilenet_v2_style',
  );
}

describe('foldForInference', () => {
  it('seedNet: each BN after pooling folds forward into the next valid conv / through Flatten into fc1', () => {
    const leaks = trackTensors();
    const model = seedNet({ width: 0.25, seed: 3 });
    randomizeBiasesAndNorms(model, 4);
    const { model: folded, report } = foldAndCheck(model);
    expect(report.batchNorms).toEqual([
      { batchNorm: 'bn1', into: 'conv2' },
      { batchNorm: 'bn2', into: 'conv3' },
      { batchNorm: 'bn3', into: 'fc1' },
    ]);
    expect(folded.getClassName()).toBe('Sequential');
    expect(classNames(folded)).not.toContain('BatchNormalization');
    disposeAll(model, folded);
    leaks.check();
  });

  it('resnet20: all 21 BNs fold into their convolutions and the ReLUs after them fuse in', () => {
    const leaks = trackTensors();
    const model = resnet20({ seed: 5 });
    randomizeBiasesAndNorms(model, 6);
    const { model: folded, report } = foldAndCheck(model);
    expect(report.batchNorms).toHaveLength(21);
    expect(report.batchNorms).toContainEqual({ batchNorm: 's1b1_bn2', into: 's1b1_conv2' });
    expect(report.batchNorms).toContainEqual({ batchNorm: 's3b1_proj_bn', into: 's3b1_proj' });
    // relu1 and the first ReLU of each of the 9 blocks follow a conv; the ReLUs after Adds stay.
    expect(report.activations).toHaveLength(10);
    expect(folded.getLayer('s2b1_conv1').getConfig().activation).toBe('relu');
    expect(classNames(folded).filter((c) => c === 'ReLU')).toHaveLength(9);
    disposeAll(model, folded);
    leaks.check();
  });

  it('a MobileNet-v2-style model: BN folds into 1x1 and depthwise convs, Dropout and the no-op Reshape go', () => {
    const leaks = trackTensors();
    const model = mobileNetV2Style();
    randomizeBiasesAndNorms(model, 7);
    const { model: folded, report } = foldAndCheck(model);
    expect(report.batchNorms).toHaveLength(8);
    expect(report.batchNorms).toContainEqual({ batchNorm: 'b1_dw_bn', into: 'b1_dw' });
    expect(report.batchNorms).toContainEqual({ batchNorm: 'sep_bn', into: 'sep' });
    expect(report.identities.sort()).toEqual(['drop', 'noop_reshape']);
    expect(report.activations.map((a) => a.into)).toContain('stem');
    // ReLU6 is left a layer (a fused relu6 is slower on wasm than the layer's ClipByValue).
    expect(folded.getLayer('b2_dw').getConfig().activation).toBe('linear');
    expect(classNames(folded)).toContain('ReLU');
    expect(classNames(folded)).toEqual(
      expect.not.arrayContaining(['BatchNormalization', 'Dropout', 'Reshape']),
    );
    disposeAll(model, folded);
    leaks.check();
  });

  it("leaves a BN that no neighbour can absorb exactly: before a 'same' conv, after a ReLU", () => {
    const model = functional([8, 8, 3], (x) => {
      let y = conv('a', 4, { activation: 'relu' }).apply(x) as Sym;
      y = tf.layers.batchNormalization({ name: 'bn' }).apply(y) as Sym;
      return conv('b', 4, { padding: 'same' }).apply(y) as Sym;
    });
    randomizeBiasesAndNorms(model, 8);
    const { model: folded, report } = foldAndCheck(model, [2, 8, 8, 3]);
    expect(report.batchNorms).toEqual([]);
    expect(classNames(folded)).toContain('BatchNormalization');
    disposeAll(model, folded);
  });

  it('compact(model, { fold: true }) after group pruning equals the masked model', () => {
    const leaks = trackTensors();
    const model = resnet20({ seed: 9 });
    randomizeBiasesAndNorms(model, 10);
    filterPruneGroups(model, { density: 0.5, scope: 'group', include: producedBy('Conv2D') });
    const small = compact(model, { fold: true });
    const x = randomInput([4, 32, 32, 3], 22);
    expect(maxRelativeError(model, small, x)).toBeLessThanOrEqual(1e-5);
    expect(small.getLayer('conv1').weights[0].shape).toEqual([3, 3, 3, 8]);
    expect(classNames(small)).not.toContain('BatchNormalization');
    x.dispose();
    disposeAll(model, small);
    leaks.check();
  });
});
