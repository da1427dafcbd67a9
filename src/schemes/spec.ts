import { SpecError } from '../errors.js';
import { importanceNames } from '../importance/index.js';
import { CRITERIA_NAMES } from '../operators/criteria.js';
import { BlockPrune } from './block-prune.js';
import { Compose } from './compose.js';
import { FilterPrune } from './filter-prune.js';
import { GroupPrune } from './group-prune.js';
import { CRITERIA } from './math.js';
import { NeuronPrune } from './neuron-prune.js';
import { Prune, PRUNE_SCORES } from './prune.js';
import { Quantize } from './quantize.js';
import type { Scheme } from './scheme.js';
import { StructurePrune } from './structure-prune.js';

/**
 * JSON scheme specs. Three forms:
 * - one scheme: `{"scheme": "FilterPrune", "density": 0.5, "criteria": "l1",
 *   "layers": {"conv1": {"density": 0.8}, "fc3": "skip"}}` (`layers` maps layer names or globs to a
 *   per-layer density or `"skip"`; `"*": {"density": d}` sets the global density);
 * - a composition: `{"compose": [spec, spec, ...]}`;
 * - operators by layer: `{"layers": {"conv*": {"scheme": "FilterPrune", "density": 0.5},
 *   "fc3": "skip", "*": {"scheme": "Prune", "density": 0.2}}}`: each layer gets the operator of the
 *   first pattern it matches (`"*"`, the fallback, last); layers sharing an operator share its
 *   global threshold.
 */
export type SchemeSpec = Record<string, unknown>;

type Json = unknown;
type Builder = (o: Record<string, unknown>) => Scheme;

const SELECTION_KEYS = ['include', 'exclude', 'noCompress', 'layers'];
/** Guard and report keys, per scheme kind (added to its own keys). */
const GUARD_KEYS: Record<string, string[]> = {
  Prune: ['strict', 'warnBelow'],
  FilterPrune: ['strict', 'warnBelow', 'allowEmptyLayers'],
  NeuronPrune: ['strict', 'warnBelow', 'allowEmptyLayers'],
  StructurePrune: ['strict', 'warnBelow', 'allowEmptyLayers'],
  BlockPrune: ['strict', 'warnBelow', 'allowEmptyLayers'],
  GroupPrune: ['warnBelow', 'allowEmptyLayers'],
  Quantize: ['strict'],
};
const STRUCTURED_KEYS = [
  'density',
  'densities',
  'criteria',
  'importance',
  'importanceOptions',
  'align',
  'pruneBias',
  'protectOutputs',
];

// The JSON-expressible importance options (a loss function has no JSON form).
const IMPORTANCE_OPTION_KEYS = ['seed', 'batchSize', 'examples', 'flopsLambda', 'bins'];

/** Per scheme kind: the keys it accepts (besides `scheme`) and its constructor. */
const KINDS: Record<string, { keys: string[]; build: Builder }> = {
  Prune: { keys: ['density', 'densities', 'layerTypes', 'score'], build: (o) => new Prune(o) },
  FilterPrune: { keys: STRUCTURED_KEYS, build: (o) => new FilterPrune(o) },
  NeuronPrune: { keys: STRUCTURED_KEYS, build: (o) => new NeuronPrune(o) },
  StructurePrune: { keys: STRUCTURED_KEYS, build: (o) => new StructurePrune(o) },
  GroupPrune: {
    keys: ['density', 'importance', 'importanceOptions', 'aggregate', 'align', 'scope', 'producers'],
    build: (o) => new GroupPrune(o),
  },
  BlockPrune: {
    keys: ['density', 'densities', 'blockSize', 'criteria', 'pad', 'layerTypes'],
    build: (o) => new BlockPrune(o as never),
  },
  Quantize: { keys: ['dtype', 'layerTypes'], build: (o) => new Quantize(o) },
};

function child(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: Json): string {
  return v === undefined ? 'nothing' : JSON.stringify(v);
}

function density(v: Json, path: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > 1) {
    throw new SpecError(
      path,
      `density must be a number in (0, 1] (fraction of weights kept); got ${describe(v)}`,
    );
  }
  return v;
}

function pattern(v: Json, path: string): string {
  if (typeof v !== 'string' || v.length === 0) {
    throw new SpecError(
      path,
      `expected a layer name, glob, class name or "/regexp/flags" string; got ${describe(v)}`,
    );
  }
  const m = /^\/(.+)\/([a-z]*)$/.exec(v);
  if (m) {
    try {
      new RegExp(m[1], m[2]);
    } catch (e) {
      throw new SpecError(path, `invalid regular expression ${v}: ${(e as Error).message}`);
    }
  }
  return v;
}

function patterns(v: Json, path: string): string[] {
  if (!Array.isArray(v)) throw new SpecError(path, `expected an array of layer patterns; got ${describe(v)}`);
  return v.map((p, i) => pattern(p, child(path, i)));
}

function oneOf<T extends string>(v: Json, allowed: readonly T[], path: string, what: string): T {
  if (typeof v !== 'string' || !allowed.includes(v as T)) {
    throw new SpecError(
      path,
      `${what} must be one of ${allowed.map((a) => `"${a}"`).join(', ')}; got ${describe(v)}`,
    );
  }
  return v as T;
}

function boolean(v: Json, path: string): boolean {
  if (typeof v !== 'boolean') throw new SpecError(path, `expected true or false; got ${describe(v)}`);
  return v;
}

function positiveInt(v: Json, path: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new SpecError(path, `expected a positive integer; got ${describe(v)}`);
  }
  return v;
}

/** Value checks per option key. */
const VALUES: Record<string, (v: Json, path: string) => unknown> = {
  density,
  criteria: (v, p) => oneOf(v, CRITERIA, p, 'criteria'),
  // Named criteria only: calibration data comes from the caller (withCalibration / Compressor).
  importance: (v, p) => oneOf(v, [...new Set([...importanceNames(), ...CRITERIA_NAMES])], p, 'importance'),
  importanceOptions: (v, p) => {
    if (!isObject(v)) throw new SpecError(p, `importanceOptions must be an object; got ${describe(v)}`);
    for (const [k, x] of Object.entries(v)) {
      if (!IMPORTANCE_OPTION_KEYS.includes(k)) {
        throw new SpecError(
          child(p, k),
          `unknown key "${k}"; accepted: ${IMPORTANCE_OPTION_KEYS.join(', ')}`,
        );
      }
      if (typeof x !== 'number' || !Number.isFinite(x)) {
        throw new SpecError(child(p, k), `expected a number; got ${describe(x)}`);
      }
    }
    return { ...v };
  },
  align: positiveInt,
  pruneBias: boolean,
  protectOutputs: boolean,
  pad: boolean,
  strict: boolean,
  allowEmptyLayers: boolean,
  warnBelow: (v, p) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) {
      throw new SpecError(p, `warnBelow must be a fraction in [0, 1] (0: never warn); got ${describe(v)}`);
    }
    return v;
  },
  aggregate: (v, p) => oneOf(v, ['sum', 'mean', 'max'] as const, p, 'aggregate'),
  scope: (v, p) => oneOf(v, ['global', 'group'] as const, p, 'scope'),
  producers: (v, p) => {
    if (!Array.isArray(v) || v.some((t) => typeof t !== 'string')) {
      throw new SpecError(
        p,
        `producers must be an array of layer class names like "Conv2D"; got ${describe(v)}`,
      );
    }
    return v;
  },
  dtype: (v, p) => oneOf(v, ['float16', 'int8'] as const, p, 'dtype'),
  score: (v, p) => oneOf(v, PRUNE_SCORES, p, 'score'),
  blockSize: (v, p) => {
    if (!Array.isArray(v) || v.length !== 2) {
      throw new SpecError(p, `blockSize must be [rows, cols] of positive integers; got ${describe(v)}`);
    }
    return v.map((b, i) => positiveInt(b, child(p, i)));
  },
  layerTypes: (v, p) => {
    if (!Array.isArray(v) || v.some((t) => typeof t !== 'string')) {
      throw new SpecError(
        p,
        `layerTypes must be an array of layer class names like "Conv2D", "Dense"; got ${describe(v)}`,
      );
    }
    return v;
  },
  include: patterns,
  exclude: patterns,
  noCompress: patterns,
  densities: (v, p) => {
    if (!isObject(v))
      throw new SpecError(p, `densities must map layer names or patterns to densities; got ${describe(v)}`);
    return Object.fromEntries(Object.entries(v).map(([k, d]) => [pattern(k, p), density(d, child(p, k))]));
  },
};

/** Parse a one-scheme spec (`{"scheme": ...}`). */
function parseScheme(spec: Record<string, Json>, path: string): Scheme {
  const kind = oneOf(spec.scheme, Object.keys(KINDS), child(path, 'scheme'), 'scheme');
  const { keys, build } = KINDS[kind];
  const accepted = [...keys, ...(GUARD_KEYS[kind] ?? []), ...SELECTION_KEYS];
  const opts: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(spec)) {
    if (k === 'scheme') continue;
    if (!accepted.includes(k)) {
      throw new SpecError(
        child(path, k),
        `unknown key "${k}" for ${kind}; accepted keys: ${accepted.join(', ')}`,
      );
    }
    if (k !== 'layers') opts[k] = VALUES[k](v, child(path, k));
  }
  if (spec.layers !== undefined)
    applyLayerMap(spec.layers, child(path, 'layers'), opts, keys.includes('density'));
  if (kind === 'BlockPrune' && opts.blockSize === undefined) {
    throw new SpecError(child(path, 'blockSize'), 'BlockPrune needs blockSize: [rows, cols]');
  }
  return build(opts);
}

/** `layers` of a one-scheme spec: pattern -> "skip" | {"density": d}. */
function applyLayerMap(v: Json, path: string, opts: Record<string, unknown>, takesDensity: boolean): void {
  if (!isObject(v)) {
    throw new SpecError(
      path,
      `layers must map layer names or patterns to "skip" or {"density": d}; got ${describe(v)}`,
    );
  }
  const densities = { ...((opts.densities as Record<string, number>) ?? {}) };
  const skip = [...((opts.noCompress as string[]) ?? [])];
  for (const [k, entry] of Object.entries(v)) {
    const p = child(path, k);
    pattern(k, p);
    if (entry === 'skip') {
      skip.push(k);
      continue;
    }
    if (!isObject(entry) || Object.keys(entry).some((e) => e !== 'density') || !takesDensity) {
      const accepted = takesDensity ? '"skip" or {"density": d}' : '"skip"';
      throw new SpecError(p, `expected ${accepted}; got ${describe(entry)}`);
    }
    const d = density(entry.density, child(p, 'density'));
    if (k === '*') {
      if (opts.density !== undefined && opts.density !== d) {
        throw new SpecError(
          p,
          `the "*" density ${d} contradicts the global density ${String(opts.density)}; give it once`,
        );
      }
      opts.density = d;
    } else {
      densities[k] = d;
    }
  }
  if (Object.keys(densities).length) opts.densities = densities;
  if (skip.length) opts.noCompress = skip;
}

/** Parse an operators-by-layer spec (`{"layers": {pattern: operator | "skip"}}`). */
function parseLayerOperators(spec: Record<string, Json>, path: string): Scheme {
  for (const k of Object.keys(spec)) {
    if (k !== 'layers')
      throw new SpecError(
        child(path, k),
        `unknown key "${k}" next to "layers" without "scheme"; accepted: layers`,
      );
  }
  const lp = child(path, 'layers');
  if (!isObject(spec.layers) || Object.keys(spec.layers).length === 0) {
    throw new SpecError(
      lp,
      `layers must map layer patterns to operator specs or "skip"; got ${describe(spec.layers)}`,
    );
  }
  // The fallback goes last whatever its position in the object, so specific patterns win.
  const entries = Object.entries(spec.layers).sort(([a], [b]) => Number(a === '*') - Number(b === '*'));
  const earlier: string[] = [];
  const members: Scheme[] = [];
  for (const [k, entry] of entries) {
    const p = child(lp, k);
    pattern(k, p);
    if (entry !== 'skip') {
      if (!isObject(entry) || entry.scheme === undefined) {
        throw new SpecError(p, `expected an operator spec {"scheme": ...} or "skip"; got ${describe(entry)}`);
      }
      for (const sel of ['include', 'exclude', 'layers'] as const) {
        if (sel in entry)
          throw new SpecError(child(p, sel), `"${sel}" is set by the layer pattern here; remove it`);
      }
      const scoped =
        k === '*' ? { ...entry, exclude: [...earlier] } : { ...entry, include: [k], exclude: [...earlier] };
      if (!scoped.exclude.length) delete (scoped as Record<string, unknown>).exclude;
      members.push(parseScheme(scoped, p));
    }
    earlier.push(k);
  }
  if (members.length === 0) throw new SpecError(lp, 'every pattern is "skip": nothing to compress');
  return members.length === 1 ? members[0] : new Compose(members);
}

function parseAny(spec: Json, path: string): Scheme {
  if (!isObject(spec)) {
    throw new SpecError(
      path,
      `expected a scheme spec object ({"scheme": ...}, {"compose": [...]} or {"layers": {...}}); got ${describe(spec)}`,
    );
  }
  if ('compose' in spec) {
    for (const k of Object.keys(spec)) {
      if (k !== 'compose')
        throw new SpecError(child(path, k), `unknown key "${k}" next to "compose"; accepted: compose`);
    }
    const list = spec.compose;
    const cp = child(path, 'compose');
    if (!Array.isArray(list) || list.length === 0) {
      throw new SpecError(cp, `compose must be a non-empty array of scheme specs; got ${describe(list)}`);
    }
    return new Compose(list.map((s, i) => parseAny(s, child(cp, i))));
  }
  if ('scheme' in spec) return parseScheme(spec, path);
  if ('layers' in spec) return parseLayerOperators(spec, path);
  throw new SpecError(
    path,
    `a scheme spec needs "scheme" (one of ${Object.keys(KINDS).join(', ')}), "compose" or "layers"`,
  );
}

/**
 * Build a scheme from a JSON spec (an object or its JSON text). Every problem throws a
 * `SpecError` whose `path` is the JSON location (`$.compose[1].density`) and whose message says
 * what is accepted.
 *
 * @example
 * ```ts
 * const scheme = schemeFromSpec({
 *   scheme: 'FilterPrune', density: 0.5, criteria: 'l1',
 *   layers: { conv1: { density: 0.8 }, fc3: 'skip' },
 * });
 * scheme.pi(model);
 * ```
 */
export function schemeFromSpec(spec: SchemeSpec | string): Scheme {
  let json: Json = spec;
  if (typeof spec === 'string') {
    try {
      json = JSON.parse(spec);
    } catch (e) {
      throw new SpecError('$', `not valid JSON: ${(e as Error).message}`);
    }
  }
  return parseAny(json, '$');
}

/**
 * The JSON spec of a scheme; `schemeFromSpec(schemeToSpec(s))` rebuilds an equivalent scheme.
 *
 * @example
 * ```ts
 * JSON.stringify(schemeToSpec(new Prune({ density: 0.2 }))); // '{"scheme":"Prune","density":0.2}'
 * ```
 */
export function schemeToSpec(scheme: Scheme): SchemeSpec {
  return JSON.parse(JSON.stringify(scheme.toJSON())) as SchemeSpec;
}
