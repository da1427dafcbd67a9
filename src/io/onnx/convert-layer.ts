import * as tf from '@tensorflow/tfjs';
import { LayerError } from '../../errors.js';
import { type Attr, float, type GraphBuilder, int, ints, pair, str, type Value } from './graph-builder.js';

/** Convert one layer; returns its output. */
export function convertLayer(g: GraphBuilder, layer: tf.layers.Layer, inputs: Value[]): Value {
  const c = layer.getConfig() as Record<string, never>;
  const name = layer.name;
  const cls = layer.getClassName();
  const [x] = inputs;
  const w = layer.getWeights();
  const needNchw = (): void => {
    if (!x.nchw) throw new LayerError(`ONNX export: layer '${name}' (${cls}) expects a 4-D image tensor`);
  };
  const padding = (): Attr[] => (c.padding === 'same' ? [str('auto_pad', 'SAME_UPPER')] : []);
  switch (cls) {
    case 'Conv2D': {
      needNchw();
      // tfjs kernels are [kh, kw, in, out]; ONNX wants [out, in, kh, kw].
      const kernel = tf.tidy(() => tf.transpose(w[0], [3, 2, 0, 1]));
      const ins = [x.name, g.weight(`${name}/kernel`, kernel)];
      kernel.dispose();
      if (c.useBias) ins.push(g.weight(`${name}/bias`, w[1]));
      const out = g.node('Conv', ins, `${name}/conv`, [
        ints('kernel_shape', pair(c.kernelSize)),
        ints('strides', pair(c.strides)),
        ints('dilations', pair(c.dilationRate)),
        ...padding(),
      ]);
      return g.activation({ name: out, nchw: true }, c.activation, name);
    }
    case 'Dense': {
      if (x.nchw)
        throw new LayerError(
          `ONNX export: Dense layer '${name}' on a 4-D tensor is not supported; flatten first`,
        );
      const bias = c.useBias ? w[1] : tf.zeros([c.units]);
      const out = g.node(
        'Gemm',
        [x.name, g.weight(`${name}/kernel`, w[0]), g.weight(`${name}/bias`, bias)],
        `${name}/gemm`,
      );
      if (!c.useBias) bias.dispose();
      return g.activation({ name: out, nchw: false }, c.activation, name);
    }
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      needNchw();
      const op = cls === 'MaxPooling2D' ? 'MaxPool' : 'AveragePool';
      const attrs = [
        ints('kernel_shape', pair(c.poolSize)),
        ints('strides', pair(c.strides ?? c.poolSize)),
        ...padding(),
      ];
      return { name: g.node(op, [x.name], `${name}/pool`, attrs), nchw: true };
    }
    case 'GlobalAveragePooling2D': {
      needNchw();
      const pooled = g.node('GlobalAveragePool', [x.name], `${name}/pool`);
      return { name: g.node('Flatten', [pooled], `${name}/flatten`, [int('axis', 1)]), nchw: false };
    }
    case 'Flatten': {
      // tfjs flattens NHWC (channels fastest): go back to that order first.
      const source = x.nchw
        ? g.node('Transpose', [x.name], `${name}/nhwc`, [ints('perm', [0, 2, 3, 1])])
        : x.name;
      return { name: g.node('Flatten', [source], `${name}/flatten`, [int('axis', 1)]), nchw: false };
    }
    case 'BatchNormalization': {
      const axis = c.axis as number;
      if (!(axis === -1 || axis === 3 || (!x.nchw && axis === 1)))
        throw new LayerError(
          `ONNX export: BatchNormalization '${name}' normalises axis ${axis}; only the channel axis is supported`,
        );
      const byName = Object.fromEntries(layer.weights.map((v, i) => [v.originalName.split('/').pop(), w[i]]));
      const units = byName.moving_mean.shape[0];
      const made: tf.Tensor[] = [];
      const gamma = byName.gamma ?? made[made.push(tf.ones([units])) - 1];
      const beta = byName.beta ?? made[made.push(tf.zeros([units])) - 1];
      const ins = [
        x.name,
        ...[gamma, beta, byName.moving_mean, byName.moving_variance].map((t, i) =>
          g.weight(`${name}/${['scale', 'bias', 'mean', 'var'][i]}`, t),
        ),
      ];
      tf.dispose(made);
      return {
        name: g.node('BatchNormalization', ins, `${name}/bn`, [float('epsilon', c.epsilon)]),
        nchw: x.nchw,
      };
    }
    case 'Activation':
      return g.activation(x, c.activation, name);
    case 'ReLU':
      return { name: g.node('Relu', [x.name], `${name}/relu`), nchw: x.nchw };
    case 'Softmax':
      return {
        name: g.node('Softmax', [x.name], `${name}/softmax`, [int('axis', x.nchw ? 1 : -1)]),
        nchw: x.nchw,
      };
    case 'Dropout':
      return x;
    case 'Add': {
      let sum = inputs[0].name;
      inputs.slice(1).forEach((v, i) => (sum = g.node('Add', [sum, v.name], `${name}/add${i}`)));
      return { name: sum, nchw: x.nchw };
    }
    case 'Concatenate': {
      const axis = c.axis as number;
      const onnxAxis = x.nchw ? (axis === -1 || axis === 3 ? 1 : axis === 1 ? 2 : 3) : axis;
      return {
        name: g.node(
          'Concat',
          inputs.map((v) => v.name),
          `${name}/concat`,
          [int('axis', onnxAxis)],
        ),
        nchw: x.nchw,
      };
    }
    default:
      throw new LayerError(
        `ONNX export: layer '${name}' is a ${cls}, which the exporter does not map; supported: Conv2D, Dense, MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D, Flatten, BatchNormalization, Activation, ReLU, Softmax, Dropout, Add, Concatenate`,
      );
  }
}
