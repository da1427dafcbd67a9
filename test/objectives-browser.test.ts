import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { findChromium } from '../src/browser-runtime/index.js';
import { lenet5 } from '../src/models/index.js';
import { latency, Minimize, throughput } from '../src/objectives/index.js';
import { trackTensors } from './helpers/leaks.js';

/** Chromium processes started by this test process (playwright-core's children). */
function chromiumChildren(): string[] {
  const out = execFileSync('ps', ['-o', 'comm=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  return out.split('\n').filter((c) => /chrom/i.test(c));
}

describe.skipIf(!findChromium())('speed objectives in headless Chromium', () => {
  it('measure a small model in the page as a search goal, and close the browser afterwards', async () => {
    const leaks = trackTensors();
    const model = lenet5({ seed: 0 });
    const goal = new Minimize(latency({ runtime: 'browser', repeats: 5 }));
    expect(goal.name).toBe('minimize(latency(p50)@browser(wasm))');
    const ms = await goal.measure(model);
    expect(ms).toBeGreaterThan(0);
    expect(ms).toBeLessThan(10_000);
    const ips = await throughput({ runtime: 'browser', batchSize: 8, repeats: 2 }).measure(model);
    expect(ips).toBeGreaterThan(0);
    expect(chromiumChildren(), 'Chromium left running').toEqual([]);
    model.dispose();
    leaks.check();
  });

  it('a backend that is not a tfjs backend is a typed error naming it', async () => {
    const model = lenet5({ seed: 0 });
    const bogus = latency({ runtime: 'browser', repeats: 1, browserBackend: 'webgpu' as 'wasm' });
    await expect(bogus.measure(model)).rejects.toThrow(/backend 'webgpu' did not start/);
    expect(chromiumChildren()).toEqual([]);
    model.dispose();
  });
});
