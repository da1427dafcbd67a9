import type * as tf from '@tensorflow/tfjs';
import { LayerError } from '../errors.js';
import {
  type ChannelLayout,
  ChannelSpaces,
  type LayerConfig,
  type LayerKind,
  type Pin,
  type Shape,
  entryCount,
  forEachEntry,
  layerKind,
  opaque,
} from '../core/layer-kinds/index.js';

/** One application of a layer in the model. */
export interface GraphNode {
  layer: tf.layers.Layer;
  className: string;
  /** Registry entry; undefined for a layer class the graph does not know (treated as a black box). */
  kind: LayerKind | undefined;
  config: LayerConfig;
  inputs: GraphTensor[];
  output: GraphTensor;
}

/** A tensor flowing between layers, with the channel sets along its last axis. */
export interface GraphTensor {
  id: number;
  shape: Shape;
  layout: ChannelLayout;
  producer: GraphNode | null;
  consumers: GraphNode[];
}

/** Channels that must be removed together: one channel set and every layer that carries it. */
export interface ChannelGroup {
  id: number;
  size: number;
  /** Layers that create these channels (Conv2D / Dense / SeparableConv2D outputs tied together). */
  producers: string[];
  /** Every layer whose output carries these channels. */
  layers: string[];
  /** Why the channels may not be removed; empty when they may. */
  pins: Pin[];
}

/**
 * The channel dependency graph of a `LayersModel`: layers in topological order, the tensors
 * between them, and the channel sets (groups) that compaction and group pruning act on.
 */
export class DependencyGraph {
  constructor(
    readonly model: tf.LayersModel,
    readonly nodes: GraphNode[],
    readonly tensors: GraphTensor[],
    readonly spaces: ChannelSpaces,
  ) {}

  /** The node of a layer, by layer name. */
  node(layerName: string): GraphNode {
    const n = this.nodes.find((x) => x.layer.name === layerName);
    if (!n) {
      throw new LayerError(
        `model '${this.model.name}' has no layer '${layerName}'; layers: ${this.nodes.map((x) => x.layer.name).join(', ')}`,
      );
    }
    return n;
  }

  /** Every channel group, in the order its first layer appears. */
  groups(): ChannelGroup[] {
    const byRoot = new Map<number, ChannelGroup>();
    const visit = (t: GraphTensor): void => {
      for (const seg of t.layout.segments) {
        const root = this.spaces.root(seg.space);
        let g = byRoot.get(root);
        if (!g) {
          g = {
            id: root,
            size: this.spaces.size(root),
            producers: [],
            layers: [],
            pins: this.spaces.pinsOf(root),
          };
          byRoot.set(root, g);
        }
        const p = t.producer;
        if (p && !g.layers.includes(p.layer.name)) {
          g.layers.push(p.layer.name);
          if (p.kind?.importanceWeight && t.layout.segments.length === 1) g.producers.push(p.layer.name);
        }
      }
    };
    for (const t of this.tensors) visit(t);
    return [...byRoot.values()];
  }

  /** For a tensor: channel -> last-axis entries, for one channel group. */
  entriesOf(t: GraphTensor, group: number): number[][] {
    const root = this.spaces.root(group);
    const out: number[][] = Array.from({ length: this.spaces.size(root) }, () => []);
    forEachEntry(t.layout, this.spaces, (e, s, c) => {
      if (s === root) out[c].push(e);
    });
    return out;
  }
}

/**
 * Build the channel dependency graph of a Sequential or functional `LayersModel`.
 *
 * Layer classes missing from the registry are black boxes: the channels they consume and produce
 * are pinned (never removed), and `planCompaction` lists pruned channels kept that way, with why.
 * So are the channels of a layer applied more than once (one node per application) and the
 * inputs and outputs of a layer with several outputs.
 *
 * @example
 * ```ts
 * const graph = dependencyGraph(model);
 * for (const g of graph.groups()) console.log(g.producers, g.size, g.pins.map((p) => p.reason));
 * ```
 */
export function dependencyGraph(model: tf.LayersModel): DependencyGraph {
  const spaces = new ChannelSpaces();
  const tensors = new Map<number, GraphTensor>();
  const nodes: GraphNode[] = [];

  // Sequential models keep their InputLayer outside `model.layers`: seed the graph with the inputs.
  for (const input of model.inputs) {
    // An input of unknown width (a variable-length token sequence) gets an empty, pinned layout.
    const size = input.shape[input.shape.length - 1] ?? 0;
    const space = spaces.create(size);
    spaces.pin(space, { reason: 'model input' });
    tensors.set(input.id, {
      id: input.id,
      shape: input.shape,
      layout: { segments: [{ space, size }], positions: 1 },
      producer: null,
      consumers: [],
    });
  }

  for (const { layer, inbound } of applications(model, new Set(tensors.keys()))) {
    const className = layer.getClassName();
    const out = inbound.outputTensors[0];
    if (inbound.inputTensors.length === 0 && tensors.has(out.id)) continue; // functional InputLayer seeded above
    const inputs = inbound.inputTensors.map((t) => tensors.get(t.id)!);
    const kind = layerKind(className);
    const config = layer.getConfig() as LayerConfig;
    const ctx = {
      layer,
      config,
      inputs: inputs.map((t) => t.layout),
      inputShapes: inputs.map((t) => t.shape),
      outputShape: out.shape,
      spaces,
    };
    const why = `layer class ${className} has no registered layer kind (registerLayerKind adds one)`;
    const several = inbound.outputTensors.length > 1;
    const manyWhy = `it has ${inbound.outputTensors.length} outputs, which channel bookkeeping does not follow`;
    const layout = several ? opaque(ctx, manyWhy) : kind ? kind.propagate(ctx) : opaque(ctx, why);
    const size = out.shape[out.shape.length - 1];
    if (size !== null && entryCount(layout) !== size) {
      throw new LayerError(
        `layer '${layer.name}' (${className}): channel bookkeeping gives ${entryCount(layout)} entries but the ` +
          `output has ${size}`,
      );
    }
    const tensor: GraphTensor = { id: out.id, shape: out.shape, layout, producer: null, consumers: [] };
    const node: GraphNode = { layer, className, kind, config, inputs, output: tensor };
    tensor.producer = node;
    for (const t of inputs) t.consumers.push(node);
    tensors.set(out.id, tensor);
    // The further outputs of a layer with several (an RNN's returned states): pinned, like a black box's.
    for (const extra of inbound.outputTensors.slice(1)) {
      const extraLayout = opaque({ ...ctx, outputShape: extra.shape }, manyWhy);
      tensors.set(extra.id, {
        id: extra.id,
        shape: extra.shape,
        layout: extraLayout,
        producer: node,
        consumers: [],
      });
    }
    nodes.push(node);
  }
  pinSharedLayers(nodes, spaces);

  for (const output of model.outputs) {
    const t = tensors.get(output.id);
    if (!t) throw new LayerError(`model output '${output.name}' is not produced by any layer of the model`);
    for (const seg of t.layout.segments) spaces.pin(seg.space, { reason: 'model output' });
  }
  return new DependencyGraph(model, nodes, [...tensors.values()], spaces);
}

type InboundNode = tf.layers.Layer['inboundNodes'][number];

/**
 * Every application of a layer that the model's outputs depend on, each after the applications
 * that produce its inputs. A shared layer (applied twice) appears once per application; an
 * application belonging to another model built from the same layers does not appear.
 */
function applications(
  model: tf.LayersModel,
  known: Set<number>,
): Array<{ layer: tf.layers.Layer; inbound: InboundNode }> {
  const used = new Set<InboundNode>();
  const walk = (t: tf.SymbolicTensor): void => {
    const node = t.sourceLayer?.inboundNodes[t.nodeIndex];
    if (!node || used.has(node)) return;
    used.add(node);
    for (const input of node.inputTensors) walk(input);
  };
  for (const output of model.outputs) walk(output);
  const order: Array<{ layer: tf.layers.Layer; inbound: InboundNode }> = [];
  const done = new Set<InboundNode>();
  for (let progress = true; progress;) {
    progress = false;
    for (const layer of model.layers) {
      for (const inbound of layer.inboundNodes) {
        if (!used.has(inbound) || done.has(inbound)) continue;
        const needs = inbound.inputTensors.length === 0 ? inbound.outputTensors : inbound.inputTensors;
        if (!needs.every((t) => known.has(t.id))) continue;
        done.add(inbound);
        order.push({ layer, inbound });
        for (const t of inbound.outputTensors) known.add(t.id);
        progress = true;
      }
    }
  }
  return order;
}

/**
 * A layer applied more than once has one set of weights for all its applications, so removing a
 * channel in one application would remove it in all: its input and output channels are kept.
 */
function pinSharedLayers(nodes: GraphNode[], spaces: ChannelSpaces): void {
  const uses = new Map<tf.layers.Layer, number>();
  for (const n of nodes) uses.set(n.layer, (uses.get(n.layer) ?? 0) + 1);
  for (const n of nodes) {
    const count = uses.get(n.layer)!;
    if (count < 2) continue;
    const reason = `layer '${n.layer.name}' (${n.className}) is applied ${count} times (a shared layer): its weights serve every application`;
    for (const t of [...n.inputs, n.output]) {
      for (const seg of t.layout.segments) spaces.pin(seg.space, { reason });
    }
  }
}
