import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Compressor } from '../src/compressor/index.js';
import { DirectCompression } from '../src/optimizers/index.js';
import { clearPruning } from '../src/pruning/state.js';
import { NeuronPrune } from '../src/schemes/index.js';
import { trackTensors } from './helpers/leaks.js';

describe('Compressor result', () => {
  it("carries the scheme's report: densities per layer, the guard's warnings, skipped layers", async () => {
    const leaks = trackTensors();
    const init = (s: number) => tf.initializers.glorotUniform({ seed: s });
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [4], units: 6, name: 'wide', kernelInitializer: init(1) }),
        tf.layers.dense({ units: 4, name: 'narrow', kernelInitializer: init(2) }),
        tf.layers.dense({ units: 2, activation: 'softmax', name: 'out', kernelInitializer: init(3) }),
      ],
    });
    // 'narrow' is tiny: one shared threshold over neurons would empty it.
    const narrow = model.getLayer('narrow');
    const [k, b] = narrow.getWeights();
    const small = tf.mul(k, 1e-3);
    narrow.setWeights([small, b]);
    small.dispose();
    const xs = tf.randomNormal([16, 4], 0, 1, 'float32', 1);
    const ys = tf.tidy(() =>
      tf.oneHot(tf.tensor1d([0, 1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0, 0, 1, 0, 1], 'int32'), 2),
    );
    const result = await new Compressor({
      model,
      scheme: new NeuronPrune({ density: 0.5 }),
      optimizer: new DirectCompression(),
      trainData: { xs, ys },
      valData: { xs, ys },
      loss: 'categoricalCrossentropy',
    }).run();
    const r = result.schemeReport!;
    expect(r.compressed.map((c) => [c.layer, c.kept, c.total, c.guarded])).toEqual([
      ['wide', 5, 6, false],
      ['narrow', 1, 4, true],
    ]);
    expect(r.skipped.map((s) => [s.layer, s.cause])).toEqual([['out', 'output']]);
    expect(r.warnings).toEqual([expect.stringMatching(/all 4 neurons of 'narrow'/)]);
    clearPruning(result.model);
    result.model.dispose();
    model.dispose();
    tf.dispose([xs, ys]);
    leaks.check();
  });
});
