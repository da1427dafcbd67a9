import type { SearchReport } from '../compressor/search-options.js';

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
