import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pretrainedDir } from '../src/models/pretrained.js';
import { condensa, errorLines, type CliRun } from './helpers/cli.js';

// Every bad input of the "never silent" report, through the real command line in its own
// process: the exit code, ONE line naming the problem and what to do, nothing left behind, and
// every input byte-for-byte unchanged.
const scratch = mkdtempSync(join(tmpdir(), 'condensa-bad-input-'));
const lenet = pretrainedDir('lenet5-mnist');
const aFile = join(scratch, 'a-file.txt');
const full = join(scratch, 'full');
const specFile = join(scratch, 'spec.json');
const prune = '{"scheme":"Prune","density":0.1}';

function sha256Tree(path: string): string {
  const h = createHash('sha256');
  const walk = (p: string): void => {
    if (statSync(p).isDirectory()) for (const f of readdirSync(p).sort()) walk(join(p, f));
    else h.update(p).update(readFileSync(p));
  };
  walk(path);
  return h.digest('hex');
}

let inputsBefore: string[];
const inputs = () => [lenet, aFile, full, specFile].map(sha256Tree);
beforeAll(() => {
  writeFileSync(aFile, 'not a directory\n');
  mkdirSync(full);
  writeFileSync(join(full, 'keep.txt'), 'someone else’s file\n');
  writeFileSync(specFile, prune);
  inputsBefore = inputs();
});
afterAll(() => {
  expect(inputs(), 'input files (sha256) changed').toEqual(inputsBefore);
  // Nothing left behind: no probe, temp or partial output directory next to the outputs.
  expect(readdirSync(scratch).sort()).toEqual(['a-file.txt', 'full', 'spec.json'].sort());
  rmSync(scratch, { recursive: true, force: true });
});

/** Assert one error line matching every pattern, and the exit code. */
function expectOneLine(run: CliRun, code: number, ...patterns: RegExp[]): void {
  const lines = errorLines(run.stderr);
  expect(lines, run.stderr.slice(0, 2000)).toHaveLength(1);
  expect(lines[0]).toMatch(/^condensa: .+; .+/); // what is wrong; what to do
  for (const p of patterns) expect(lines[0]).toMatch(p);
  expect(run.code).toBe(code);
}

const compress = (...extra: string[]) => [
  'compress',
  '--model',
  'lenet5-mnist',
  '--dataset',
  'mnist',
  '--spec',
  prune,
  ...extra,
];

describe('condensa: bad output locations are refused before any work', () => {
  it('an existing file, a path under a file, an unwritable place, the input, a non-empty dir', async () => {
    const runs = await Promise.all([
      condensa(compress('--out', aFile)),
      condensa(compress('--out', join(aFile, 'model'))),
      condensa(compress('--out', '/proc/condensa-cannot-write-here')),
      condensa(compress('--out', lenet)),
      condensa(compress('--out', full)),
    ]);
    expectOneLine(runs[0], 1, /is an existing file/, /directory/);
    expectOneLine(runs[1], 1, /which is a file/);
    expectOneLine(runs[2], 1, /cannot be written/, /writable location/);
    expectOneLine(runs[3], 1, /input model's directory/);
    expectOneLine(runs[4], 1, /is not empty/, /--overwrite/);
    // Refused before the backend started: nothing was computed.
    for (const r of runs) expect(r.stderr).not.toMatch(/tfjs backend/);
    expect(existsSync(join(aFile, 'model'))).toBe(false);
  });

  it('train checks --out before training and names the --overwrite flag', async () => {
    const [nonEmpty, underFile] = await Promise.all([
      condensa(['train', '--model', 'lenet5', '--dataset', 'mnist', '--epochs', '1', '--out', full]),
      condensa([
        'train',
        '--model',
        'lenet5',
        '--dataset',
        'mnist',
        '--epochs',
        '1',
        '--out',
        join(aFile, 'x'),
      ]),
    ]);
    expectOneLine(nonEmpty, 1, /--out .* is not empty/, /pass --overwrite/);
    expect(nonEmpty.stderr).not.toMatch(/overwrite: true|epoch/);
    expectOneLine(underFile, 1, /which is a file/);
  });

  it('--out is required unless --dry-run; unknown flags are usage errors (exit 2)', async () => {
    const [noOut, unknown, both] = await Promise.all([
      condensa(compress()),
      condensa(compress('--out', join(scratch, 'x'), '--no-such-flag')),
      condensa(compress('--out', join(scratch, 'y'), '--dry-run')),
    ]);
    expectOneLine(noOut, 2, /--out is required/, /--dry-run/);
    expectOneLine(unknown, 2, /unknown option '--no-such-flag'/, /condensa compress --help/);
    expectOneLine(both, 2, /contradict/);
  });
});

describe('condensa: help and --verbose', () => {
  it('every command documents examples and exit codes; --verbose adds the stack trace', async () => {
    const commands = ['compress', 'compact', 'quantize', 'export', 'train'];
    const runs = await Promise.all([
      ...commands.map((c) => condensa([c, '--help'])),
      condensa([...compress('--out', aFile), '--verbose']),
    ]);
    runs.slice(0, -1).forEach((r, i) => {
      expect(r.code, commands[i]).toBe(0);
      expect(r.stdout, commands[i]).toMatch(/Examples:\n {2}\$ condensa /);
      expect(r.stdout, commands[i]).toMatch(/Exit codes:[\s\S]*130 +interrupted/);
    });
    const verbose = runs.at(-1)!;
    expect(verbose.code).toBe(1);
    expect(verbose.stderr).toMatch(/^condensa: --out .* is an existing file/);
    expect(verbose.stderr).toMatch(/\n {4}at checkOutDir/); // the stack, only when asked
  });
});

describe('condensa: bad specs, models and sizes', () => {
  it('tells a missing spec file and a directory from JSON text', async () => {
    const [missing, dir, bad] = await Promise.all([
      condensa(compress('--dry-run').map((a) => (a === prune ? join(scratch, 'nope.json') : a))),
      condensa(compress('--dry-run').map((a) => (a === prune ? scratch : a))),
      condensa(compress('--dry-run').map((a) => (a === prune ? '{"scheme":"Prune","density":2}' : a))),
    ]);
    expectOneLine(missing, 1, /no such spec file .*nope\.json/, /JSON text/);
    expectOneLine(dir, 1, /--spec .* is a directory/);
    expectOneLine(bad, 1, /\$\.density/);
  });

  it('an unknown --model lists the pretrained names; --train below one batch fails early', async () => {
    const [unknown, small] = await Promise.all([
      condensa(['compress', '--model', 'lenet7', '--dataset', 'mnist', '--spec', specFile, '--dry-run']),
      condensa(compress('--dry-run', '--train', '100')),
    ]);
    expectOneLine(unknown, 1, /lenet7/, /lenet5-mnist, seednet-0\.25-cifar10/);
    expectOneLine(small, 2, /--train 100 .* fewer than one batch of --batch-size 128/, /--train 128 or more/);
  });

  it('a model that does not fit the dataset is named with both shapes, before any data is read', async () => {
    const run = await condensa([
      'compress',
      '--model',
      'lenet5-mnist',
      '--dataset',
      'cifar10',
      '--spec',
      specFile,
      '--dry-run',
    ]);
    expectOneLine(run, 1, /\[28, 28, 1\]/, /\[32, 32, 3\]/, /--dataset mnist or fashion-mnist/);
    expect(run.stderr.length).toBeLessThan(1000); // not the 57 KB wasm source dump
  });
});

describe('condensa: interrupts', () => {
  it('Ctrl-C ends a compression at once (status 130) and leaves no output', async () => {
    const out = join(scratch, 'interrupted');
    let sent = 0;
    const run = await condensa(
      compress('--optimizer', 'finetune', '--iterations', '100000', '--train', '1000', '--out', out),
      (child) => {
        // Interrupt once the work has started (the backend is up).
        child.stderr?.on('data', (d: Buffer) => {
          if (/tfjs backend/.test(d.toString()))
            setTimeout(() => {
              sent = Date.now();
              child.kill('SIGINT');
            }, 1000);
        });
      },
    );
    expect(sent).toBeGreaterThan(0);
    expect(Date.now() - sent).toBeLessThan(5000); // not after the 100,000 minibatches
    expect(run.signal).toBe('SIGINT');
    expect(existsSync(out)).toBe(false);
  });
});

describe('condensa compress: the happy path states what changed and how it was saved', () => {
  it('Prune(0.1) is saved sparse, with the before/after table and summary.json', async () => {
    const out = join(scratch, 'pruned');
    const run = await condensa(compress('--optimizer', 'direct', '--test', '500', '--out', out));
    expect(run.code, run.stderr.slice(0, 2000)).toBe(0);
    for (const row of [
      'accuracy (500 images)',
      'parameters',
      'non-zeros',
      'FLOPs',
      'bytes on disk',
      'gzip bytes',
    ])
      expect(run.stdout).toContain(row);
    expect(run.stdout).toMatch(/latency, batch 1 \(wasm\)/);
    expect(run.stdout).toMatch(/throughput, batch 64 \(wasm\)/);
    expect(run.stdout).toMatch(
      /saved as: float32 weights, sparse layout \(unstructured pruning: [\d.]+ KiB sparse vs [\d.]+ KiB dense\)/,
    );
    expect(readdirSync(out).sort()).toEqual([
      'model.sparse.json',
      'record.json',
      'summary.json',
      'weights.sparse.bin',
    ]);
    const report = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(report.layout.format).toBe('sparse');
    expect(report.summary.after.nonzeros / report.summary.before.parameters).toBeLessThan(0.11);
    expect(report.summary.ratios.bytes).toBeGreaterThan(5); // 90% of the weights gone, stored sparse
    expect(report.summary.before.accuracy).toBeGreaterThan(0.95);
    rmSync(out, { recursive: true });
  });

  it('a Quantize spec is saved with float16 weights and --json prints the summary', async () => {
    const out = join(scratch, 'half');
    const spec = '{"scheme":"Quantize","dtype":"float16"}';
    const args = compress('--optimizer', 'direct', '--test', '200', '--json', '--out', out);
    const run = await condensa(args.map((a) => (a === prune ? spec : a)));
    expect(run.code, run.stderr.slice(0, 2000)).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.layout).toMatchObject({ format: 'tfjs', quantization: 'float16', compact: false });
    const manifest = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')).weightsManifest[0].weights;
    expect(
      manifest.every((w: { quantization?: { dtype: string } }) => w.quantization?.dtype === 'float16'),
    ).toBe(true);
    expect(report.summary.ratios.bytes).toBeGreaterThan(1.8); // float32 -> float16 weights
    rmSync(out, { recursive: true });
  });

  it('a spec without density: the search prints and records every sample and the chosen density', async () => {
    const out = join(scratch, 'searched');
    const spec = '{"scheme":"Prune"}';
    const args = compress(
      '--optimizer',
      'direct',
      '--train',
      '500',
      '--val',
      '200',
      '--test',
      '200',
      '--out',
      out,
    );
    const run = await condensa(args.map((a) => (a === prune ? spec : a)));
    expect(run.code, run.stderr.slice(0, 2000)).toBe(0);
    const chosen = Number(/chosen density: ([\d.]+) \(sparsity/.exec(run.stderr)?.[1]);
    const printed = run.stderr.match(/^ {2}sample \d+: density/gm) ?? [];
    const record = JSON.parse(readFileSync(join(out, 'record.json'), 'utf8'));
    expect(record.search.chosenDensity).toBeCloseTo(chosen, 4);
    expect(record.search.samples.length).toBe(printed.length);
    expect(printed.length).toBeGreaterThan(1);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.search.chosenDensity).toBe(record.search.chosenDensity);
    // The saved model is pruned at the chosen density.
    expect(summary.summary.after.nonzeros / summary.summary.before.parameters).toBeLessThan(chosen + 0.02);
    rmSync(out, { recursive: true });
  });
});
