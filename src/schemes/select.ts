import type * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import { checkDensity } from './math.js';

/**
 * A layer pattern: a layer name, a glob over layer names (`conv*`, `fc?`), a RegExp, or a layer
 * class name (`Conv2D`, `Dense`). In JSON a RegExp is written `/source/flags`.
 */
export type LayerPattern = string | RegExp;

/** Layer selection options shared by every scheme. */
export interface LayerSelection {
  /** Only layers matching one of these (name glob, RegExp or class name) are compressed. */
  include?: LayerPattern[];
  /** Layers matching one of these are never compressed. */
  exclude?: LayerPattern[];
  /** Layer names (or patterns) marked not compressible, as Condensa's `nocompress`. */
  noCompress?: LayerPattern[];
  /**
   * Per-layer densities (keys: layer names or patterns) that replace the shared global threshold
   * for those layers: each such layer gets its own threshold at its own density.
   */
  densities?: Record<string, number>;
}

/** `/source/flags` -> RegExp; anything else -> null. */
function parseRegexString(p: string): RegExp | null {
  const m = /^\/(.+)\/([a-z]*)$/.exec(p);
  return m ? new RegExp(m[1], m[2]) : null;
}

function globToRegExp(glob: string): RegExp {
  const src = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${src}$`);
}

/**
 * Whether `layer` matches `pattern` by name (exact, glob or RegExp) or by class name.
 *
 * @example
 * ```ts
 * matchesLayer(model.getLayer('conv2'), 'conv*'); // true
 * matchesLayer(model.getLayer('fc1'), 'Dense');   // true (class name)
 * matchesLayer(model.getLayer('fc1'), /^fc\d$/);  // true
 * ```
 */
export function matchesLayer(layer: tf.layers.Layer, pattern: LayerPattern): boolean {
  if (pattern instanceof RegExp) return pattern.test(layer.name);
  if (pattern === layer.name || pattern === layer.getClassName()) return true;
  const re = parseRegexString(pattern) ?? globToRegExp(pattern);
  return re.test(layer.name);
}

/** A pattern as JSON: strings stay, RegExps become `/source/flags`. */
export function patternToJSON(p: LayerPattern): string {
  return p instanceof RegExp ? `/${p.source}/${p.flags}` : p;
}

/**
 * The layers of `model` that produce a model output, looking back through weightless layers
 * (a separate Softmax/Activation/Flatten): the layers whose units structured schemes protect.
 *
 * @example
 * ```ts
 * [...outputProducers(seedNet())].map((l) => l.name); // ['fc3']
 * ```
 */
export function outputProducers(model: tf.LayersModel): Set<tf.layers.Layer> {
  const found = new Set<tf.layers.Layer>();
  const seen = new Set<tf.layers.Layer>();
  const visit = (layer: tf.layers.Layer): void => {
    if (seen.has(layer)) return;
    seen.add(layer);
    if (layer.weights.length > 0) {
      found.add(layer);
      return;
    }
    // Activation/Softmax/Flatten/Dropout... pass units through unchanged: the layer that owns
    // the output units is further up.
    for (const node of layer.inboundNodes) {
      for (const prev of node.inboundLayers) visit(prev);
    }
  };
  // `outputs` (not `outputLayers`, which a Sequential leaves empty) names the producing layers.
  for (const out of model.outputs) visit(out.sourceLayer as tf.layers.Layer);
  return found;
}

/** Validated copy of the selection options (throws on bad densities). */
export function normalizeSelection(sel: LayerSelection, what: string): LayerSelection {
  const densities: Record<string, number> = {};
  for (const [k, v] of Object.entries(sel.densities ?? {})) {
    densities[k] = checkDensity(v, `${what} densities['${k}']`);
  }
  for (const key of ['include', 'exclude', 'noCompress'] as const) {
    const list = sel[key];
    if (list !== undefined && !Array.isArray(list)) {
      throw new InvalidArgumentError(
        `${what}: ${key} must be an array of layer names, globs, RegExps or class names`,
      );
    }
  }
  return {
    include: sel.include ? [...sel.include] : undefined,
    exclude: sel.exclude ? [...sel.exclude] : undefined,
    noCompress: sel.noCompress ? [...sel.noCompress] : undefined,
    densities: sel.densities ? densities : undefined,
  };
}

/**
 * The layers a scheme compresses: of the `classes` it handles, those passing include/exclude and
 * not marked noCompress, in model order.
 */
export function selectLayers(
  model: tf.LayersModel,
  sel: LayerSelection,
  classes: readonly string[],
  skip: Set<tf.layers.Layer> = new Set(),
): tf.layers.Layer[] {
  const any = (layer: tf.layers.Layer, list?: LayerPattern[]): boolean =>
    (list ?? []).some((p) => matchesLayer(layer, p));
  return model.layers.filter(
    (layer) =>
      classes.includes(layer.getClassName()) &&
      !skip.has(layer) &&
      (sel.include === undefined || any(layer, sel.include)) &&
      !any(layer, sel.exclude) &&
      !any(layer, sel.noCompress),
  );
}

/** The per-layer density for `layer` (exact name first, then the first matching pattern), or undefined. */
export function layerDensity(layer: tf.layers.Layer, sel: LayerSelection): number | undefined {
  const map = sel.densities;
  if (!map) return undefined;
  if (layer.name in map) return map[layer.name];
  for (const [k, v] of Object.entries(map)) if (matchesLayer(layer, k)) return v;
  return undefined;
}

/** The selection options as JSON (patterns as strings), omitting empty entries. */
export function selectionToJSON(sel: LayerSelection): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (sel.include) out.include = sel.include.map(patternToJSON);
  if (sel.exclude) out.exclude = sel.exclude.map(patternToJSON);
  if (sel.noCompress) out.noCompress = sel.noCompress.map(patternToJSON);
  if (sel.densities) out.densities = { ...sel.densities };
  return out;
}
