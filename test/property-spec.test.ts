import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SpecError } from '../src/errors.js';
import { CRITERIA_NAMES } from '../src/operators/index.js';
import { schemeFromSpec, schemeToSpec } from '../src/schemes/index.js';

const runs = { seed: 777, numRuns: 300 };
type Spec = Record<string, unknown>;

const density = fc.double({ min: 1e-3, max: 1, noNaN: true });
const patternArb = fc.constantFrom('conv1', 'fc*', 'Dense', '/^c/', 'fc?', 'conv[1]');
const selection = {
  include: fc.array(patternArb, { minLength: 1, maxLength: 3 }),
  exclude: fc.array(patternArb, { minLength: 1, maxLength: 3 }),
  noCompress: fc.array(patternArb, { minLength: 1, maxLength: 2 }),
  densities: fc.dictionary(fc.constantFrom('conv1', 'conv2', 'fc1', 'fc*'), density, { minKeys: 1 }),
};
const report = { strict: fc.boolean(), warnBelow: fc.double({ min: 0, max: 1, noNaN: true }) };

const prune = fc.record(
  {
    scheme: fc.constant('Prune'),
    density,
    score: fc.constantFrom('magnitude', 'lamp'),
    layerTypes: fc.array(fc.constantFrom('Conv2D', 'Dense'), { minLength: 1, maxLength: 2 }),
    ...report,
    ...selection,
  },
  { requiredKeys: ['scheme'] },
);
const structured = fc.record(
  {
    scheme: fc.constantFrom('FilterPrune', 'NeuronPrune', 'StructurePrune'),
    density,
    criteria: fc.constantFrom(...CRITERIA_NAMES),
    align: fc.integer({ min: 1, max: 16 }),
    pruneBias: fc.boolean(),
    protectOutputs: fc.boolean(),
    allowEmptyLayers: fc.boolean(),
    ...report,
    ...selection,
  },
  { requiredKeys: ['scheme'] },
);
const block = fc.record(
  {
    scheme: fc.constant('BlockPrune'),
    blockSize: fc.tuple(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 8 })),
    density,
    criteria: fc.constantFrom(...CRITERIA_NAMES),
    pad: fc.boolean(),
    allowEmptyLayers: fc.boolean(),
    ...report,
    ...selection,
  },
  { requiredKeys: ['scheme', 'blockSize'] },
);
const quantize = fc.record(
  {
    scheme: fc.constant('Quantize'),
    dtype: fc.constantFrom('float16', 'int8'),
    strict: fc.boolean(),
    include: selection.include,
    exclude: selection.exclude,
    noCompress: selection.noCompress,
  },
  { requiredKeys: ['scheme', 'dtype'] },
);
const one: fc.Arbitrary<Spec> = fc.oneof(prune, structured, block, quantize);
const anySpec: fc.Arbitrary<Spec> = fc.oneof(
  { weight: 3, arbitrary: one },
  { weight: 1, arbitrary: fc.array(one, { minLength: 1, maxLength: 3 }).map((compose) => ({ compose })) },
);

/** One corruption of a valid one-scheme spec: the spec and the JSON path its error must name. */
const corruptions: Array<(s: Spec) => { spec: Spec; path: string } | null> = [
  (s) => ({ spec: { ...s, density: 1.5 }, path: '$.density' }),
  (s) => ({ spec: { ...s, density: 'half' }, path: '$.density' }),
  (s) => ({ spec: { ...s, bogus: 1 }, path: '$.bogus' }),
  (s) => ({ spec: { ...s, scheme: 'Prunee' }, path: '$.scheme' }),
  (s) => ({ spec: { ...s, include: ['conv1', 7] }, path: '$.include[1]' }),
  (s) =>
    s.scheme === 'Quantize'
      ? null
      : { spec: { ...s, densities: { conv1: 0.5, fc1: 0 } }, path: '$.densities.fc1' },
  (s) => (s.scheme === 'Quantize' ? null : { spec: { ...s, criteria: 'median' }, path: '$.criteria' }),
  (s) => (s.scheme === 'Quantize' ? null : { spec: { ...s, warnBelow: -0.1 }, path: '$.warnBelow' }),
  (s) => ({ spec: { ...s, strict: 'yes' }, path: '$.strict' }),
];

/** The SpecError `body` throws (fails the property when it throws nothing or something else). */
function specError(body: () => unknown): SpecError {
  try {
    body();
  } catch (e) {
    if (e instanceof SpecError) return e;
    throw e;
  }
  throw new Error('accepted an invalid spec');
}

describe('JSON spec parser properties', () => {
  it('every valid spec round-trips through schemeFromSpec and schemeToSpec, as object and as JSON text', () => {
    fc.assert(
      fc.property(anySpec, (spec) => {
        expect(schemeToSpec(schemeFromSpec(spec))).toEqual(spec);
        expect(schemeToSpec(schemeFromSpec(JSON.stringify(spec)))).toEqual(spec);
      }),
      runs,
    );
  });

  it('every corrupted spec throws a SpecError naming the JSON path of the corruption', () => {
    fc.assert(
      fc.property(
        one,
        fc.integer({ min: 0, max: corruptions.length - 1 }),
        fc.option(fc.tuple(fc.array(one, { maxLength: 2 }), fc.nat(2)), { nil: undefined }),
        (spec, which, wrap) => {
          const bad = corruptions[which](spec);
          fc.pre(bad !== null);
          if (!wrap) {
            expect(specError(() => schemeFromSpec(bad.spec)).path).toBe(bad.path);
            return;
          }
          // The same corruption inside a composition: the path is prefixed with its position.
          const [others, at] = wrap;
          const i = Math.min(at, others.length);
          const compose = [...others.slice(0, i), bad.spec, ...others.slice(i)];
          const err = specError(() => schemeFromSpec(JSON.stringify({ compose })));
          expect(err.path).toBe(bad.path.replace('$', `$.compose[${i}]`));
          expect(err.message.startsWith(err.path)).toBe(true);
        },
      ),
      runs,
    );
  });
});
