import * as tf from '@tensorflow/tfjs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError } from '../src/errors.js';
import { loadModel } from '../src/io/index.js';
import { trackTensors } from './helpers/leaks.js';

const root = mkdtempSync(join(tmpdir(), 'condensa-external-'));
let server: Server;
let base = '';

/** Serve `root` read-only on 127.0.0.1 at a free port (404 for anything missing). */
beforeAll(async () => {
  server = createServer((req, res) => {
    const path = join(root, normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
    try {
      const body = readFileSync(path);
      res.writeHead(200, {
        'content-type': extname(path) === '.json' ? 'application/json' : 'application/octet-stream',
      });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((ok) => server.close(ok));
  rmSync(root, { recursive: true, force: true });
});

/** Seeded values for a weight of `shape` (distinct per weight). */
const values = (shape: number[], seed: number): Float32Array =>
  tf.tidy(() => tf.randomUniform(shape, 0.1, 1, 'float32', seed).dataSync() as Float32Array);

/**
 * A model.json as `tensorflowjs_converter --input_format keras` writes it for a Keras 2 model:
 * the Keras topology (snake_case, Keras-only fields such as `groups`, `module`, `build_config`)
 * under `modelTopology.model_config`, weights named `layer/weight` in one shard.
 */
function writeKerasConvertedDir(dir: string): Map<string, { shape: number[]; data: Float32Array }> {
  const inbound = (name: string) => [[[name, 0, 0, {}]]];
  const layer = (class_name: string, name: string, config: object, from?: string) => ({
    module: 'keras.layers',
    class_name,
    config: { name, trainable: true, dtype: 'float32', ...config },
    registered_name: null,
    name,
    inbound_nodes: from ? inbound(from) : [],
  });
  const modelConfig = {
    class_name: 'Functional',
    config: {
      name: 'keras_net',
      trainable: true,
      layers: [
        layer('InputLayer', 'input_1', { batch_input_shape: [null, 6, 6, 2], sparse: false, ragged: false }),
        layer(
          'Conv2D',
          'conv2d',
          {
            filters: 4,
            kernel_size: [3, 3],
            strides: [1, 1],
            padding: 'valid',
            data_format: 'channels_last',
            dilation_rate: [1, 1],
            groups: 1,
            activation: 'relu',
            use_bias: true,
            kernel_initializer: {
              module: 'keras.initializers',
              class_name: 'GlorotUniform',
              config: { seed: null },
            },
            bias_initializer: { module: 'keras.initializers', class_name: 'Zeros', config: {} },
            kernel_regularizer: null,
            bias_regularizer: null,
            activity_regularizer: null,
            kernel_constraint: null,
            bias_constraint: null,
          },
          'input_1',
        ),
        layer(
          'BatchNormalization',
          'batch_normalization',
          { axis: [3], momentum: 0.99, epsilon: 0.001, center: true, scale: true },
          'conv2d',
        ),
        layer(
          'GlobalAveragePooling2D',
          'global_average_pooling2d',
          { data_format: 'channels_last', keepdims: false },
          'batch_normalization',
        ),
        layer(
          'Dense',
          'dense',
          { units: 3, activation: 'softmax', use_bias: true },
          'global_average_pooling2d',
        ),
      ],
      input_layers: [['input_1', 0, 0]],
      output_layers: [['dense', 0, 0]],
    },
  };
  const weights = new Map<string, { shape: number[]; data: Float32Array }>();
  const shapes: Array<[string, number[]]> = [
    ['conv2d/kernel', [3, 3, 2, 4]],
    ['conv2d/bias', [4]],
    ['batch_normalization/gamma', [4]],
    ['batch_normalization/beta', [4]],
    ['batch_normalization/moving_mean', [4]],
    ['batch_normalization/moving_variance', [4]],
    ['dense/kernel', [4, 3]],
    ['dense/bias', [3]],
  ];
  shapes.forEach(([name, shape], i) => weights.set(name, { shape, data: values(shape, 40 + i) }));
  mkdirSync(dir, { recursive: true });
  const bin = Buffer.concat([...weights.values()].map((w) => Buffer.from(w.data.buffer)));
  writeFileSync(join(dir, 'group1-shard1of1.bin'), bin);
  const model = {
    format: 'layers-model',
    generatedBy: 'keras v2.15.0',
    convertedBy: 'TensorFlow.js Converter v4.22.0',
    modelTopology: {
      keras_version: '2.15.0',
      backend: 'tensorflow',
      model_config: modelConfig,
      training_config: {
        loss: 'categorical_crossentropy',
        metrics: null,
        weighted_metrics: null,
        loss_weights: null,
      },
    },
    weightsManifest: [
      {
        paths: ['group1-shard1of1.bin'],
        weights: shapes.map(([name, shape]) => ({ name, shape, dtype: 'float32' })),
      },
    ],
  };
  writeFileSync(join(dir, 'model.json'), JSON.stringify(model));
  return weights;
}

/** The same network built with the tfjs layers API and given the same weights. */
function reference(weights: Map<string, { shape: number[]; data: Float32Array }>): tf.LayersModel {
  const x = tf.input({ shape: [6, 6, 2] });
  const c = tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu' }).apply(x);
  const b = tf.layers.batchNormalization({ epsilon: 0.001 }).apply(c);
  const g = tf.layers.globalAveragePooling2d({}).apply(b);
  const model = tf.model({
    inputs: x,
    outputs: tf.layers.dense({ units: 3, activation: 'softmax' }).apply(g) as tf.SymbolicTensor,
  });
  // Layer by layer: model.setWeights orders trainable weights before BN's moving statistics.
  const ws = [...weights.values()].map((w) => tf.tensor(w.data, w.shape));
  let at = 0;
  for (const l of model.layers) {
    l.setWeights(ws.slice(at, at + l.weights.length));
    at += l.weights.length;
  }
  tf.dispose(ws);
  return model;
}

/** A directory as tfjs `model.save()` writes it (through an IO handler writing tfjs's layout). */
async function writeTfjsSavedDir(model: tf.LayersModel, dir: string): Promise<void> {
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'weights.bin'), Buffer.from(artifacts.weightData as ArrayBuffer));
      const json = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}

function expectSamePredictions(a: tf.LayersModel, b: tf.LayersModel): void {
  tf.tidy(() => {
    const x = tf.randomNormal([3, 6, 6, 2], 0, 1, 'float32', 9);
    const ya = (a.predict(x) as tf.Tensor).dataSync();
    const yb = (b.predict(x) as tf.Tensor).dataSync();
    expect(Array.from(yb)).toEqual(Array.from(ya));
  });
}

describe('loadModel: models from outside', () => {
  it('reads a tensorflowjs_converter Keras-2 directory, from disk and over http', async () => {
    const leaks = trackTensors();
    const weights = writeKerasConvertedDir(join(root, 'keras'));
    const ref = reference(weights);
    for (const where of [join(root, 'keras'), `${base}/keras/`, `${base}/keras/model.json`]) {
      const model = await loadModel(where);
      expect(model.layers.map((l) => l.getClassName())).toEqual([
        'InputLayer',
        'Conv2D',
        'BatchNormalization',
        'GlobalAveragePooling2D',
        'Dense',
      ]);
      expectSamePredictions(ref, model);
      model.dispose();
    }
    ref.dispose();
    leaks.check();
  });

  it('reads a directory tfjs model.save() wrote, from disk and over http', async () => {
    const leaks = trackTensors();
    const ref = reference(writeKerasConvertedDir(join(root, 'keras2')));
    await writeTfjsSavedDir(ref, join(root, 'tfjs'));
    for (const where of [join(root, 'tfjs'), `${base}/tfjs`]) {
      const model = await loadModel(where);
      expectSamePredictions(ref, model);
      model.dispose();
    }
    ref.dispose();
    leaks.check();
  });

  it('names the missing file of a URL and checks the weights size', async () => {
    await expect(loadModel(`${base}/nowhere/`)).rejects.toThrow(DataError);
    await expect(loadModel(`${base}/nowhere/`)).rejects.toThrow(/\/nowhere\/model\.json not found/);
    const dir = join(root, 'short');
    writeKerasConvertedDir(dir);
    const bin = join(dir, 'group1-shard1of1.bin');
    writeFileSync(bin, readFileSync(bin).subarray(0, 40));
    await expect(loadModel(`${base}/short/`)).rejects.toThrow(/hold 40 bytes but the manifest describes/);
  });
});
