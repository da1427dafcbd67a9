import type * as tf from '@tensorflow/tfjs';
import protobuf from 'protobufjs';
import { LayerError } from '../../errors.js';
import { convertLayer } from './convert-layer.js';
import { GraphBuilder, ints, type Value } from './graph-builder.js';
import { FLOAT, ONNX_SCHEMA } from './onnx-schema.js';

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
