import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel } from '../src/io/index.js';
import { condensa } from './helpers/cli.js';

// The commands that turn one saved model into another, end to end through the real CLI.
const scratch = mkdtempSync(join(tmpdir(), 'condensa-commands-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const summaryOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')).summary;

describe('condensa compact, quantize, export', () => {
  it('compact removes the channels a FilterPrune left, with the same accuracy; export writes ONNX of it', async () => {
    const pruned = join(scratch, 'filters');
    const compacted = join(scratch, 'compacted');
    // conv1 kept whole: its 6 filters would otherwise fall under the global threshold.
    const spec = '{"scheme":"FilterPrune","density":0.5,"densities":{"conv1":1}}';
    const first = await condensa([
      'compress',
      '--model',
      'lenet5-mnist',
      '--dataset',
      'mnist',
      '--spec',
      spec,
      '--optimizer',
      'direct',
      '--no-compact',
      '--test',
      '200',
      '--out',
      pruned,
    ]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/saved as: float32 weights, tfjs layout/);
    const second = await condensa([
      'compact',
      pruned,
      '--out',
      compacted,
      '--dataset',
      'mnist',
      '--test',
      '200',
    ]);
    expect(second.code, second.stderr).toBe(0);
    const s = summaryOf(compacted);
    expect(s.after.accuracy).toBe(s.before.accuracy); // compaction removes only zeros
    expect(s.ratios.parameters).toBeGreaterThan(1.3);
    expect(s.ratios.flops).toBeGreaterThan(1.3);
    const onnx = join(scratch, 'compacted.onnx');
    const third = await condensa(['export', compacted, '--onnx', '--out', onnx]);
    expect(third.code, third.stderr).toBe(0);
    const session = await ort.InferenceSession.create(onnx);
    expect(session.inputNames).toEqual(['input']);
    await session.release();
    const model = await loadModel(compacted);
    expect(model.countParams()).toBe(s.after.parameters);
    model.dispose();
  });

  it('quantize --weights int8 stores uint8 affine weights, 4x smaller', async () => {
    const out = join(scratch, 'int8');
    const run = await condensa([
      'quantize',
      'lenet5-mnist',
      '--weights',
      'int8',
      '--out',
      out,
      '--dataset',
      'mnist',
      '--test',
      '200',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')).weightsManifest[0].weights;
    expect(
      manifest.every((w: { quantization?: { dtype: string } }) => w.quantization?.dtype === 'uint8'),
    ).toBe(true);
    const s = summaryOf(out);
    expect(s.ratios.bytes).toBeGreaterThan(3.5);
    expect(s.after.accuracy).toBeGreaterThan(s.before.accuracy - 0.02); // 8 bits barely move LeNet-5
  });

  it('compress compacts a structured scheme by default and says so', async () => {
    const spec = '{"scheme":"FilterPrune","density":0.5,"densities":{"conv1":1}}';
    const run = await condensa([
      'compress',
      '--model',
      'lenet5-mnist',
      '--dataset',
      'mnist',
      '--spec',
      spec,
      '--optimizer',
      'direct',
      '--test',
      '200',
      '--dry-run',
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.layout).toMatchObject({ compact: true, format: 'tfjs' });
    expect(report.layout.reason).toMatch(/compacted \(structured pruning\)/);
    expect(report.summary.ratios.flops).toBeGreaterThan(1.3);
    expect(report.out).toBeNull();
  });
});
