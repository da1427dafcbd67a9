import type * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import { type GraphNode, type GraphTensor, dependencyGraph } from './dependency-graph.js';
import type { Shape } from '../core/layer-kinds/index.js';

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
  /** Layers whose FLOPs could not be counted (counted as 0), and why. */
  warnings: string[];
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
 * A layer class the registry does not know, or a layer whose FLOPs cannot be worked out (unknown
 * shapes), counts 0 and adds a line to `warnings`; counting never throws for a layer.
 *
 * @example
 * ```ts
 * const { total, params, perLayer } = countFlops(model);
 * console.log(`${(total / 1e6).toFixed(1)} MFLOPs, ${params} parameters`);
 * ```
 */
export function countFlops(model: tf.LayersModel): FlopsReport {
  const graph = dependencyGraph(model);
  const warnings: string[] = [];
  const perLayer = graph.nodes.map((node) => ({
    name: node.layer.name,
    className: node.className,
    flops: nodeFlops(node, (t) => t.shape, warnings),
    params: node.layer.countParams(),
  }));
  return {
    total: perLayer.reduce((s, l) => s + l.flops, 0),
    params: perLayer.reduce((s, l) => s + l.params, 0),
    perLayer,
    warnings,
  };
}

/**
 * The FLOPs (for one example, as `countFlops`) that `model` would have once compacted after a
 * structured scheme keeps the fraction `keep[name]` of layer `name`'s output channels (layers
 * not named keep all). Removing a layer's filters also removes the next layer's input
 * channels, so FLOPs are not a sum of independent per-layer terms: conv2's FLOPs scale with
 * conv1's density times its own. Channels tied across layers (a residual stage) survive while
 * any of their producers keeps them: a group keeps the largest fraction among its producers;
 * pinned channels (model inputs and outputs, black-box consumers) are kept. Fractions are
 * continuous (no rounding to whole channels), which is what a search over densities needs.
 *
 * @example
 * ```ts
 * const flopsAt = prunedFlops(model);
 * const saved = 1 - flopsAt({ conv1: 0.5, conv2: 0.75 }) / flopsAt({});
 * ```
 */
export function prunedFlops(model: tf.LayersModel): (keep: Record<string, number>) => number {
  const graph = dependencyGraph(model);
  const producersOf = new Map(graph.groups().map((g) => [g.id, g.pins.length > 0 ? [] : g.producers]));
  return (keep) => {
    for (const [name, k] of Object.entries(keep)) {
      if (!(k >= 0 && k <= 1))
        throw new InvalidArgumentError(`kept fraction of '${name}' must be in [0, 1], got ${k}`);
    }
    const fraction = (space: number) => {
      const producers = producersOf.get(graph.spaces.root(space)) ?? [];
      return producers.length === 0 ? 1 : Math.max(...producers.map((p) => keep[p] ?? 1));
    };
    const shapeOf = (t: GraphTensor): Shape => {
      const kept = t.layout.segments.reduce((a, seg) => a + seg.size * fraction(seg.space), 0);
      return [...t.shape.slice(0, -1), kept * t.layout.positions];
    };
    return graph.nodes.reduce((a, node) => a + nodeFlops(node, shapeOf, []), 0);
  };
}

/**
 * A node's FLOPs with its tensors' shapes given by `shapeOf` (the full ones, or pruned ones); 0
 * with a line in `warnings` when they cannot be counted.
 */
function nodeFlops(node: GraphNode, shapeOf: (t: GraphTensor) => Shape, warnings: string[]): number {
  const { layer, kind, className } = node;
  const skip = (why: string): number => {
    warnings.push(`layer '${layer.name}' (${className}) counted as 0 FLOPs: ${why}`);
    return 0;
  };
  if (!kind) return skip(`no registered layer kind (registerLayerKind adds one)`);
  const shapes = [...node.inputs.map(shapeOf), shapeOf(node.output)];
  if (shapes.some((s) => s.slice(1).some((d) => d === null)))
    return skip("its tensors' shapes are not fully known");
  const known = (shape: Shape): number[] => [1, ...(shape.slice(1) as number[])];
  try {
    return kind.flops({
      layer,
      config: node.config,
      inputShapes: node.inputs.map((t) => known(shapeOf(t))),
      outputShape: known(shapeOf(node.output)),
    });
  } catch (e) {
    return skip((e as Error).message);
  }
}
