import { describe, expect, it } from 'vitest';
import { SpecError } from '../src/errors.js';
import { clearPruning, isPruned } from '../src/pruning/state.js';
import {
  BlockPrune,
  Compose,
  FilterPrune,
  Prune,
  Quantize,
  schemeFromSpec,
  schemeToSpec,
} from '../src/schemes/index.js';
import { smallNet } from './schemes-models.js';
import { trackTensors } from './helpers/leaks.js';

function specError(spec: unknown): SpecError {
  try {
    schemeFromSpec(spec as Record<string, unknown>);
  } catch (e) {
    expect(e).toBeInstanceOf(SpecError);
    return e as SpecError;
  }
  throw new Error(`spec was accepted: ${JSON.stringify(spec)}`);
}

describe('schemeFromSpec', () => {
  it('parses the one-scheme form with a per-layer map', () => {
    const s = schemeFromSpec({
      scheme: 'FilterPrune',
      density: 0.5,
      criteria: 'l1',
      layers: { conv1: { density: 0.8 }, fc3: 'skip' },
    });
    expect(s).toBeInstanceOf(FilterPrune);
    expect(s.toJSON()).toEqual({
      scheme: 'FilterPrune',
      density: 0.5,
      criteria: 'l1',
      densities: { conv1: 0.8 },
      noCompress: ['fc3'],
    });
  });

  it('parses JSON text, compose, and "*" as the global density', () => {
    const s = schemeFromSpec(
      '{"compose": [{"scheme": "Prune", "layers": {"*": {"density": 0.2}}}, {"scheme": "Quantize", "dtype": "int8"}]}',
    );
    expect(s).toBeInstanceOf(Compose);
    const c = s as Compose;
    expect(c.schemes[0]).toBeInstanceOf(Prune);
    expect((c.schemes[0] as Prune).density).toBe(0.2);
    expect(c.schemes[1]).toBeInstanceOf(Quantize);
  });

  it('operators by layer pattern, first match wins, "*" is the fallback', () => {
    const s = schemeFromSpec({
      layers: {
        '*': { scheme: 'Prune', density: 0.5 },
        'conv*': { scheme: 'FilterPrune', density: 0.5 },
        fc2: 'skip',
      },
    });
    const model = smallNet();
    const byScheme = (s as Compose).schemes.map((m) => [m.kind, m.targets(model).map((t) => t.layer.name)]);
    expect(byScheme).toEqual([
      ['FilterPrune', ['conv1', 'conv1', 'conv2', 'conv2']],
      ['Prune', ['fc1']],
    ]);
    const leaks = trackTensors();
    s.pi(model);
    expect(isPruned(model.getLayer('fc2'))).toBe(false);
    expect(isPruned(model.getLayer('fc1'), 'kernel')).toBe(true);
    clearPruning(model);
    leaks.check();
    model.dispose();
  });

  it('round-trips every scheme through schemeToSpec', () => {
    const schemes = [
      new Prune({ density: 0.3, exclude: [/^fc/], noCompress: ['conv1'] }),
      new FilterPrune({ density: 0.5, criteria: 'max', align: 4, pruneBias: false, protectOutputs: false }),
      new BlockPrune({
        density: 0.4,
        blockSize: [4, 2],
        criteria: 'mean',
        pad: true,
        layerTypes: ['Dense', 'Conv2D'],
      }),
      new Quantize({ dtype: 'int8', include: ['Dense'] }),
      new Compose([new Prune({ density: 0.1, densities: { 'conv*': 0.5 } }), new Quantize()]),
    ];
    for (const s of schemes) {
      const spec = schemeToSpec(s);
      const back = schemeFromSpec(JSON.parse(JSON.stringify(spec)));
      expect(back.kind).toBe(s.kind);
      expect(schemeToSpec(back)).toEqual(spec);
    }
    const model = smallNet();
    const re = schemeFromSpec(schemeToSpec(schemes[0]));
    expect(re.targets(model).map((t) => t.layer.name)).toEqual(['conv2']);
    model.dispose();
  });
});

describe('spec errors name the JSON path and what is accepted', () => {
  const cases: Array<[string, unknown, string, RegExp]> = [
    ['not JSON', '{"scheme": ', '$', /not valid JSON/],
    ['not an object', [1, 2], '$', /expected a scheme spec object/],
    ['no form', { density: 0.5 }, '$', /needs "scheme".*compose.*layers/],
    ['unknown scheme', { scheme: 'Magic' }, '$.scheme', /one of "Prune", "FilterPrune"/],
    ['density too big', { scheme: 'Prune', density: 1.5 }, '$.density', /\(0, 1\]/],
    ['density a string', { scheme: 'Prune', density: '0.5' }, '$.density', /got "0.5"/],
    [
      'unknown key',
      { scheme: 'Prune', criteria: 'l1' },
      '$.criteria',
      /unknown key "criteria" for Prune; accepted keys: density/,
    ],
    [
      'bad criteria',
      { scheme: 'FilterPrune', criteria: 'l3' },
      '$.criteria',
      /criteria must be one of .*"l2".*"l2Scaled"/,
    ],
    ['bad align', { scheme: 'FilterPrune', align: 0 }, '$.align', /positive integer/],
    ['bad pruneBias', { scheme: 'NeuronPrune', pruneBias: 'yes' }, '$.pruneBias', /true or false/],
    ['bad dtype', { scheme: 'Quantize', dtype: 'int4' }, '$.dtype', /"float16", "int8"/],
    ['density on Quantize', { scheme: 'Quantize', density: 0.5 }, '$.density', /unknown key/],
    ['densities on Quantize', { scheme: 'Quantize', densities: { fc1: 0.5 } }, '$.densities', /unknown key/],
    ['missing blockSize', { scheme: 'BlockPrune', density: 0.5 }, '$.blockSize', /\[rows, cols\]/],
    [
      'bad blockSize entry',
      { scheme: 'BlockPrune', blockSize: [2, -1] },
      '$.blockSize[1]',
      /positive integer/,
    ],
    [
      'bad layer density',
      { scheme: 'Prune', layers: { conv1: { density: 0 } } },
      '$.layers.conv1.density',
      /\(0, 1\]/,
    ],
    [
      'bad layer entry',
      { scheme: 'Prune', layers: { 'fc*': 'drop' } },
      '$.layers["fc*"]',
      /"skip" or \{"density": d\}/,
    ],
    ['layers not an object', { scheme: 'Prune', layers: ['conv1'] }, '$.layers', /map layer names/],
    [
      'conflicting * density',
      { scheme: 'Prune', density: 0.5, layers: { '*': { density: 0.3 } } },
      '$.layers["*"]',
      /contradicts/,
    ],
    ['bad regexp', { scheme: 'Prune', include: ['/(/'] }, '$.include[0]', /invalid regular expression/],
    ['include not array', { scheme: 'Prune', include: 'conv1' }, '$.include', /array of layer patterns/],
    ['bad densities', { scheme: 'Prune', densities: { conv1: 2 } }, '$.densities.conv1', /\(0, 1\]/],
    ['empty compose', { compose: [] }, '$.compose', /non-empty array/],
    [
      'nested error',
      {
        compose: [
          { scheme: 'Prune', density: 0.5 },
          { scheme: 'Prune', density: -1 },
        ],
      },
      '$.compose[1].density',
      /\(0, 1\]/,
    ],
    [
      'key beside compose',
      { compose: [{ scheme: 'Quantize' }], density: 1 },
      '$.density',
      /next to "compose"/,
    ],
    [
      'operator entry without scheme',
      { layers: { conv1: { density: 0.5 } } },
      '$.layers.conv1',
      /operator spec/,
    ],
    [
      'operator entry with include',
      { layers: { conv1: { scheme: 'Prune', density: 0.5, include: ['x'] } } },
      '$.layers.conv1.include',
      /set by the layer pattern/,
    ],
    ['all skip', { layers: { '*': 'skip' } }, '$.layers', /nothing to compress/],
    [
      'nested operator error',
      { layers: { 'conv*': { scheme: 'FilterPrune', criteria: 'x' } } },
      '$.layers["conv*"].criteria',
      /criteria must be one of/,
    ],
  ];
  it.each(cases)('%s', (_name, spec, path, message) => {
    const e = specError(spec);
    expect(e.path).toBe(path);
    expect(e.message).toMatch(message);
    expect(e.message.startsWith(`${path}: `)).toBe(true);
  });
});
