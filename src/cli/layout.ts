import type * as tf from '@tensorflow/tfjs';
import { serializeModel } from '../io/serialize.js';
import type { WeightQuantization } from '../io/quantize.js';
import { Compose } from '../schemes/compose.js';
import type { Scheme } from '../schemes/scheme.js';
import { Quantize } from '../schemes/quantize.js';

/** How the compressed model is saved, and why (printed with the summary). */
export interface Layout {
  format: 'tfjs' | 'sparse';
  /** Weight encoding in the manifest; undefined: float32 (or each weight's own quantize record). */
  quantization?: WeightQuantization;
  /** Remove pruned channels before saving (structured schemes). */
  compact: boolean;
  /** One sentence: the layout and what chose it. */
  reason: string;
}

/** What the user forced on the command line. */
export interface LayoutFlags {
  format?: 'tfjs' | 'sparse';
  weights?: 'float32' | 'float16' | 'int8';
  compact?: boolean;
}

const STRUCTURED = new Set(['FilterPrune', 'NeuronPrune', 'StructurePrune']);
const UNSTRUCTURED = new Set(['Prune', 'BlockPrune']);

/** The schemes a (possibly composed) scheme applies, in order. */
export function flattenScheme(s: Scheme): Scheme[] {
  return s instanceof Compose ? s.schemes.flatMap(flattenScheme) : [s];
}

// The manifest has no int8: 8-bit affine weights are stored as uint8 with scale and min, which
// is what the Quantize scheme's int8 rounds to, so saving loses nothing more.
const manifestDtype = (w: 'float16' | 'int8'): WeightQuantization => (w === 'int8' ? 'uint8' : w);

/**
 * Pick the smallest sensible saved layout for a model compressed with `scheme`: structured
 * pruning is compacted (channels really removed), unstructured pruning is saved sparse when
 * that is smaller than dense, `Quantize` saves its float16/int8 weights in the tfjs manifest.
 * `flags` override each choice.
 */
export async function chooseLayout(
  scheme: Scheme,
  model: tf.LayersModel,
  flags: LayoutFlags,
): Promise<Layout> {
  const parts = flattenScheme(scheme);
  const why: string[] = [];
  const quantizer = parts.find((p): p is Quantize => p instanceof Quantize);
  let quantization: WeightQuantization | undefined;
  if (flags.weights !== undefined) {
    quantization = flags.weights === 'float32' ? undefined : manifestDtype(flags.weights);
    why.push(`${flags.weights} weights (--weights)`);
  } else if (quantizer) {
    quantization = manifestDtype(quantizer.dtype);
    why.push(`${quantizer.dtype} weights (Quantize)`);
  } else {
    why.push('float32 weights');
  }
  const compact = flags.compact ?? parts.some((p) => STRUCTURED.has(p.kind));
  if (compact) why.push(flags.compact ? 'compacted (--compact)' : 'compacted (structured pruning)');
  let format: 'tfjs' | 'sparse' = 'tfjs';
  if (flags.format !== undefined) {
    format = flags.format;
    why.push(`${format} layout (--format)`);
  } else if (!compact && parts.some((p) => UNSTRUCTURED.has(p.kind))) {
    const [dense, sparse] = await Promise.all(
      (['tfjs', 'sparse'] as const).map(
        async (f) => (await serializeModel(model, { format: f, quantization })).weights.length,
      ),
    );
    format = sparse < dense ? 'sparse' : 'tfjs';
    const kib = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;
    why.push(`${format} layout (unstructured pruning: ${kib(sparse)} sparse vs ${kib(dense)} dense)`);
  } else {
    why.push('tfjs layout');
  }
  return { format, quantization, compact, reason: why.join(', ') };
}
