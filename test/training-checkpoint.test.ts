import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { loadMnist, MNIST_MEAN, MNIST_STD, stratifiedSubset } from '../src/data/index.js';
import { DataError } from '../src/errors.js';
import { lenet5 } from '../src/models/index.js';
import { trainClassifier, type TrainOptions } from '../src/training/index.js';
import { trackTensors } from './helpers/leaks.js';

const weightsOf = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));

describe('condensa train checkpoints', () => {
  it('a run that crashed in its second epoch resumes from the first and ends bit-exactly', async () => {
    const mnist = await loadMnist();
    const data = { ...mnist, train: stratifiedSubset(mnist.train, { perClass: 16, seed: 1 }) };
    const leaks = trackTensors();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'condensa-train-ckpt-'));
    const options = (model: tf.LayersModel): TrainOptions => ({
      model,
      data,
      epochs: 2,
      batchSize: 32,
      optimizer: 'sgd',
      lr: 0.02,
      mean: MNIST_MEAN,
      std: MNIST_STD,
      seed: 4,
    });
    const done = (m: tf.LayersModel) => {
      m.optimizer.dispose();
      m.dispose();
    };

    const full = lenet5({ seed: 0 });
    await trainClassifier(options(full));

    const crashed = lenet5({ seed: 0 });
    const crash = trainClassifier({
      ...options(crashed),
      checkpointDir: dir,
      onProgress: (p) => {
        if (p.epoch === 2 && p.batch === 2) throw new Error('simulated crash');
      },
    });
    await expect(crash).rejects.toThrow('simulated crash');
    done(crashed);

    const resumed = lenet5({ seed: 0 });
    const record = await trainClassifier({ ...options(resumed), checkpointDir: dir });
    expect(record.resumedFromEpoch).toBe(1);
    expect(record.history.map((h) => h.epoch)).toEqual([1, 2]);
    expect(weightsOf(resumed)).toEqual(weightsOf(full));
    // The first epoch's result is what was restored: a fresh model would not match.
    const fresh = lenet5({ seed: 0 });
    expect(weightsOf(resumed)).not.toEqual(weightsOf(fresh));
    fresh.dispose();

    // Other settings are refused rather than mixed in.
    const other = lenet5({ seed: 0 });
    await expect(trainClassifier({ ...options(other), lr: 0.03, checkpointDir: dir })).rejects.toThrow(
      DataError,
    );
    done(other);
    done(full);
    done(resumed);
    fs.rmSync(dir, { recursive: true, force: true });
    // tfjs's MomentumOptimizer.dispose() leaves its momentum scalar alive: one per SGD run (4).
    leaks.check(4);
  });
});
