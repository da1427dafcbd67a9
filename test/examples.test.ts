import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

// Every script in examples/ runs here at small settings, in its own process exactly as a user
// runs it (`npx tsx examples/...`), so none of them rots. Each assertion checks the line the
// script exists to print, not just the exit code.
const run = promisify(execFile);
const scratch = mkdtempSync(join(tmpdir(), 'condensa-examples-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function example(args: string[], env: Record<string, string> = {}): Promise<string> {
  const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', ...args], {
    env: { ...process.env, ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout + stderr;
}

describe('examples', () => {
  it('demo compresses both shipped models and prints their before/after tables', async () => {
    const out = await example(['examples/demo.ts', '--out', join(scratch, 'demo')], { DEMO_SMALL: '1' });
    expect(out).toMatch(/tfjs backend '(wasm|cpu|tensorflow)'/);
    // LeNet-5: 90% of the weights gone, stored sparse; seedNet: filters removed, fewer FLOPs.
    const [lenet, seednet] = out.split('== seedNet');
    expect(Number(/non-zeros .* ([\d.]+)x/.exec(lenet)?.[1])).toBeGreaterThan(9);
    expect(Number(/bytes on disk .* ([\d.]+)x/.exec(lenet)?.[1])).toBeGreaterThan(5);
    expect(Number(/FLOPs \(1 image\) .* ([\d.]+)x/.exec(seednet)?.[1])).toBeGreaterThan(1.5);
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(join(scratch, 'demo')).sort()).toEqual(['lenet5-mnist', 'seednet-0.25-cifar10']);
    // Each run leaves a report whose training curve is drawn from the fine-tune's own log.
    const { readFileSync } = await import('node:fs');
    for (const model of ['lenet5-mnist', 'seednet-0.25-cifar10']) {
      const file = join(scratch, 'demo', model, 'report.html');
      expect(out).toContain(`report: ${file}`);
      const html = readFileSync(file, 'utf8');
      const curves = html.slice(html.indexOf('<h2>Training curves</h2>'));
      expect(curves.slice(0, curves.indexOf('</section>'))).toContain('<svg');
      expect(html).toMatch(/<th>flops<\/th>/);
    }
  });

  it('train.ts trains, saves a loadable model and a JSON record', async () => {
    const dir = join(scratch, 'lenet');
    const out = await example(['examples/train.ts', 'lenet5', 'mnist', '1', dir]);
    expect(out).toMatch(/accuracy/i);
    const { readFileSync } = await import('node:fs');
    const record = JSON.parse(readFileSync(join(dir, 'record.json'), 'utf8'));
    expect(record.epochs).toBe(1);
    expect(record.testAccuracy).toBeGreaterThan(0.97); // one full epoch: 98.5% measured
  });

  it('seed-experiments prints the seven experiments in the seed columns', async () => {
    const out = await example(['examples/seed-experiments.ts', '--subset', '200']);
    for (const row of [
      'Random Unstructured',
      'L1 Unstructured',
      'Random Structured',
      'Ln Structured',
      'Global',
    ]) {
      expect(out).toContain(row);
    }
    expect(out).toMatch(/\| accuracy \| drop \|/);
    expect(out).toMatch(/Global sparsity: 75\.00%/);
  });

  it('compress-mnist compresses LeNet-5 with Prune(0.1) + LC', async () => {
    const out = await example(['examples/compress-mnist.ts', '--small']);
    expect(out).toMatch(/test accuracy/i);
  });

  it("condensa-listing runs the seed's Listing 1 on MNIST at a tiny budget", async () => {
    const out = await example([
      'examples/condensa-listing.ts',
      '--dataset',
      'mnist',
      '--small',
      '--run-dir',
      join(scratch, 'listing'),
    ]);
    expect(out).toMatch(/sparsity/i);
    expect(out).toMatch(/throughput/i);
  });

  it('condensa-listing with --distill fine-tunes each sample against the dense model', async () => {
    const out = await example([
      'examples/condensa-listing.ts',
      '--dataset',
      'mnist',
      '--small',
      '--distill',
      '--proxy-iters',
      '5',
    ]);
    expect(out).toMatch(/chosen sparsity/i);
    expect(out).toMatch(/test accuracy: dense/i);
  });
});
