/**
 * Seconds `writeReport` takes on run directories (reading the run, loading the saved model,
 * rendering the Vega-Lite plots to SVG), best of three per directory. What `--report` and the
 * demo's reports add to a run.
 *
 *   npm run demo -- --out /tmp/condensa-demo
 *   npx tsx bench/report/write-report.ts /tmp/condensa-demo/lenet5-mnist /tmp/condensa-demo/seednet-0.25-cifar10
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../src/backend/index.js';
import { writeReport } from '../../src/report/index.js';

const dirs = process.argv.slice(2);
if (dirs.length === 0) throw new Error('pass one or more run directories (e.g. the demo outputs)');
await initBackend();
const scratch = mkdtempSync(join(tmpdir(), 'condensa-report-bench-'));
try {
  for (const [i, dir] of dirs.entries()) {
    const times: number[] = [];
    let plots = 0;
    for (let round = 0; round < 3; round++) {
      const started = performance.now();
      plots = (await writeReport(dir, join(scratch, `${i}.html`))).plots;
      times.push((performance.now() - started) / 1000);
    }
    console.log(`${dir}: ${Math.min(...times).toFixed(2)} s (${plots} plots)`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
