import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { SearchReport } from '../compressor/search-options.js';
import { RUN_FILES } from '../report/run-dir.js';
import { SampleLog } from '../search/sample-log.js';
import type { Density } from '../search/types.js';

const show = (d: number | Record<string, number>): string =>
  typeof d === 'number'
    ? d.toFixed(4)
    : Object.entries(d)
        .map(([k, v]) => `${k}=${v.toFixed(3)}`)
        .join(' ');

/**
 * The lines printed when the Compressor searched the density (a spec without one): every
 * sample, then the chosen density, so a search never decides silently.
 */
export function searchLines(s: SearchReport): string[] {
  return [
    `density search (${s.mode}, ${s.objectiveName}, accuracy threshold ${(100 * s.threshold).toFixed(2)}%):`,
    ...s.samples.map(
      (x) =>
        `  sample ${x.index}: density ${show(x.density)}, val acc ${(100 * x.accuracy).toFixed(2)}%, ` +
        `objective ${x.objective.toPrecision(4)}${x.feasible ? '' : ' (infeasible)'}`,
    ),
    `chosen density: ${show(s.chosenDensity)} (sparsity ${(100 * s.chosenSparsity).toFixed(2)}%)` +
      (s.feasible ? '' : `; no sample met the budget: ${s.message ?? 'closest one kept'}`),
  ];
}

/** The search as recorded in record.json and summary.json. */
export function searchRecord(s: SearchReport): Record<string, unknown> {
  return {
    mode: s.mode,
    objective: s.objectiveName,
    feasible: s.feasible,
    chosenDensity: s.chosenDensity,
    chosenSparsity: s.chosenSparsity,
    threshold: s.threshold,
    samples: s.samples.map(({ index, density, sparsity, accuracy, objective, feasible }) => ({
      index,
      density,
      sparsity,
      accuracy,
      objective,
      feasible,
    })),
  };
}

/**
 * Write the search's samples into a run directory as the search's own sample log (header line,
 * then one line per sample), so `condensa report` shows the accuracy/sparsity plot and the trace.
 * A log left there by an earlier run (an `--overwrite`n directory) is replaced, not appended to.
 */
export async function writeSearchSamples(dir: string, s: SearchReport): Promise<string> {
  const file = join(dir, RUN_FILES.samples);
  await rm(file, { force: true });
  const log = await SampleLog.open<Density>(file, {
    mode: s.mode,
    objective: s.objectiveName,
    direction: s.direction,
    baseAccuracy: s.baseAccuracy,
    threshold: s.threshold,
    chosenSparsity: s.chosenSparsity,
    feasible: s.feasible,
  });
  for (const sample of s.samples) await log.append(sample);
  return file;
}
