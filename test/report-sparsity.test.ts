import { describe, expect, it } from 'vitest';
import { seedNet } from '../src/models/index.js';
import { clearPruning } from '../src/pruning/state.js';
import { formatSizeTable, sparsityReport } from '../src/report/index.js';
import { Prune, Quantize } from '../src/schemes/index.js';
import { trackTensors } from './helpers/leaks.js';

describe('sparsityReport', () => {
  it('prints the seed format per parameter and the global sparsity', () => {
    const leaks = trackTensors();
    const model = seedNet({ width: 0.125, seed: 1 });
    new Prune(0.25).pi(model);
    const r = sparsityReport(model);
    expect(r.lines[0]).toMatch(/^Sparsity in conv1\/kernel: \d+\.\d\d%$/);
    expect(r.lines).toContain('Sparsity in bn1/gamma: 0.00%');
    expect(r.lines.some((l) => l.includes('moving_mean'))).toBe(false);
    expect(r.lines.at(-1)).toMatch(/^Global sparsity: \d+\.\d\d%$/);
    expect(r.text).toBe(r.lines.join('\n'));
    // Prune(0.25) over conv/dense kernels: those are ~75% sparse; biases and BN are dense.
    const fc1 = r.table.find((row) => row.weight === 'fc1/kernel')!;
    expect(fc1.parameters).toBe(model.getLayer('fc1').getWeights()[0].size);
    expect(fc1.nonzeros).toBeLessThan(fc1.parameters * 0.5);
    const params = r.table.filter((row) => !row.buffer && row.weight !== 'total');
    const want =
      1 - params.reduce((s, x) => s + x.nonzeros, 0) / params.reduce((s, x) => s + x.parameters, 0);
    expect(r.lines.at(-1)).toBe(`Global sparsity: ${(100 * want).toFixed(2)}%`);
    expect(r.globalSparsity).toBeCloseTo(want, 12);
    clearPruning(model);
    model.dispose();
    leaks.check();
  });

  it('size table: float32 bytes, gzip shrinks with sparsity, quantized weights saved smaller', () => {
    const model = seedNet({ width: 0.125, seed: 1 });
    const dense = sparsityReport(model);
    const total = dense.table.at(-1)!;
    expect(total.weight).toBe('total');
    expect(total.savedBytes).toBe(total.denseBytes);
    expect(total.denseBytes).toBe(4 * total.parameters);
    expect(total.savedDtype).toBe('float32');
    new Prune(0.1).pi(model);
    const sparse = sparsityReport(model);
    expect(sparse.table.at(-1)!.gzipBytes).toBeLessThan(0.5 * total.gzipBytes);
    new Quantize({ dtype: 'float16' }).pi(model);
    const half = sparsityReport(model);
    const fc1 = half.table.find((r) => r.weight === 'fc1/kernel')!;
    expect(fc1.savedDtype).toBe('float16');
    expect(fc1.savedBytes).toBe(2 * fc1.parameters);
    expect(half.table.find((r) => r.weight === 'bn1/gamma')!.savedDtype).toBe('float32');
    expect(half.table.at(-1)!.savedDtype).toBe('mixed');
    const u8 = sparsityReport(model, { quantization: 'uint8' }).table.at(-1)!;
    expect(u8.savedBytes).toBe(u8.parameters);
    expect(formatSizeTable(half).split('\n')).toHaveLength(half.table.length + 1);
    clearPruning(model);
    model.dispose();
  });
});
