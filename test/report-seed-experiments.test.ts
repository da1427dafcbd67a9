import { describe, expect, it } from 'vitest';
import { formatExperimentTable, runSeedExperiments } from '../examples/seed-experiments.js';
import { trackTensors } from './helpers/leaks.js';

// The seed's experiments on a freshly built seedNet (width 0.25) over 50 CIFAR-10 test images:
// the pruned-parameter counts are exact functions of the architecture and the seed's amounts.
describe('examples/seed-experiments', () => {
  it('prunes exactly the seed-derived counts and reports every column', async () => {
    const leaks = trackTensors();
    const r = await runSeedExperiments({ fresh: true, width: 0.25, subset: 50 });
    expect(r.testImages).toBe(50);
    expect(r.trainableParameters).toBe(963466);
    const counts = Object.fromEntries(r.rows.map((row) => [row.id, row.parametersPruned]));
    // conv1: 3*3*3*64 = 1728 kernel entries + 64 biases; 40% -> round(691.2) = 691, round(25.6) = 26;
    // filters: round(0.4 * 64) = 26 (27 for 0.41479) filters of 27 entries each.
    expect(counts).toEqual({
      '1a': 691,
      '1b': 717,
      '2a': 691,
      '2b': 717,
      '3a': 702,
      '3b': 729,
      '4a': 702,
      '4b': 729,
      '5': 347945,
      '6': 722600,
      '7': 896,
      '7t': 896,
    });
    const global = r.rows.find((row) => row.id === '6')!;
    expect(global.percentPruned).toBeCloseTo(75, 2);
    expect(global.gzipBytes).toBeLessThan(0.5 * r.baseline.gzipBytes);
    for (const row of r.rows) {
      expect(row.accuracy).toBeGreaterThanOrEqual(0);
      expect(row.accuracy).toBeLessThanOrEqual(1);
      expect(row.savedBytes).toBe(r.baseline.savedBytes);
    }
    expect(r.globalReport.lines.at(-1)).toMatch(/^Global sparsity: 7[45]\.\d\d%$/);
    expect(formatExperimentTable(r).split('\n').length).toBe(r.rows.length + 4);
    leaks.check();
  });
});
