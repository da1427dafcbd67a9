import * as tf from '@tensorflow/tfjs';
import { LayerError } from '../../errors.js';
import { ATTR, FLOAT } from './onnx-schema.js';

/** A tensor of the ONNX graph: its name and whether it is a 4-D tensor in ONNX's NCHW order. */
export interface Value {
  name: string;
  nchw: boolean;
}

export type Attr = { name: string; type: number; i?: number; f?: number; s?: Uint8Array; ints?: number[] };
export interface Node {
  opType: string;
  input: string[];
  output: string[];
  name: string;
  attribute: Attr[];
}
export interface Initializer {
  name: string;
  dims: number[];
  dataType: number;
  rawData: Uint8Array;
}

export const int = (name: string, i: number): Attr => ({ name, type: ATTR.INT, i });
export const ints = (name: string, v: number[]): Attr => ({ name, type: ATTR.INTS, ints: v });
export const float = (name: string, f: number): Attr => ({ name, type: ATTR.FLOAT, f });
export const str = (name: string, s: string): Attr => ({
  name,
  type: ATTR.STRING,
  s: new TextEncoder().encode(s),
});
export const pair = (v: number | number[]): number[] => (Array.isArray(v) ? v : [v, v]);

/** Builds the node list and weights of one graph; layers add themselves through it. */
export class GraphBuilder {
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
