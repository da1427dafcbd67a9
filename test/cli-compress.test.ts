import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel } from '../src/io/index.js';
import { loadPretrained } from '../src/models/index.js';
import { trackTensors } from './helpers/leaks.js';

// `condensa compress` end to end, in its own process as users run it.
const run = promisify(execFile);
const scratch = mkdtempSync(join(tmpdir(), 'condensa-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const cli = (args: string[]) => run(process.execPath, ['bin/condensa.js', ...args], { maxBuffer: 16 << 20 });

describe('condensa compress', () => {
  it('prunes the pretrained LeNet-5 with a spec, recovers with L-C and saves a loadable model', async () => {
    const out = join(scratch, 'pruned');
    const spec = '{"scheme":"Prune","density":0.1}';
    const args = ['compress', '--model', 'lenet5-mnist', '--dataset', 'mnist', '--spec', spec];
    const { stdout } = await cli([
      ...args,
      '--steps',
      '2',
      '--iterations',
      '30',
      '--train',
      '2000',
      '--out',
      out,
    ]);
    const acc = Number(/test accuracy ([\d.]+)%/.exec(stdout)?.[1]);
    expect(acc).toBeGreaterThan(50); // 90% of the weights gone after a 60-minibatch recovery
    const leaks = trackTensors();
    const model = await loadModel(out);
    const kernels = model.layers.flatMap((l) => l.getWeights()).filter((w) => w.shape.length > 1);
    const total = kernels.reduce((n, w) => n + w.size, 0);
    const nonzero = kernels.reduce(
      (n, w) => n + (w.dataSync() as Float32Array).filter((v) => v !== 0).length,
      0,
    );
    expect(nonzero / total).toBeLessThanOrEqual(0.1 + 1e-3);
    const record = JSON.parse(readFileSync(join(out, 'record.json'), 'utf8'));
    expect(record.scheme).toEqual({ scheme: 'Prune', density: 0.1 });
    expect(record.testAccuracy).toBeCloseTo(acc / 100, 4);
    model.dispose();
    leaks.check();
    // The output now exists: a second run must refuse to overwrite it, with a one-line error.
    await expect(cli([...args, '--optimizer', 'direct', '--out', out])).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/condensa: --out .* is not empty/),
    });
  });

  it('rejects an invalid spec with its JSON path', async () => {
    const args = ['compress', '--model', 'lenet5-mnist', '--dataset', 'mnist', '--dry-run'];
    await expect(cli([...args, '--spec', '{"scheme":"Prune","density":1.5}'])).rejects.toMatchObject({
      stderr: expect.stringMatching(/\$\.density: density must be a number in \(0, 1\]/),
    });
    await expect(
      cli([...args, '--spec', '{"scheme":"Prune","density":0.5}', '--distill', '2']),
    ).rejects.toMatchObject({
      stderr: expect.stringMatching(/--distill must be a number in \[0, 1\], got '2'/),
    });
  });

  it('fine-tunes against the input model with --distill and saves the sparse layout', async () => {
    const out = join(scratch, 'sparse');
    const spec = '{"scheme":"Prune","density":0.2}';
    const args = ['compress', '--model', 'lenet5-mnist', '--dataset', 'mnist', '--spec', spec];
    const { stdout } = await cli([
      ...args,
      '--optimizer',
      'finetune',
      '--iterations',
      '30',
      '--train',
      '1000',
      '--distill',
      '--format',
      'sparse',
      '--out',
      out,
    ]);
    expect(stdout).toMatch(/Prune \+ FineTune \(distilled\)/);
    expect(Number(/test accuracy ([\d.]+)%/.exec(stdout)?.[1])).toBeGreaterThan(90);
    expect(readdirSync(out).sort()).toEqual([
      'model.sparse.json',
      'record.json',
      'summary.json',
      'training-log.jsonl',
      'weights.sparse.bin',
    ]);
    const [model, dense] = [await loadModel(out), await loadPretrained('lenet5-mnist')];
    expect(model.countParams()).toBe(dense.countParams());
    model.dispose();
    dense.dispose();
  });
});
