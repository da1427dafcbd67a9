import { mkdtemp, readFile, rm, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  SAMPLE_LOG_NAME,
  globalSearch,
  perLayerSearch,
  type Sample,
  type SampleFn,
} from '../src/search/index.js';
import { CondensaError } from '../src/errors.js';

const EPS = { eps: 0.02, mode: 'absolute' as const };
const accuracy = (s: number) =>
  0.9 - 0.6 / (1 + Math.exp(-(s - 0.65) / 0.05)) + 0.6 / (1 + Math.exp(0.65 / 0.05));
const sample: SampleFn<number> = async (d) => ({ accuracy: accuracy(1 - d), objective: 1 / d });
const options = { baseAccuracy: 0.9, eps: EPS, budget: 9, seed: 3 };
const strip = (samples: Sample<number>[]) => samples.map(({ replayed: _r, ...rest }) => rest);

let runDir: string;
beforeEach(async () => {
  runDir = await mkdtemp(join(tmpdir(), 'condensa-search-'));
});
afterEach(async () => {
  await rm(runDir, { recursive: true, force: true });
});

describe('sample log and resume', () => {
  it('writes one JSON line per finished sample after a header', async () => {
    const r = await globalSearch({ ...options, sample, runDir });
    const lines = (await readFile(join(runDir, SAMPLE_LOG_NAME), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(1 + r.samples.length);
    expect(JSON.parse(lines[0]).kind).toBe('header');
    const logged = lines.slice(1).map((l) => JSON.parse(l).sample);
    expect(logged.map((s) => s.density)).toEqual(r.samples.map((s) => s.density));
    expect(logged.map((s) => s.accuracy)).toEqual(r.samples.map((s) => s.accuracy));
  });

  it('resumes a search killed after k samples without repeating any, ending as an uninterrupted run', async () => {
    const uninterrupted = await globalSearch({ ...options, sample });
    const k = 4;
    let calls = 0;
    const dying: SampleFn<number> = async (d, ctx) => {
      if (calls++ === k) throw new Error('killed');
      return sample(d, ctx);
    };
    await expect(globalSearch({ ...options, sample: dying, runDir })).rejects.toThrow('killed');
    const seen: number[] = [];
    const counting: SampleFn<number> = async (d, ctx) => {
      seen.push(d);
      expect(ctx.index).toBeGreaterThanOrEqual(k);
      return sample(d, ctx);
    };
    const resumed = await globalSearch({ ...options, sample: counting, runDir });
    expect(resumed.samples.slice(0, k).every((s) => s.replayed)).toBe(true);
    expect(resumed.samples.slice(k).every((s) => !s.replayed)).toBe(true);
    expect(seen).toHaveLength(uninterrupted.samples.length - k);
    const replayedDensities = resumed.samples.slice(0, k).map((s) => s.density);
    for (const d of seen) expect(replayedDensities).not.toContain(d);
    expect(strip(resumed.samples)).toEqual(strip(uninterrupted.samples));
    expect(resumed.best!.density).toBe(uninterrupted.best!.density);
    // A third run replays everything and calls nothing.
    let more = 0;
    await globalSearch({ ...options, runDir, sample: async (d, c) => (more++, sample(d, c)) });
    expect(more).toBe(0);
  });

  it('stops between samples on an AbortSignal and resumes from there', async () => {
    const controller = new AbortController();
    let taken = 0;
    await expect(
      globalSearch({
        ...options,
        sample,
        runDir,
        signal: controller.signal,
        onSample: () => {
          if (++taken === 3) controller.abort();
        },
      }),
    ).rejects.toThrow(/abort/i);
    const lines = (await readFile(join(runDir, SAMPLE_LOG_NAME), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(1 + 3);
    const resumed = await globalSearch({ ...options, sample, runDir });
    const uninterrupted = await globalSearch({ ...options, sample });
    expect(resumed.samples.filter((s) => s.replayed)).toHaveLength(3);
    expect(strip(resumed.samples)).toEqual(strip(uninterrupted.samples));
  });

  it('drops a torn last line, and refuses a log from a different search', async () => {
    await expect(globalSearch({ ...options, sample, runDir, budget: 3 })).resolves.toBeDefined();
    const path = join(runDir, SAMPLE_LOG_NAME);
    const full = await readFile(path, 'utf8');
    const lines = full.trim().split('\n');
    // Simulate a kill in the middle of appending the third sample.
    await writeFile(path, lines.slice(0, 3).join('\n') + '\n' + lines[3].slice(0, 20));
    let calls = 0;
    const r = await globalSearch({
      ...options,
      runDir,
      budget: 3,
      sample: async (d, c) => (calls++, sample(d, c)),
    });
    expect(calls).toBe(1);
    expect(await readFile(path, 'utf8')).toBe(full);
    expect(r.samples.map((s) => s.replayed)).toEqual([true, true, false]);
    await expect(globalSearch({ ...options, sample, runDir, seed: 99 })).rejects.toThrow(CondensaError);
    await expect(globalSearch({ ...options, sample, runDir, seed: 99 })).rejects.toThrow(/different search/);
  });

  it('refuses to replay a log whose densities do not match the resumed search', async () => {
    await globalSearch({ ...options, sample, runDir, budget: 3 });
    const path = join(runDir, SAMPLE_LOG_NAME);
    const lines = (await readFile(path, 'utf8')).trim().split('\n');
    const tampered = JSON.parse(lines[1]);
    tampered.sample.density = 0.123;
    await writeFile(path, [lines[0], JSON.stringify(tampered)].join('\n') + '\n');
    await expect(globalSearch({ ...options, sample, runDir, budget: 3 })).rejects.toThrow(/search changed/);
    await appendFile(path, 'not json\n');
    await expect(globalSearch({ ...options, sample, runDir, budget: 3 })).rejects.toThrow(/not valid JSON/);
  });

  it('resumes a per-layer search, reusing the cached sensitivity profile', async () => {
    const layers = ['a', 'b', 'c'];
    const k: Record<string, number> = { a: 0.2, b: 1, c: 3 };
    const acc = (s: Record<string, number>) => {
      const d = layers.reduce((t, l) => t + k[l] * (s[l] ?? 0) ** 4, 0) / 3;
      return 0.9 - 0.6 * (2 / (1 + Math.exp(-d / 0.1)) - 1);
    };
    const perLayerSample: SampleFn<Record<string, number>> = async (dens) => ({
      accuracy: acc(Object.fromEntries(layers.map((l) => [l, 1 - dens[l]]))),
      objective: 0,
    });
    let probes = 0;
    const profile = async (layer: string, density: number) => (probes++, acc({ [layer]: 1 - density }));
    const opts = { layers, baseAccuracy: 0.9, eps: EPS, budget: 6, seed: 1, profile, runDir };
    let calls = 0;
    await expect(
      perLayerSearch({
        ...opts,
        sample: async (d, c) => {
          if (calls++ === 3) throw new Error('killed');
          return perLayerSample(d, c);
        },
      }),
    ).rejects.toThrow('killed');
    expect(probes).toBe(6);
    const resumed = await perLayerSearch({ ...opts, sample: perLayerSample });
    expect(probes).toBe(6);
    expect(resumed.samples.filter((s) => s.replayed)).toHaveLength(3);
    const fresh = await perLayerSearch({ ...opts, runDir: undefined, sample: perLayerSample });
    expect(resumed.samples.map((s) => s.density)).toEqual(fresh.samples.map((s) => s.density));
  });
});
