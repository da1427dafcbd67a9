import type * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { DataError } from '../errors.js';
import { loadModel } from '../io/load.js';
import {
  accuracyVsSparsity,
  densityBars,
  renderSvg,
  searchTrace,
  trainingCurves,
  type Row,
} from './plots.js';
import { readRunDir, RUN_FILES, type RunContents, type RunSummary } from './run-dir.js';
import { formatSizeTable, sparsityReport } from './sparsity.js';

/** Options of {@link writeReport}. */
export interface WriteReportOptions {
  /** The compressed model to show (default: the model saved in the run directory, if any). */
  model?: tf.LayersModel;
  /** Page title (default: `condensa-ts report: <run dir>`). */
  title?: string;
}

/** What {@link writeReport} wrote. */
export interface WriteReportResult {
  file: string;
  /** Titles of the sections that had data. */
  sections: string[];
  /** Number of SVG plots embedded. */
  plots: number;
  /** Files of the run that could not be read (also listed in the report). */
  problems: string[];
}

const esc = (s: unknown): string => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function formatValue(v: unknown): string {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return String(v);
    return Number.isInteger(v) ? v.toLocaleString('en-US') : v.toPrecision(4);
  }
  if (v === null || v === undefined) return '–';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/**
 * A summary field beside the table. Long structures (a compress run's scheme report, layout,
 * search record) fold into an indented JSON block, so they neither stretch the table nor vanish.
 */
function extraValue(v: unknown): string {
  const text = formatValue(v);
  if (typeof v !== 'object' || v === null || text.length <= 80) return esc(text);
  return `<details><summary>${esc(text.slice(0, 60))}…</summary><pre>${esc(JSON.stringify(v, null, 2))}</pre></details>`;
}

/** The before/after table: one row per metric found on either side, with the ratio if given. */
function summaryTable(summary: RunSummary): string {
  const before = (summary.before ?? {}) as Record<string, unknown>;
  const after = (summary.after ?? {}) as Record<string, unknown>;
  const ratios = (summary.ratios ?? {}) as Record<string, unknown>;
  const metrics = [...new Set([...Object.keys(before), ...Object.keys(after), ...Object.keys(ratios)])];
  const rows = metrics.map(
    (m) =>
      `<tr><th>${esc(m)}</th><td>${esc(formatValue(before[m]))}</td><td>${esc(formatValue(after[m]))}</td>` +
      `<td>${typeof ratios[m] === 'number' ? esc(`${(ratios[m] as number).toFixed(2)}×`) : esc(formatValue(ratios[m]))}</td></tr>`,
  );
  const extra = Object.entries(summary)
    .filter(([k]) => !['before', 'after', 'ratios'].includes(k))
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td colspan="3">${extraValue(v)}</td></tr>`);
  return (
    '<table><thead><tr><th>metric</th><th>before</th><th>after</th><th>after / before</th></tr></thead>' +
    `<tbody>${rows.join('')}${extra.join('')}</tbody></table>`
  );
}

function searchTable(run: RunContents): string {
  const rows = run.samples.map(
    (s) =>
      `<tr><td>${s.index}</td><td>${(100 * s.sparsity).toFixed(1)}%</td><td>${esc(formatValue(s.objective))}</td>` +
      `<td>${(100 * s.accuracy).toFixed(2)}%</td><td>${s.feasible ? 'yes' : 'no'}</td></tr>`,
  );
  return (
    '<table><thead><tr><th>sample</th><th>sparsity</th><th>objective</th><th>accuracy</th><th>feasible</th></tr></thead>' +
    `<tbody>${rows.join('')}</tbody></table>`
  );
}

/** The search's settings from the sample log's header line (mode, bounds, budget, seed...). */
function searchSettings(search: Record<string, unknown> | undefined): string {
  if (!search) return '';
  const items = Object.entries(search).map(([k, v]) => `${esc(k)}: ${esc(formatValue(v))}`);
  return `<p>${items.join('; ')}</p>`;
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:60em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5em 0}th,td{padding:.2em .8em;border-bottom:1px solid #eee;text-align:right}
th:first-child{text-align:left}pre{background:#f6f6f6;padding:.8em;overflow-x:auto}.plot svg{max-width:100%;height:auto}
.none{color:#777;font-style:italic}details{text-align:left}details pre{font-size:12px}`;

/**
 * Write one self-contained HTML report of a run directory: the before/after table
 * (`summary.json`), per-layer density bars and the seed-format sparsity report (of the saved
 * model), accuracy against sparsity (search samples and per-layer sensitivity probes), the
 * search trace, and the training curves (`training-log.jsonl`). Plots are SVG rendered in Node
 * and inlined: the file opens offline, with no script. Parts a run does not have say so.
 *
 * @example
 * ```ts
 * const { file, plots } = await writeReport('runs/lenet5-prune', 'runs/lenet5-prune/report.html');
 * ```
 */
export async function writeReport(
  runDir: string,
  outFile: string,
  opts: WriteReportOptions = {},
): Promise<WriteReportResult> {
  const dir = resolve(runDir);
  if (!existsSync(dir))
    throw new DataError(`run directory ${dir} does not exist: pass the folder a run wrote`);
  const run = await readRunDir(dir);
  const model = opts.model ?? (run.modelDir ? await loadModel(run.modelDir) : undefined);
  const sections: string[] = [];
  let plots = 0;
  const body: string[] = [];
  const section = (title: string, html: string | undefined, missing: string): void => {
    body.push(`<section><h2>${esc(title)}</h2>${html ?? `<p class="none">${esc(missing)}</p>`}</section>`);
    if (html !== undefined) sections.push(title);
  };
  const plot = async (spec: Parameters<typeof renderSvg>[0]): Promise<string> => {
    plots++;
    return `<div class="plot">${await renderSvg(spec)}</div>`;
  };

  try {
    section(
      'Before and after',
      run.summary && summaryTable(run.summary),
      `no ${RUN_FILES.summary} in this run`,
    );

    const sparsity = model ? sparsityReport(model) : undefined;
    const layerRows = sparsity?.table
      .filter((r) => !r.buffer && r.weight !== 'total')
      .map((r) => ({ weight: r.weight, density: r.parameters ? r.nonzeros / r.parameters : 0 }));
    section(
      'Density per layer',
      layerRows && (await plot(densityBars(layerRows))),
      'no saved model in this run directory (pass one with --model)',
    );

    const samples: Row[] = run.samples.map((s) => ({ ...s, feasible: s.feasible ? 'yes' : 'no' }));
    const sensitivity: Row[] = Object.entries(run.sensitivity?.accuracy ?? {}).flatMap(([layer, accs]) =>
      accs.map((accuracy, i) => ({ layer, accuracy, sparsity: 1 - run.sensitivity!.densities[i] })),
    );
    section(
      'Accuracy against sparsity',
      samples.length + sensitivity.length > 0
        ? await plot(accuracyVsSparsity(samples, sensitivity))
        : undefined,
      `no search samples (${RUN_FILES.samples}) or sensitivity probes (${RUN_FILES.sensitivity}) in this run`,
    );

    const objectiveName = String(run.search?.objective ?? 'objective');
    section(
      'Search trace',
      samples.length > 0
        ? searchSettings(run.search) + (await plot(searchTrace(samples, objectiveName))) + searchTable(run)
        : undefined,
      `no search samples (${RUN_FILES.samples}) in this run`,
    );

    const curves: Row[] = run.training.flatMap(({ step, ...series }) =>
      Object.entries(series)
        .filter(([, v]) => typeof v === 'number' && Number.isFinite(v))
        .map(([name, value]) => ({ step, series: name, value })),
    );
    section(
      'Training curves',
      curves.length > 0 ? await plot(trainingCurves(curves)) : undefined,
      `no training log (${RUN_FILES.training}) in this run`,
    );

    section(
      'Sparsity report',
      sparsity && `<pre>${esc(sparsity.text)}</pre><pre>${esc(formatSizeTable(sparsity))}</pre>`,
      'no saved model in this run directory (pass one with --model)',
    );
  } finally {
    if (!opts.model) model?.dispose();
  }

  if (run.problems.length > 0) {
    body.push(
      `<section><h2>Unreadable files</h2><ul>${run.problems.map((p) => `<li>${esc(p)}</li>`).join('')}</ul></section>`,
    );
  }
  const title = opts.title ?? `condensa-ts report: ${dir}`;
  const html =
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>` +
    `<style>${STYLE}</style></head><body><h1>${esc(title)}</h1>` +
    `<p>Generated ${esc(new Date().toISOString())} from ${esc(dir)}${run.modelDir ? `; model: ${esc(run.modelDir)}` : ''}.</p>` +
    `${body.join('\n')}</body></html>\n`;
  const file = resolve(outFile);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, html);
  return { file, sections, plots, problems: run.problems };
}
