import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RUN_FILES } from '../src/report/run-dir.js';
import { condensa } from './helpers/cli.js';

// A compress run leaves a directory that `condensa report` turns into a page a person can read:
// the real CLI, a real LeNet-5 and real MNIST images, small enough for a few seconds.
const scratch = mkdtempSync(join(tmpdir(), 'condensa-run-report-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const small = ['--model', 'lenet5-mnist', '--dataset', 'mnist', '--train', '500', '--val', '100'];

/** The HTML of one `<section>` of the report, found by its heading. */
function section(html: string, title: string): string {
  const start = html.indexOf(`<h2>${title}</h2>`);
  expect(start, `section "${title}" missing`).toBeGreaterThan(-1);
  return html.slice(start, html.indexOf('</section>', start));
}

const jsonLines = (file: string): Record<string, unknown>[] =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('condensa compress --report', () => {
  it('writes the training curve of the recovery and a report with the table and an SVG curve', async () => {
    const out = join(scratch, 'prune');
    const spec = '{"scheme":"Prune","density":0.1}';
    const run = await condensa([
      'compress',
      ...small,
      '--spec',
      spec,
      '--optimizer',
      'finetune',
      '--iterations',
      '20',
      '--test',
      '500',
      '--out',
      out,
      '--report',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const file = join(out, RUN_FILES.report);
    expect(run.stdout).toContain(`report: ${file}`);

    // One line per minibatch (finite loss, decaying lr), then the step's validation accuracy.
    const log = jsonLines(join(out, RUN_FILES.training));
    const losses = log.filter((l) => 'loss' in l);
    expect(losses.map((l) => l.step)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(losses.every((l) => Number.isFinite(l.loss) && (l.lr as number) > 0)).toBe(true);
    expect(log.some((l) => typeof l.valAccuracy === 'number')).toBe(true);
    expect(existsSync(join(out, RUN_FILES.samples))).toBe(false); // no search ran

    const html = readFileSync(file, 'utf8');
    const table = section(html, 'Before and after');
    expect(table).toMatch(/<th>nonzeros<\/th><td>61,706<\/td><td>[\d,]+<\/td><td>9\.\d+×<\/td>/);
    expect(table).toMatch(/<th>accuracy<\/th>/);
    expect(section(html, 'Training curves')).toMatch(/<svg[\s\S]*<path[\s\S]*<\/svg>/);
    expect(section(html, 'Density per layer')).toContain('<svg');
    expect(section(html, 'Search trace')).toContain('no search samples');
  });

  it('a density search run by compress leaves its samples, shown as the search trace', async () => {
    const out = join(scratch, 'search');
    const run = await condensa([
      'compress',
      ...small,
      '--spec',
      '{"scheme":"Prune"}',
      '--optimizer',
      'finetune',
      '--iterations',
      '5',
      '--test',
      '100',
      '--out',
      out,
    ]);
    expect(run.code, run.stderr).toBe(0);
    const [header, ...samples] = jsonLines(join(out, RUN_FILES.samples));
    expect(header.kind).toBe('header');
    expect(samples.length).toBeGreaterThan(1);
    // The same samples the command printed, one line each.
    expect(run.stderr.match(/ {2}sample \d+: density/g)?.length).toBe(samples.length);

    const report = await condensa(['report', out]);
    expect(report.code, report.stderr).toBe(0);
    const html = readFileSync(join(out, RUN_FILES.report), 'utf8');
    const trace = section(html, 'Search trace');
    expect(trace).toContain('<svg');
    expect(trace.match(/<tr><td>\d+<\/td>/g)?.length).toBe(samples.length);
    expect(section(html, 'Training curves')).toContain('<svg');
  });

  it('refuses --report without --out before any work', async () => {
    const run = await condensa([
      'compress',
      ...small,
      '--spec',
      '{"scheme":"Prune","density":0.1}',
      '--dry-run',
      '--report',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--report writes into the --out directory/);
  });
});
