import * as tf from '@tensorflow/tfjs';
import { LayerError } from '../errors.js';
import { shortWeightName } from '../pruning/state.js';
import { type WeightValues, batchNormAffine, foldAfter, foldBefore } from './fold-weights.js';

/** One inbound reference of a functional config: [layer, node index, tensor index, kwargs]. */
type InboundRef = [string, number, number, Record<string, unknown>];

interface LayerEntry {
  name: string;
  className: string;
  config: Record<string, unknown>;
  inboundNodes: InboundRef[][];
}

interface FunctionalTopology {
  name: string;
  layers: LayerEntry[];
  inputLayers: [string, number, number][];
  outputLayers: [string, number, number][];
}

/** Layers that compute the identity at inference (their training-time noise is off in predict). */
const IDENTITY_AT_INFERENCE = new Set([
  'Dropout',
  'SpatialDropout1D',
  'SpatialDropout2D',
  'SpatialDropout3D',
  'AlphaDropout',
  'GaussianDropout',
  'GaussianNoise',
]);
/** Layers whose output may absorb a following batch norm or activation. */
const LINEAR_PRODUCERS = new Set(['Conv2D', 'DepthwiseConv2D', 'SeparableConv2D', 'Dense']);
const ACTIVATION_HOSTS = new Set(['Conv2D', 'DepthwiseConv2D', 'Dense', 'SeparableConv2D']);

/** What `foldForInference` changed, by layer name. */
export interface FoldReport {
  /** Batch norms folded, with the layer that absorbed each. */
  batchNorms: { batchNorm: string; into: string }[];
  /** Identity layers (Dropout family, no-op Reshape/Flatten) removed. */
  identities: string[];
  /** ReLU / Activation layers merged into the producing layer's `activation`. */
  activations: { activation: string; into: string }[];
}

/**
 * An inference-only copy of `model` with fewer, larger kernels: every BatchNormalization is folded
 * into the Conv2D / DepthwiseConv2D / Dense before it (when that layer is linear and feeds only
 * the BN) or else into the 'valid' Conv2D or (Flatten +) Dense after it (when the BN feeds only
 * that layer); layers that are the identity at inference (Dropout family, Reshape/Flatten that
 * keep the shape) are removed; a ReLU / Activation layer right after a linear conv or dense
 * becomes that layer's activation, so tfjs runs one fused conv+bias+activation kernel. Outputs
 * equal the original's to float32 rounding (BN arithmetic is done in float64). The result
 * cannot be trained as the original could (its batch norms are gone); `model` is not changed.
 *
 * @example
 * ```ts
 * const { model: fast, report } = foldForInference(resnet20({ seed: 0 }));
 * console.log(report.batchNorms.length); // 21: every BN went into its convolution
 * ```
 */
export function foldForInference(model: tf.LayersModel): { model: tf.LayersModel; report: FoldReport } {
  const sequential = model.getClassName() === 'Sequential';
  const topology = sequential
    ? sequentialAsFunctional(model)
    : (JSON.parse(JSON.stringify(model.getConfig())) as FunctionalTopology);
  const weights = readWeights(model);
  const graph = new TopologyEditor(topology);
  const report: FoldReport = { batchNorms: [], identities: [], activations: [] };

  for (const entry of [...topology.layers]) {
    if (IDENTITY_AT_INFERENCE.has(entry.className) || keepsShape(model, entry)) {
      if (!graph.singleUse(entry)) continue;
      graph.bypass(entry);
      report.identities.push(entry.name);
    }
  }
  for (const bn of topology.layers.filter((l) => l.className === 'BatchNormalization')) {
    const into = foldBatchNorm(model, graph, bn, weights);
    if (into) report.batchNorms.push({ batchNorm: bn.name, into });
  }
  for (const act of [...topology.layers]) {
    const activation = activationOf(act);
    if (!activation || !graph.singleUse(act)) continue;
    const host = graph.producer(act);
    if (!host || !ACTIVATION_HOSTS.has(host.className) || host.config.activation !== 'linear') continue;
    if (!graph.soleConsumerIs(host, act)) continue;
    host.config.activation = activation;
    graph.bypass(act);
    report.activations.push({ activation: act.name, into: host.name });
  }
  for (const entry of topology.layers) restoreDepthMultiplier(model, entry);

  const rebuilt = sequential
    ? (tf.Sequential.fromConfig(
        tf.Sequential,
        functionalAsSequential(topology) as never,
        {},
        true,
      ) as tf.LayersModel)
    : (tf.LayersModel.fromConfig(tf.LayersModel, topology as never, {}, true) as tf.LayersModel);
  for (const layer of rebuilt.layers) {
    const own = weights.get(layer.name);
    if (!own || layer.weights.length === 0) continue;
    const values = layer.weights.map((v) => {
      const w = own.get(shortWeightName(v));
      if (!w) throw new LayerError(`folding produced no '${shortWeightName(v)}' for layer '${layer.name}'`);
      return tf.tensor(w.values, w.shape);
    });
    layer.setWeights(values);
    tf.dispose(values);
  }
  return { model: rebuilt, report };
}

/** Folds `bn` backwards or forwards; returns the absorbing layer's name, or undefined if neither is exact. */
function foldBatchNorm(
  model: tf.LayersModel,
  graph: TopologyEditor,
  bn: LayerEntry,
  weights: Map<string, Map<string, WeightValues>>,
): string | undefined {
  if (!graph.singleUse(bn) || !onLastAxis(model, bn)) return undefined;
  const affine = batchNormAffine(weights.get(bn.name)!, Number(bn.config.epsilon ?? 1e-3));
  const producer = graph.producer(bn);
  if (
    producer &&
    LINEAR_PRODUCERS.has(producer.className) &&
    producer.config.activation === 'linear' &&
    channelsLast(producer) &&
    graph.singleUse(producer) &&
    graph.soleConsumerIs(producer, bn)
  ) {
    const own = weights.get(producer.name)!;
    const folded = foldAfter(own.get(kernelName(producer))!, own.get('bias'), affine);
    setKernelAndBias(producer, own, folded);
    graph.bypass(bn);
    return producer.name;
  }
  const consumers = graph.consumers(bn);
  if (consumers.length !== 1 || graph.isOutput(bn)) return undefined;
  let target = consumers[0];
  let channelOfRow = (row: number): number => row;
  if (target.className === 'Flatten' && graph.singleUse(target) && !graph.isOutput(target)) {
    const next = graph.consumers(target);
    if (next.length !== 1) return undefined;
    const channels = affine.scale.length;
    channelOfRow = (row) => row % channels;
    target = next[0];
    if (target.className !== 'Dense') return undefined;
  }
  const validConv = target.className === 'Conv2D' && target.config.padding === 'valid';
  if (!(validConv || target.className === 'Dense') || !channelsLast(target) || !graph.singleUse(target)) {
    return undefined;
  }
  const own = weights.get(target.name)!;
  setKernelAndBias(target, own, foldBefore(own.get('kernel')!, own.get('bias'), affine, channelOfRow));
  graph.bypass(bn);
  return target.name;
}

function setKernelAndBias(
  entry: LayerEntry,
  own: Map<string, WeightValues>,
  folded: { kernel: WeightValues; bias: WeightValues },
): void {
  own.set(kernelName(entry), folded.kernel);
  own.set('bias', folded.bias);
  entry.config.useBias = true;
}

/** The kernel whose last axis is the layer's output channel (a separable conv's pointwise one). */
const kernelName = (entry: LayerEntry): string =>
  ({ DepthwiseConv2D: 'depthwise_kernel', SeparableConv2D: 'pointwise_kernel' })[entry.className] ?? 'kernel';

/** Channels on the last axis (the default); a channelsFirst conv keeps them on axis 1. */
const channelsLast = (entry: LayerEntry): boolean => entry.config.dataFormat !== 'channelsFirst';

/** The activation an Activation / ReLU layer applies, when a host layer can apply it instead. */
function activationOf(entry: LayerEntry): string | undefined {
  if (entry.className === 'Activation') return String(entry.config.activation);
  if (entry.className !== 'ReLU') return undefined;
  const max = entry.config.maxValue;
  // ReLU(maxValue 6) stays a layer: as a fused 'relu6' activation tfjs-layers computes relu and
  // a broadcast Minimum, 15-25x the ClipByValue of the layer on wasm (folded MobileNets ran
  // slower than unfolded ones, bench/compaction/zoo-profile.ts).
  return max === null || max === undefined ? 'relu' : undefined;
}

/** A batch norm normalising the last (channel) axis, the only layout the folds handle. */
function onLastAxis(model: tf.LayersModel, bn: LayerEntry): boolean {
  const rank = (model.getLayer(bn.name).input as tf.SymbolicTensor).shape.length;
  const axis = Number(bn.config.axis ?? -1);
  return axis === -1 || axis === rank - 1;
}

/** A Reshape or Flatten whose output shape is its input shape. */
function keepsShape(model: tf.LayersModel, entry: LayerEntry): boolean {
  if (entry.className !== 'Reshape' && entry.className !== 'Flatten') return false;
  const layer = model.getLayer(entry.name);
  if (layer.inboundNodes.length !== 1) return false;
  const input = (layer.input as tf.SymbolicTensor).shape;
  const output = (layer.output as tf.SymbolicTensor).shape;
  return input.length === output.length && input.every((d, i) => d === output[i]);
}

/** tfjs leaves depthMultiplier out of SeparableConv2D.getConfig(): restore it from the kernel. */
function restoreDepthMultiplier(model: tf.LayersModel, entry: LayerEntry): void {
  if (entry.className !== 'SeparableConv2D') return;
  const kernel = model.getLayer(entry.name).weights.find((w) => shortWeightName(w) === 'depthwise_kernel');
  if (kernel) entry.config.depthMultiplier = kernel.shape[3];
}

function readWeights(model: tf.LayersModel): Map<string, Map<string, WeightValues>> {
  const out = new Map<string, Map<string, WeightValues>>();
  for (const layer of model.layers) {
    const own = new Map<string, WeightValues>();
    for (const w of layer.weights) {
      own.set(shortWeightName(w), {
        values: w.read().dataSync() as Float32Array,
        shape: [...w.shape] as number[],
      });
    }
    out.set(layer.name, own);
  }
  return out;
}

/** The Sequential's layers as a functional topology (a synthetic input layer, one chain). */
function sequentialAsFunctional(model: tf.LayersModel): FunctionalTopology {
  const config = JSON.parse(JSON.stringify(model.getConfig())) as {
    name: string;
    layers: { className: string; config: Record<string, unknown> }[];
  };
  const first = config.layers[0]?.config;
  if (!first?.batchInputShape) {
    throw new LayerError(
      `Sequential model '${model.name}' has no input shape on its first layer: build it first`,
    );
  }
  const inputName = `${model.name}_fold_input`;
  const layers: LayerEntry[] = [
    {
      name: inputName,
      className: 'InputLayer',
      config: {
        batchInputShape: first.batchInputShape,
        dtype: first.dtype ?? 'float32',
        sparse: false,
        name: inputName,
      },
      inboundNodes: [],
    },
  ];
  for (const l of config.layers) {
    const prev = layers[layers.length - 1].name;
    delete l.config.batchInputShape;
    layers.push({
      name: String(l.config.name),
      className: l.className,
      config: l.config,
      inboundNodes: [[[prev, 0, 0, {}]]],
    });
  }
  return {
    name: config.name,
    layers,
    inputLayers: [[inputName, 0, 0]],
    outputLayers: [[layers[layers.length - 1].name, 0, 0]],
  };
}

/** Back from `sequentialAsFunctional` (still one chain: folding only removes links). */
function functionalAsSequential(topology: FunctionalTopology): unknown {
  const [input, ...rest] = topology.layers;
  rest[0].config.batchInputShape = input.config.batchInputShape;
  rest[0].config.dtype = input.config.dtype;
  return { name: topology.name, layers: rest.map((l) => ({ className: l.className, config: l.config })) };
}

/** Consumer lookups and edge rewiring over a functional topology's `inboundNodes`. */
class TopologyEditor {
  constructor(private readonly topology: FunctionalTopology) {}

  /** Applied once, to one input tensor (shared or multi-input layers are left alone). */
  singleUse(entry: LayerEntry): boolean {
    return entry.inboundNodes.length === 1 && entry.inboundNodes[0].length === 1;
  }

  producer(entry: LayerEntry): LayerEntry | undefined {
    if (!this.singleUse(entry)) return undefined;
    const name = entry.inboundNodes[0][0][0];
    return this.topology.layers.find((l) => l.name === name);
  }

  consumers(entry: LayerEntry): LayerEntry[] {
    return this.topology.layers.filter((l) =>
      l.inboundNodes.some((node) => node.some((r) => r[0] === entry.name)),
    );
  }

  isOutput(entry: LayerEntry): boolean {
    return this.topology.outputLayers.some((o) => o[0] === entry.name);
  }

  soleConsumerIs(entry: LayerEntry, consumer: LayerEntry): boolean {
    const consumers = this.consumers(entry);
    const references = consumers.flatMap((c) => c.inboundNodes.flat()).filter((r) => r[0] === entry.name);
    return (
      !this.isOutput(entry) && consumers.length === 1 && consumers[0] === consumer && references.length === 1
    );
  }

  /** Remove a single-use layer, wiring its consumers (and model outputs) to its input. */
  bypass(entry: LayerEntry): void {
    const source = entry.inboundNodes[0][0];
    for (const l of this.topology.layers) {
      for (const node of l.inboundNodes) {
        for (let i = 0; i < node.length; i++) {
          if (node[i][0] === entry.name) node[i] = [source[0], source[1], source[2], node[i][3]];
        }
      }
    }
    for (const o of this.topology.outputLayers) {
      if (o[0] === entry.name) [o[0], o[1], o[2]] = [source[0], source[1], source[2]];
    }
    this.topology.layers.splice(this.topology.layers.indexOf(entry), 1);
  }
}
