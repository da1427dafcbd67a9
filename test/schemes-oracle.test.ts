import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { clearPruning, getMask } from '../src/pruning/state.js';
import { schemeFromSpec } from '../src/schemes/index.js';
import { maskOf, oracleModel } from './schemes-models.js';
import { trackTensors } from './helpers/leaks.js';

interface Fixture {
  weights: Record<string, { shape: number[]; data: number[] }>;
  cases: Array<{ name: string; spec: Record<string, unknown>; masks: Record<string, number[]> }>;
}

// Produced by test/oracle/condensa_schemes.py: Condensa's semantics restated in PyTorch layout.
const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/condensa/schemes.json', import.meta.url), 'utf8'),
) as Fixture;

const STRUCTURED = ['FilterPrune', 'NeuronPrune', 'StructurePrune', 'BlockPrune'];

/**
 * The oracle restates Condensa literally: without `align`, the global threshold may empty a layer.
 * condensa-ts keeps a unit of such a layer by default, so the literal semantics are asked for
 * (`allowEmptyLayers: true`). With `align`, both keep min(align, n) units.
 */
function literal(spec: Record<string, unknown>): Record<string, unknown> {
  const structured = STRUCTURED.includes(spec.scheme as string) && spec.align === undefined;
  return structured ? { ...spec, allowEmptyLayers: true } : spec;
}

describe('schemes agree with the Condensa-semantics oracle entry for entry', () => {
  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const leaks = trackTensors();
    const model = oracleModel(fixture.weights);
    schemeFromSpec(literal(c.spec)).pi(model);
    for (const [key, want] of Object.entries(c.masks)) {
      const [layer, weight] = key.split('/');
      expect(maskOf(model.getLayer(layer), weight, getMask), key).toEqual(want);
    }
    // The fixture must exercise pruning: some entry of some mask is zero.
    expect(Object.values(c.masks).some((m) => m.includes(0))).toBe(true);
    clearPruning(model);
    model.dispose();
    leaks.check();
  });
});
