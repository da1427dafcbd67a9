import type * as tf from '@tensorflow/tfjs';
import { LayerError } from '../errors.js';
import { dependencyGraph } from './dependency-graph.js';
import { supportedLayerKinds } from './registry.js';

export interface LayerFlops {
  name: string;
  className: string;
  flops: number;
  params: number;
}

export interface FlopsReport {
  /** Floating-point operations for ONE example (batch 1). */
  total: number;
  /** All weights, trainable or not (BN moving statistics included), as `model.countParams()`. */
  params: number;
  perLayer: LayerFlops[];
}

/**
 * Count floating-point operations and parameters per layer, for one example.
 *
 * Conventions: a multiply-accumulate counts 2 (Conv2D: 2*kh*kw*Cin*Cout*Ho*Wo; Dense: 2*in*out;
 * DepthwiseConv2D: 2*kh*kw*C*Ho*Wo; SeparableConv2D: depthwise + pointwise). A bias add and a
 * non-linear fused activation add 1 per output element each; inference BatchNormalization 2 per
 * element (scale, shift); activation layers 1 per element; pooling one per window element per
 * output (global pooling one per input element); elementwise merges (n-1) per output element;
 * Flatten, Dropout, padding, cropping, upsampling, Concatenate and InputLayer 0.
 *
 * Throws a `LayerError` for a layer class the graph does not know.
 *
 * @example
 * ```ts
 * const { total, params, perLayer } = countFlops(model);
 * console.log(`${(total / 1e6).toFixed(1)} MFLOPs, ${params} parameters`);
 * ```
 */
export function countFlops(model: tf.LayersModel): FlopsReport {
  const graph = dependencyGraph(model);
  const perLayer: LayerFlops[] = [];
  for (const node of graph.nodes) {
    const { layer, kind, className } = node;
    if (!kind) {
      throw new LayerError(
        `cannot count FLOPs of layer '${layer.name}' (${className}): not supported; supported: ` +
          supportedLayerKinds().join(', '),
      );
    }
    const known = (shape: Array<number | null>): number[] => {
      if (shape.slice(1).some((d) => d === null)) {
        throw new LayerError(
          `cannot count FLOPs of layer '${layer.name}': its tensors' shapes must be fully known`,
        );
      }
      return [1, ...(shape.slice(1) as number[])];
    };
    const flops = kind.flops({
      layer,
      config: node.config,
      inputShapes: node.inputs.map((t) => known(t.shape)),
      outputShape: known(node.output.shape),
    });
    perLayer.push({ name: layer.name, className, flops, params: layer.countParams() });
  }
  return {
    total: perLayer.reduce((s, l) => s + l.flops, 0),
    params: perLayer.reduce((s, l) => s + l.params, 0),
    perLayer,
  };
}
