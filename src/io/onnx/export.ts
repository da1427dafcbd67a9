import * as tf from '@tensorflow/tfjs';
import protobuf from 'protobufjs';
import { LayerError } from '../../errors.js';
import { ATTR, FLOAT, ONNX_SCHEMA } from './onnx-schema.js';

/** A tensor of the ONNX graph: its name and whether it is a 4-D tensor in ONNX's NCHW order. */
interface Value {
  name: string;
  nchw: boolean;
}

type Attr = { name: string; type: number; i?: number; f?: number; s?: Uint8Array; ints?: number[] };
interface Node {
  opType: string;
  input: string[];
  output: string[];
  name: string;
  attribute: Attr[];
}
interface Initializer {
  name: string;
  dims: number[];
  dataType: number;
  rawData: Uint8Array;
}

const int = (name: string, i: number): Attr => ({ name, type: ATTR.INT, i });
const ints = (name: string, v: number[]): Attr => ({ name, type: ATTR.INTS, ints: v });
const float = (name: string, f: number): Attr => ({ name, type: ATTR.FLOAT, f });
const str = (name: string, s: string): Attr => ({ name, type: ATTR.STRING, s: new TextEncoder().encode(s) });
const pair = (v: number | number[]): number[] => (Array.isArray(v) ? v : [v, v]);

/** Builds the node list and weights of one graph; layers add themselves through it. */
class GraphBuilder {
  readonly nodes: Node[] = [];
  readonly initializers: Initializer[] = [];

  node(opType: string, input: string[], name: string, attribute: Attr[] = []): string {
    this.nodes.push({ opType, input, output: [name], name, attribute });
    return name;
  }

  weight(name: string, t: tf.Tensor): string {
    const data = t.dataSync() as Float32Array;
    const rawData = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    this.initializers.push({ name, dims: t.shape, dataType: FLOAT, rawData });
    return name;
  }

  /** A tfjs fused activation after `x` (none for linear). */
  activation(x: Value, activation: string | undefined, name: string): Value {
    const op = { relu: 'Relu', sigmoid: 'Sigmoid', tanh: 'Tanh', softmax: 'Softmax' }[activation ?? 'linear'];
    if (activation === undefined || activation === 'linear') return x;
    if (!op)
      throw new LayerError(
        `ONNX export: layer '${name}' has activation '${activation}', which the exporter does not map; use relu, sigmoid, tanh, softmax or linear`,
      );
    const attrs = op === 'Softmax' ? [int('axis', x.nchw ? 1 : -1)] : [];
    return { name: this.node(op, [x.name], `${name}/${activation}`, attrs), nchw: x.nchw };
  }
}

/** Convert one layer; returns its output. */
function convertLayer(g: GraphBuilder, layer: tf.layers.Layer, inputs: Value[]): Value {
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

const shapeOf = (shape: (number | null)[]) => ({
  dim: shape.map((d) => (d === null ? { dimParam: 'N' } : { dimValue: d })),
});

/**
 * Convert a tfjs LayersModel (e.g. a compacted one) to an ONNX model (opset 13), as the bytes
 * of a `.onnx` file. Inputs and outputs keep tfjs's NHWC order, so the same arrays feed both;
 * inside, images are transposed once to ONNX's NCHW. Throws a `LayerError` naming the first
 * layer it cannot map.
 *
 * @example
 * ```ts
 * writeFileSync('lenet5.onnx', toOnnx(await loadPretrained('lenet5-mnist')));
 * // onnxruntime: (await session.run({ input: nhwcTensor })).output
 * ```
 */
export function toOnnx(model: tf.LayersModel, opts: { producerVersion?: string } = {}): Uint8Array {
  if (model.inputs.length !== 1 || model.outputs.length !== 1)
    throw new LayerError(
      `ONNX export: model '${model.name}' has ${model.inputs.length} inputs and ${model.outputs.length} outputs; one of each is supported`,
    );
  const g = new GraphBuilder();
  const values = new Map<string, Value>();
  const input = model.inputs[0];
  const inputLayer = input.sourceLayer.name;
  values.set(inputLayer, {
    name:
      input.rank === 4 ? g.node('Transpose', ['input'], 'input/nchw', [ints('perm', [0, 3, 1, 2])]) : 'input',
    nchw: input.rank === 4,
  });
  for (const layer of model.layers) {
    if (layer.getClassName() === 'InputLayer') continue;
    if (layer.inboundNodes.length !== 1)
      throw new LayerError(
        `ONNX export: layer '${layer.name}' is used ${layer.inboundNodes.length} times; shared layers are not supported`,
      );
    const inbound = layer.inboundNodes[0].inboundLayers.map((l) => {
      const v = values.get(l.name);
      if (!v)
        throw new LayerError(`ONNX export: layer '${layer.name}' reads '${l.name}', which was not converted`);
      return v;
    });
    values.set(layer.name, convertLayer(g, layer, inbound));
  }
  const last = values.get(model.outputs[0].sourceLayer.name)!;
  const outName = last.nchw
    ? g.node('Transpose', [last.name], 'output/nhwc', [ints('perm', [0, 2, 3, 1])])
    : last.name;
  g.node('Identity', [outName], 'output');
  const root = protobuf.Root.fromJSON(ONNX_SCHEMA);
  const Model = root.lookupType('onnx.ModelProto');
  const tensor = (shape: (number | null)[]) => ({ tensorType: { elemType: FLOAT, shape: shapeOf(shape) } });
  const message = Model.fromObject({
    irVersion: 7,
    producerName: 'condensa-ts',
    producerVersion: opts.producerVersion ?? '0.1.0',
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: model.name,
      node: g.nodes,
      initializer: g.initializers,
      input: [{ name: 'input', type: tensor(input.shape) }],
      output: [{ name: 'output', type: tensor(model.outputs[0].shape) }],
    },
  });
  return Model.encode(message).finish();
}
