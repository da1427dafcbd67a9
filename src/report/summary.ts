import * as tf from '@tensorflow/tfjs';
import { gzipSync } from 'node:zlib';
import { countFlops } from '../graph/index.js';
import { serializeModel, type SerializeOptions } from '../io/serialize.js';
import { latency, throughput } from '../objectives/index.js';
import type { Data } from '../training/batch-stream.js';
import { evaluate } from '../training/evaluate.js';
import { resolveLoss, type LossSpec } from '../training/loss.js';

/** What {@link summary} measures of one model. */
export interface ModelFigures {
  /** Accuracy on `data` (fraction), or null without data. */
  accuracy: number | null;
  parameters: number;
  nonzeros: number;
  /** FLOPs of one example (`countFlops`), or null when a layer kind is not counted. */
  flops: number | null;
  /** Bytes of the saved files (weights + model JSON) in the layout the model is saved in. */
  bytes: number;
  /** The same files gzipped (what a compressed download costs). */
  gzipBytes: number;
  /** Median milliseconds of one forward pass at batch 1 on the current backend. */
  latencyMs: number;
  /** Images per second at batch 64 on the current backend. */
  throughput: number;
}

/** Before / after figures, the ratios between them and where they were measured. */
export interface Summary {
  backend: string;
  /** Images the accuracies were measured on (0 without data). */
  examples: number;
  before: ModelFigures;
  after: ModelFigures;
  /** Every ratio is "times better" (> 1 means the compressed model is smaller or faster). */
  ratios: {
    parameters: number;
    nonzeros: number;
    flops: number | null;
    bytes: number;
    gzipBytes: number;
    latency: number;
    throughput: number;
  };
  /** after.accuracy - before.accuracy (fraction), null without data. */
  accuracyChange: number | null;
}

/** Options of {@link summary}. */
export interface SummaryOptions {
  /** Labelled data both models are evaluated on (the same data for both). */
  data?: Data;
  /** Loss used while evaluating (default categorical cross-entropy on one-hot labels). */
  loss?: LossSpec;
  /** Layout `before` is saved in (default: stock tfjs, float32). */
  beforeSave?: SerializeOptions;
  /** Layout `after` is saved in (e.g. `{ format: 'sparse' }` or `{ quantization: 'float16' }`). */
  afterSave?: SerializeOptions;
  /** Timed forward passes per speed figure (default 10 at batch 1, 5 at batch 64). */
  repeats?: number;
}

/**
 * Compare a model with its compressed version on the same data and the same backend: accuracy,
 * parameters, non-zeros, FLOPs, bytes on disk and gzipped, latency at batch 1 and throughput at
 * batch 64. Neither model is changed. Speeds are measured, so they vary from run to run.
 *
 * @example
 * ```ts
 * const s = await summary(dense, pruned, { data: testData, afterSave: { format: 'sparse' } });
 * console.log(formatSummary(s));
 * console.log(`${s.ratios.gzipBytes.toFixed(1)}x smaller gzipped`);
 * ```
 */
export async function summary(
  before: tf.LayersModel,
  after: tf.LayersModel,
  opts: SummaryOptions = {},
): Promise<Summary> {
  const b = await figures(before, opts, opts.beforeSave);
  const a = await figures(after, opts, opts.afterSave);
  await measureSpeeds(b, before, a, after, opts.repeats);
  const ratio = (x: number, y: number): number => (y > 0 ? x / y : Infinity);
  return {
    backend: tf.getBackend(),
    examples: examplesOf(b),
    before: b,
    after: a,
    ratios: {
      parameters: ratio(b.parameters, a.parameters),
      nonzeros: ratio(b.nonzeros, a.nonzeros),
      flops: b.flops !== null && a.flops !== null ? ratio(b.flops, a.flops) : null,
      bytes: ratio(b.bytes, a.bytes),
      gzipBytes: ratio(b.gzipBytes, a.gzipBytes),
      latency: ratio(b.latencyMs, a.latencyMs),
      throughput: ratio(a.throughput, b.throughput),
    },
    accuracyChange: a.accuracy !== null && b.accuracy !== null ? a.accuracy - b.accuracy : null,
  };
}

async function figures(
  model: tf.LayersModel,
  opts: SummaryOptions,
  save: SerializeOptions = {},
): Promise<ModelFigures> {
  const loss = resolveLoss(opts.loss ?? 'categoricalCrossentropy');
  const evaluation = opts.data ? await evaluate(model, opts.data, loss) : null;
  const { modelJson, weights } = await serializeModel(model, save);
  const json = Buffer.from(JSON.stringify(modelJson));
  const out: ModelFigures = {
    accuracy: evaluation?.accuracy ?? null,
    parameters: model.countParams(),
    nonzeros: countNonzeros(model),
    flops: flopsOrNull(model),
    bytes: weights.length + json.length,
    gzipBytes: gzipSync(weights).length + gzipSync(json).length,
    latencyMs: NaN,
    throughput: NaN,
  };
  EXAMPLES.set(out, evaluation?.count ?? 0);
  return out;
}

/**
 * Speeds of both models, measured alternately (before, after, before, after) and the best of
 * the rounds kept: whichever model is timed second was seen to run up to 3x slower on wasm
 * when each was timed in one go, and a busy machine slows one round, not both.
 */
async function measureSpeeds(
  b: ModelFigures,
  before: tf.LayersModel,
  a: ModelFigures,
  after: tf.LayersModel,
  repeats?: number,
): Promise<void> {
  const lat = latency({ repeats: repeats ?? 10 });
  const ips = throughput({ batchSize: 64, repeats: repeats ?? 5 });
  for (let round = 0; round < 2; round++) {
    for (const [f, m] of [
      [b, before],
      [a, after],
    ] as const) {
      f.latencyMs = Math.min(f.latencyMs || Infinity, await lat.measure(m));
      f.throughput = Math.max(f.throughput || 0, await ips.measure(m));
    }
  }
}

// The number of evaluated examples rides along with the figures, off the public type.
const EXAMPLES = new WeakMap<ModelFigures, number>();
const examplesOf = (f: ModelFigures): number => EXAMPLES.get(f) ?? 0;

function countNonzeros(model: tf.LayersModel): number {
  let n = 0;
  for (const w of model.weights) {
    const values = w.read().dataSync();
    for (let i = 0; i < values.length; i++) if (values[i] !== 0) n++;
  }
  return n;
}

// A model with a layer kind the FLOP counter does not know (e.g. LSTM) still gets a summary.
function flopsOrNull(model: tf.LayersModel): number | null {
  try {
    return countFlops(model).total;
  } catch {
    return null;
  }
}
