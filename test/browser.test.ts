import * as tf from '@tensorflow/tfjs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findChromium, openTfjsPage, type PageGlobals, type TfjsPage } from '../src/browser-runtime/index.js';
import { compact } from '../src/graph/index.js';
import { loadModel, saveModel, type SaveModelOptions } from '../src/io/index.js';
import { lenet5 } from '../src/models/index.js';
import { clearPruning } from '../src/pruning/index.js';
import { FilterPrune, Prune } from '../src/schemes/index.js';
import { bundleBrowserEntry } from './helpers/browser-bundle.js';
import { trackTensors } from './helpers/leaks.js';

// Every output format condensa-ts writes, loaded by stock tfjs 4.22 in headless Chromium (the
// sparse one through the bundled `condensa-ts/browser` entry), must predict what Node predicts
// from the same files.

interface Format {
  name: string;
  model: () => tf.LayersModel;
  save: SaveModelOptions;
  loader: 'tfjs' | 'sparse';
}

const pruned = (): tf.LayersModel => {
  const m = lenet5({ seed: 2 });
  new Prune({ density: 0.1 }).pi(m);
  return m;
};
const compacted = (): tf.LayersModel => {
  const m = lenet5({ seed: 3 });
  new FilterPrune({ density: 0.5 }).pi(m);
  const small = compact(m);
  clearPruning(m);
  m.dispose();
  return small;
};
const FORMATS: Format[] = [
  { name: 'float32', model: () => lenet5({ seed: 1 }), save: {}, loader: 'tfjs' },
  { name: 'float16', model: () => lenet5({ seed: 1 }), save: { quantization: 'float16' }, loader: 'tfjs' },
  { name: 'int8', model: () => lenet5({ seed: 1 }), save: { quantization: 'uint8' }, loader: 'tfjs' },
  { name: 'sparse', model: pruned, save: { format: 'sparse' }, loader: 'sparse' },
  {
    name: 'sparse-float16',
    model: pruned,
    save: { format: 'sparse', quantization: 'float16' },
    loader: 'sparse',
  },
  { name: 'compacted', model: compacted, save: {}, loader: 'tfjs' },
];
const BATCH = 4;
const chromium = findChromium();

describe.skipIf(!chromium)('every output format in headless Chromium', () => {
  let root: string;
  let session: TfjsPage;
  const input = { shape: [BATCH, 28, 28, 1], values: [] as number[] };
  const expected = new Map<string, Float32Array>();

  beforeAll(async () => {
    const leaks = trackTensors();
    root = await mkdtemp(join(tmpdir(), 'condensa-browser-'));
    const x = tf.randomUniform(input.shape, 0, 1, 'float32', 7);
    input.values = Array.from(await x.data());
    for (const f of FORMATS) {
      const model = f.model();
      await saveModel(model, join(root, f.name), f.save);
      clearPruning(model);
      model.dispose();
      // The reference is what Node reads back from the same files: quantized formats are
      // compared with the same quantization, not with the float32 model.
      const back = await loadModel(join(root, f.name));
      const y = back.predict(x) as tf.Tensor;
      expected.set(f.name, (await y.data()) as Float32Array);
      y.dispose();
      back.dispose();
    }
    x.dispose();
    leaks.check();
    session = await openTfjsPage({
      files: { '/condensa.js': await bundleBrowserEntry() },
      mounts: { '/models/': root },
      scripts: ['/condensa.js'],
    });
  });

  afterAll(async () => {
    await session?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  /** Predictions of one saved format in the page, on the page's current backend. */
  const predictInPage = (format: Format): Promise<number[]> =>
    session.page.evaluate(
      async ({ url, loader, input }) => {
        const { tf } = window as unknown as PageGlobals;
        const { condensa } = window as unknown as { condensa: typeof import('../src/browser/index.js') };
        const model =
          loader === 'sparse'
            ? await condensa.loadSparseModel(url + '/')
            : await tf.loadLayersModel(url + '/model.json');
        const x = tf.tensor(input.values, input.shape);
        const y = model.predict(x) as import('@tensorflow/tfjs').Tensor;
        const values = Array.from(await y.data());
        tf.dispose([x, y]);
        model.dispose();
        return values;
      },
      { url: `${session.server.url}/models/${format.name}`, loader: format.loader, input },
    );

  for (const backend of ['wasm', 'cpu', 'webgl'] as const) {
    it(`loads every format on ${backend} and matches Node (max abs diff < 1e-5)`, async (ctx) => {
      const started = await session.setBackend(backend);
      if (!started.ok && backend === 'webgl') {
        console.log(`webgl skipped: ${started.reason}`);
        ctx.skip();
      }
      expect(started).toEqual({ ok: true });
      const diffs: string[] = [];
      for (const format of FORMATS) {
        const got = await predictInPage(format);
        const want = expected.get(format.name)!;
        expect(got.length, format.name).toBe(want.length);
        const diff = Math.max(...got.map((v, i) => Math.abs(v - want[i])));
        expect(diff, `${format.name} on ${backend}`).toBeLessThan(1e-5);
        diffs.push(`${format.name} ${diff.toExponential(1)}`);
      }
      console.log(`${backend}: max abs diff vs Node: ${diffs.join(', ')}`);
      expect(session.errors, 'page console errors').toEqual([]);
    });
  }

  it('the browser entry bundles for the browser, and a Node-only module does not', async () => {
    expect((await bundleBrowserEntry()).length).toBeGreaterThan(1000);
    const nodeOnly = fileURLToPath(new URL('../src/io/load.ts', import.meta.url));
    await expect(bundleBrowserEntry(nodeOnly)).rejects.toThrow(/node:/);
  });
});

it('Chromium is installed (scripts/test-deps.sh installs it)', () => {
  expect(chromium, 'no /usr/bin/chromium: run scripts/test-deps.sh').toBeDefined();
});
