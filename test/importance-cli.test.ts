import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSensitivity } from '../src/search/sensitivity.js';

// `condensa sensitivity` end to end, in its own process as users run it.
const run = promisify(execFile);
const scratch = mkdtempSync(join(tmpdir(), 'condensa-sens-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const cli = (args: string[]) => run(process.execPath, ['bin/condensa.js', ...args], { maxBuffer: 16 << 20 });

describe('condensa sensitivity', () => {
  it('writes the profile as JSON and CSV and prints Han densities', async () => {
    const out = join(scratch, 'sens');
    const { stdout } = await cli([
      'sensitivity',
      '--model',
      'lenet5-mnist',
      '--dataset',
      'mnist',
      '--layers',
      'conv1,fc1',
      '--sparsities',
      '0,0.9',
      '--importance',
      'apoz',
      '--val',
      '200',
      '--calibration',
      '50',
      '--budget',
      '0.02',
      '--out',
      out,
    ]);
    const profile = parseSensitivity(readFileSync(join(out, 'sensitivity.json'), 'utf8'));
    expect(profile.importance).toBe('apoz');
    expect(profile.layers.map((l) => l.layer)).toEqual(['conv1', 'fc1']);
    for (const l of profile.layers) expect(l.points[0].metric).toBe(profile.baseline);
    // Nine tenths of conv1's six filters gone costs accuracy.
    expect(profile.layers[0].points[1].metric).toBeLessThan(profile.baseline);
    const csv = readFileSync(join(out, 'sensitivity.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(5);
    const densities = JSON.parse(stdout.trim().split('\n').pop()!).densities as Record<string, number>;
    expect(Object.keys(densities)).toEqual(['conv1', 'fc1']);
    await expect(
      cli(['sensitivity', '--model', 'lenet5-mnist', '--dataset', 'mnist', '--out', out]),
    ).rejects.toThrow(/not empty/);
  });
});
