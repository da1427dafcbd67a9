import type { Summary } from './summary.js';

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const pct = (x: number | null): string => (x === null ? '-' : `${(100 * x).toFixed(2)}%`);
const times = (r: number | null): string =>
  r === null ? '-' : Number.isFinite(r) ? `${r.toFixed(2)}x` : 'inf';
const mega = (n: number | null): string => (n === null ? '-' : `${(n / 1e6).toFixed(2)} M`);
const kb = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;

/**
 * A {@link Summary} as a plain-text before/after table (one row per figure: before, after, and
 * the ratio, where > 1 means smaller or faster after compression).
 *
 * @example
 * ```ts
 * console.log(formatSummary(await summary(dense, pruned, { data })));
 * // figure               before        after   ratio
 * // accuracy             99.01%       98.87%   -0.14 pt
 * // ...
 * ```
 */
export function formatSummary(s: Summary): string {
  const { before: b, after: a, ratios: r } = s;
  const change =
    s.accuracyChange === null
      ? '-'
      : `${s.accuracyChange >= 0 ? '+' : ''}${(100 * s.accuracyChange).toFixed(2)} pt`;
  const rows: [string, string, string, string][] = [
    ['figure', 'before', 'after', 'ratio'],
    [`accuracy (${int(s.examples)} images)`, pct(b.accuracy), pct(a.accuracy), change],
    ['parameters', int(b.parameters), int(a.parameters), times(r.parameters)],
    ['non-zeros', int(b.nonzeros), int(a.nonzeros), times(r.nonzeros)],
    ['FLOPs (1 image)', mega(b.flops), mega(a.flops), times(r.flops)],
    ['bytes on disk', kb(b.bytes), kb(a.bytes), times(r.bytes)],
    ['gzip bytes', kb(b.gzipBytes), kb(a.gzipBytes), times(r.gzipBytes)],
    [
      `latency, batch 1 (${s.backend})`,
      `${b.latencyMs.toFixed(2)} ms`,
      `${a.latencyMs.toFixed(2)} ms`,
      times(r.latency),
    ],
    [
      `throughput, batch 64 (${s.backend})`,
      `${int(b.throughput)}/s`,
      `${int(a.throughput)}/s`,
      times(r.throughput),
    ],
  ];
  const width = [0, 1, 2, 3].map((c) => Math.max(...rows.map((row) => row[c].length)));
  return rows
    .map(([name, ...cells]) =>
      [name.padEnd(width[0]), ...cells.map((c, i) => c.padStart(width[i + 1]))].join('  '),
    )
    .join('\n');
}
