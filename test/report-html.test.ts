import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findChromium, launchChromium } from '../src/browser-runtime/index.js';
import { reportCommand } from '../src/cli/report.js';
import { loadMnist, MNIST_MEAN, MNIST_STD, stratifiedSubset, toTensors } from '../src/data/index.js';
import { DataError } from '../src/errors.js';
import { saveModel } from '../src/io/index.js';
import { loadPretrained } from '../src/models/index.js';
import { params } from '../src/objectives/index.js';
import { applyMasks, clearPruning, prune } from '../src/pruning/index.js';
import { writeReport } from '../src/report/index.js';
import { Prune } from '../src/schemes/index.js';
import { SAMPLE_LOG_NAME, SampleLog } from '../src/search/index.js';
import { accuracy } from '../src/training/index.js';
import { trackTensors } from './helpers/leaks.js';

// A real small run: LeNet-5 (pretrained) pruned with Prune at two densities as search samples,
// per-layer sensitivity probes, a few fine-tuning steps logged, the result saved sparse, and a
// before/after summary. The report of that folder must have every section and its plots.

const norm = { normalize: 'standard', mean: MNIST_MEAN, std: MNIST_STD, numClasses: 10 } as const;
let runDir: string;
let outDir: string;

beforeAll(async () => {
  const leaks = trackTensors();
  runDir = await mkdtemp(join(tmpdir(), 'condensa-run-'));
  outDir = await mkdtemp(join(tmpdir(), 'condensa-report-'));
  const mnist = await loadMnist();
  const test = stratifiedSubset(mnist.test, { perClass: 20, seed: 0 });
  const dense = await loadPretrained('lenet5-mnist');
  const base = await accuracy(dense, test, norm);
  const denseParams = dense.countParams();
  dense.dispose();

  const log = await SampleLog.open(join(runDir, SAMPLE_LOG_NAME), {
    mode: 'global',
    objective: 'params(nonzero)',
    seed: 0,
  });
  let pruned: tf.LayersModel | undefined;
  for (const [index, density] of [0.3, 0.05].entries()) {
    pruned?.dispose();
    pruned = await loadPretrained('lenet5-mnist');
    new Prune({ density }).pi(pruned);
    const acc = await accuracy(pruned, test, norm);
    const objective = await params({ nonzero: true }).measure(pruned);
    const sparsity = 1 - density;
    await log.append({
      index,
      density,
      sparsity,
      coordinates: [sparsity],
      accuracy: acc,
      objective,
      feasible: acc >= base - 0.02,
      extra: {},
      replayed: false,
    });
    if (index === 0) clearPruning(pruned);
  }

  // Sensitivity probes: each layer pruned alone (PyTorch-style l1), as a per-layer search records them.
  const densities = [0.5, 0.2];
  const probes: Record<string, number[]> = {};
  for (const layer of ['conv2', 'fc1']) {
    probes[layer] = [];
    for (const d of densities) {
      const m = await loadPretrained('lenet5-mnist');
      prune.l1Unstructured(m.getLayer(layer), 'kernel', 1 - d);
      probes[layer].push(await accuracy(m, test, norm));
      clearPruning(m);
      m.dispose();
    }
  }
  await writeFile(
    join(runDir, 'sensitivity.json'),
    JSON.stringify({ densities, accuracy: probes, sensitivities: {} }),
  );

  // A few real fine-tuning steps of the pruned model, logged per batch; masks re-applied after.
  const model = pruned!;
  const train = toTensors(stratifiedSubset(mnist.train, { perClass: 40, seed: 1 }), norm);
  const lines: string[] = [];
  model.compile({ optimizer: tf.train.sgd(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  await model.fit(train.xs, train.ys, {
    batchSize: 50,
    epochs: 1,
    verbose: 0,
    callbacks: {
      onBatchEnd: async (batch, logs) => {
        lines.push(JSON.stringify({ step: batch + 1, loss: logs?.loss, accuracy: logs?.acc }));
      },
    },
  });
  applyMasks(model);
  tf.dispose([train.xs, train.ys]);
  await writeFile(join(runDir, 'training-log.jsonl'), lines.join('\n') + '\n');
  const after = await accuracy(model, test, norm);
  const nonzeros = await params({ nonzero: true }).measure(model);
  await saveModel(model, join(runDir, 'model'), { format: 'sparse' });
  model.optimizer.dispose();
  clearPruning(model);
  model.dispose();
  await writeFile(
    join(runDir, 'summary.json'),
    JSON.stringify({
      scheme: 'Prune(0.05)',
      before: { accuracy: base, parameters: denseParams, nonzeros: denseParams },
      after: { accuracy: after, parameters: denseParams, nonzeros },
      ratios: { accuracy: after / base, nonzeros: nonzeros / denseParams },
    }),
  );
  leaks.check();
});

afterAll(async () => {
  await rm(runDir, { recursive: true, force: true });
  await rm(outDir, { recursive: true, force: true });
});

describe('HTML report of a run', () => {
  it('has every section, four plots and the seed-format sparsity report, with nothing to fetch', async () => {
    const leaks = trackTensors();
    const file = join(outDir, 'report.html');
    const result = await writeReport(runDir, file);
    leaks.check();
    expect(result.sections).toEqual([
      'Before and after',
      'Density per layer',
      'Accuracy against sparsity',
      'Search trace',
      'Training curves',
      'Sparsity report',
    ]);
    expect(result.plots).toBe(4);
    expect(result.problems).toEqual([]);
    const html = await readFile(file, 'utf8');
    expect(html.match(/<svg/g)?.length).toBe(4);
    expect(html).toMatch(/Sparsity in conv1\/kernel: \d+\.\d\d%/);
    expect(html).toMatch(/Global sparsity: 9\d\.\d\d%/);
    expect(html).not.toMatch(/<script|<link|src="http|href="http|@import/);
  });

  it.skipIf(!findChromium())(
    'renders in headless Chromium: non-empty plots, no console errors (PNG saved)',
    async () => {
      const file = join(outDir, 'report.html');
      if (!existsSync(file)) await writeReport(runDir, file);
      const browser = await launchChromium();
      try {
        const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
        const errors: string[] = [];
        page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
        page.on('pageerror', (e) => errors.push(e.message));
        await page.goto(pathToFileURL(file).href);
        const plots = await page.$$eval('.plot svg', (svgs) =>
          svgs.map((s) => ({
            width: s.getBoundingClientRect().width,
            height: s.getBoundingClientRect().height,
            marks: s.querySelectorAll('.role-mark path, .role-mark rect, .role-mark line').length,
          })),
        );
        expect(plots).toHaveLength(4);
        for (const p of plots) {
          expect(p.width).toBeGreaterThan(200);
          expect(p.height).toBeGreaterThan(100);
          expect(p.marks).toBeGreaterThan(0);
        }
        const png = join(outDir, 'report.png');
        await page.screenshot({ path: png, fullPage: true });
        const image = PNG.sync.read(await readFile(png));
        const colours = new Set<number>();
        for (let i = 0; i < image.data.length; i += 4 * 97) colours.add(image.data.readUInt32BE(i));
        expect(image.height).toBeGreaterThan(900);
        expect(colours.size, 'distinct colours in the screenshot').toBeGreaterThan(20);
        expect(errors).toEqual([]);
        console.log(`report screenshot: ${png} (${image.width}x${image.height})`);
      } finally {
        await browser.close();
      }
    },
  );

  it('`condensa report` writes it from the command line; a missing run dir is a DataError', async () => {
    const out = join(outDir, 'cli.html');
    await reportCommand.parseAsync([runDir, '--out', out], { from: 'user' });
    expect(await readFile(out, 'utf8')).toMatch(/Search trace/);
    await expect(writeReport(join(runDir, 'nope'), out)).rejects.toThrow(DataError);
  });
});

describe('HTML report of an incomplete run', () => {
  it('reports unreadable files instead of failing, and says which parts the run lacks', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'condensa-partial-'));
    try {
      await writeFile(join(dir, 'summary.json'), '{"before": {"accuracy": 0.9}');
      const sample = {
        index: 0,
        density: 0.5,
        sparsity: 0.5,
        coordinates: [0.5],
        accuracy: 0.9,
        objective: 3,
        feasible: true,
        extra: {},
      };
      await writeFile(
        join(dir, SAMPLE_LOG_NAME),
        `${JSON.stringify({ kind: 'header', search: { mode: 'grid', seed: 3 } })}\n${JSON.stringify({ kind: 'sample', sample })}\n{"kind":"sam`,
      );
      const result = await writeReport(dir, join(dir, 'report.html'));
      expect(result.sections).toEqual(['Accuracy against sparsity', 'Search trace']);
      expect(result.problems).toHaveLength(2);
      expect(result.problems[0]).toMatch(/summary\.json: not valid JSON/);
      expect(result.problems[1]).toMatch(/search-samples\.jsonl: line 3 is not valid JSON/);
      const html = await readFile(join(dir, 'report.html'), 'utf8');
      expect(html).toMatch(/no saved model in this run directory/);
      expect(html).toMatch(/no training log \(training-log\.jsonl\)/);
      expect(html).toMatch(/mode: grid; seed: 3/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
