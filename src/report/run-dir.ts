import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MODEL_JSON, SPARSE_MODEL_JSON } from '../io/files.js';
import { SENSITIVITY_FILE } from '../search/per-layer-search.js';
import { SAMPLE_LOG_NAME } from '../search/sample-log.js';

/**
 * What the HTML report reads from a run directory. Every part is optional: a run that searched
 * has samples, one that recovered accuracy has a training log, and so on; a file that is
 * missing or unreadable is left out and named in `problems` instead of failing the report.
 */

/** A before/after table (`summary.json`): metric -> value, per side, and after/before ratios. */
export interface RunSummary {
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
  ratios?: Record<string, unknown>;
  /** Anything else the summary holds (scheme, saved layout...), shown as key/value pairs. */
  [field: string]: unknown;
}

/** One search sample as the sample log records it (src/search/sample-log.ts). */
export interface LoggedSample {
  index: number;
  sparsity: number;
  accuracy: number;
  objective: number;
  feasible: boolean;
}

/** `sensitivity.json` of a per-layer search: accuracy of each layer pruned alone per density. */
export interface SensitivityFile {
  densities: number[];
  accuracy: Record<string, number[]>;
}

/**
 * One line of a training log (`training-log.jsonl`): a step (or epoch) and any numeric
 * series, e.g. `{"step": 10, "loss": 0.31, "accuracy": 0.91}`.
 */
export type TrainingLogLine = { step: number } & Record<string, number>;

/**
 * File names of a run directory: what the report reads (and the runs write, with these same
 * names), and the report itself.
 */
export const RUN_FILES = {
  summary: 'summary.json',
  samples: SAMPLE_LOG_NAME,
  sensitivity: SENSITIVITY_FILE,
  training: 'training-log.jsonl',
  report: 'report.html',
} as const;

/** Everything found in a run directory. */
export interface RunContents {
  summary?: RunSummary;
  /** The search's header line (mode, objective, seed...) when there is a sample log. */
  search?: Record<string, unknown>;
  samples: LoggedSample[];
  sensitivity?: SensitivityFile;
  training: TrainingLogLine[];
  /** The saved model directory (the run dir itself or a direct subfolder), if there is one. */
  modelDir?: string;
  /** Files that exist but could not be read, and why. */
  problems: string[];
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

async function readText(path: string, problems: string[]): Promise<string | undefined> {
  if (!existsSync(path)) return undefined;
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    problems.push(`${path}: ${(e as Error).message}`);
    return undefined;
  }
}

function parseJson(path: string, text: string, problems: string[]): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    problems.push(`${path}: not valid JSON (${(e as Error).message})`);
    return undefined;
  }
}

/** JSON lines of a file; a torn or invalid line is skipped and reported. */
function parseLines(path: string, text: string, problems: string[]): unknown[] {
  const out: unknown[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      out.push(JSON.parse(line));
    } catch {
      problems.push(`${path}: line ${i + 1} is not valid JSON (skipped)`);
    }
  });
  return out;
}

/**
 * `condensa compress` nests the before/after figures under `summary` next to the scheme, layout
 * and search: lift them to the top so the table shows them, keeping the rest as key/value rows.
 */
function liftSummary(s: RunSummary): RunSummary {
  const nested = s.summary;
  if (s.before || s.after || !nested || typeof nested !== 'object' || Array.isArray(nested)) return s;
  const { summary: _nested, ...rest } = s;
  return { ...rest, ...(nested as RunSummary) };
}

/** The folder holding a saved model: `dir` itself, or the first direct subfolder that has one. */
async function findModelDir(dir: string): Promise<string | undefined> {
  const hasModel = (d: string): boolean =>
    existsSync(join(d, MODEL_JSON)) || existsSync(join(d, SPARSE_MODEL_JSON));
  if (hasModel(dir)) return dir;
  const entries = await readdir(dir, { withFileTypes: true });
  const sub = entries
    .filter((e) => e.isDirectory())
    .map((e) => join(dir, e.name))
    .sort()
    .find(hasModel);
  return sub;
}

/**
 * Read what the report shows from `runDir`.
 *
 * @example
 * ```ts
 * const run = await readRunDir('runs/lenet5-prune');
 * console.log(run.samples.length, run.summary?.after);
 * ```
 */
export async function readRunDir(runDir: string): Promise<RunContents> {
  const problems: string[] = [];
  const out: RunContents = { samples: [], training: [], problems };

  const summaryPath = join(runDir, RUN_FILES.summary);
  const summaryText = await readText(summaryPath, problems);
  if (summaryText !== undefined) {
    const s = parseJson(summaryPath, summaryText, problems);
    if (s && typeof s === 'object' && !Array.isArray(s)) out.summary = liftSummary(s as RunSummary);
  }

  const samplesPath = join(runDir, RUN_FILES.samples);
  const samplesText = await readText(samplesPath, problems);
  if (samplesText !== undefined) {
    for (const line of parseLines(samplesPath, samplesText, problems) as Record<string, unknown>[]) {
      if (line?.kind === 'header' && typeof line.search === 'object')
        out.search = line.search as Record<string, unknown>;
      const s = line?.kind === 'sample' ? (line.sample as Record<string, unknown>) : undefined;
      if (s && isNum(s.index) && isNum(s.sparsity) && isNum(s.accuracy) && isNum(s.objective)) {
        out.samples.push({
          index: s.index,
          sparsity: s.sparsity,
          accuracy: s.accuracy,
          objective: s.objective,
          feasible: s.feasible === true,
        });
      }
    }
  }

  const sensPath = join(runDir, RUN_FILES.sensitivity);
  const sensText = await readText(sensPath, problems);
  if (sensText !== undefined) {
    const s = parseJson(sensPath, sensText, problems) as Partial<SensitivityFile> | undefined;
    if (s && Array.isArray(s.densities) && s.accuracy && typeof s.accuracy === 'object') {
      out.sensitivity = { densities: s.densities, accuracy: s.accuracy };
    } else if (s) problems.push(`${sensPath}: no densities/accuracy (skipped)`);
  }

  const trainPath = join(runDir, RUN_FILES.training);
  const trainText = await readText(trainPath, problems);
  if (trainText !== undefined) {
    for (const line of parseLines(trainPath, trainText, problems) as Record<string, unknown>[]) {
      if (line && isNum(line.step)) out.training.push(line as TrainingLogLine);
    }
  }

  out.modelDir = existsSync(runDir) ? await findModelDir(runDir) : undefined;
  return out;
}
