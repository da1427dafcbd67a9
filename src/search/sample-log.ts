import { mkdir, open, readFile, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CondensaError } from '../errors.js';
import type { Density, Sample } from './types.js';

/** Default file name of the sample log inside a search's `runDir`. */
export const SAMPLE_LOG_NAME = 'search-samples.jsonl';

interface HeaderLine {
  kind: 'header';
  search: Record<string, unknown>;
}
interface SampleLine<D extends Density> {
  kind: 'sample';
  sample: Omit<Sample<D>, 'replayed'>;
}

/**
 * Append-only JSON-lines record of a search: a header line describing the search (mode, seed,
 * bounds, budget...), then one line per finished sample. Each line is written with one append
 * and an fsync, so a killed search leaves at most a torn last line, which `open` drops. A search
 * restarted on the same log replays the recorded samples instead of recomputing them: because
 * every choice is seeded, it proposes the same densities in the same order, and `recorded`
 * checks that they match.
 *
 * @example
 * const log = await SampleLog.open('runs/a/search-samples.jsonl', { mode: 'global', seed: 1 });
 * const previous = log.recorded(0, 0.5); // the logged sample 0 if it was at density 0.5
 */
export class SampleLog<D extends Density = number> {
  private constructor(
    readonly path: string,
    private readonly previous: Omit<Sample<D>, 'replayed'>[],
  ) {}

  /**
   * Open (creating if needed) the log at `path` for a search described by `search`. Throws a
   * `CondensaError` if the file holds a different search.
   */
  static async open<D extends Density>(path: string, search: Record<string, unknown>): Promise<SampleLog<D>> {
    await mkdir(dirname(path), { recursive: true });
    let text = '';
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const lines = text.split('\n');
    // A torn final line (killed mid-append) is not a finished sample: drop it from the file.
    const complete = text.endsWith('\n') || text === '' ? text : text.slice(0, text.lastIndexOf('\n') + 1);
    if (complete.length !== text.length) await truncate(path, Buffer.byteLength(complete));
    const parsed = lines
      .slice(0, text.endsWith('\n') ? -1 : lines.length - 1)
      .filter((l) => l.trim() !== '')
      .map((l, i) => {
        try {
          return JSON.parse(l) as HeaderLine | SampleLine<D>;
        } catch {
          throw new CondensaError(`sample log ${path}: line ${i + 1} is not valid JSON`);
        }
      });
    const header = JSON.stringify({ kind: 'header', search } satisfies HeaderLine);
    if (parsed.length === 0) {
      await appendLine(path, header);
      return new SampleLog<D>(path, []);
    }
    if (JSON.stringify(parsed[0]) !== header) {
      throw new CondensaError(
        `sample log ${path} belongs to a different search (${JSON.stringify(parsed[0])}); ` +
          `this search is ${header}. Use another runDir or delete the log.`,
      );
    }
    const previous = parsed.slice(1).map((l, i) => {
      if (l.kind !== 'sample' || l.sample.index !== i) {
        throw new CondensaError(`sample log ${path}: line ${i + 2} is not sample ${i}`);
      }
      return l.sample;
    });
    return new SampleLog<D>(path, previous);
  }

  /** Number of samples already in the log. */
  get length(): number {
    return this.previous.length;
  }

  /**
   * The logged sample `index` if there is one. Throws if it was taken at another density: the
   * search was changed between runs, and replaying would mix two searches.
   */
  recorded(index: number, density: D): Sample<D> | null {
    const s = this.previous[index];
    if (!s) return null;
    if (JSON.stringify(s.density) !== JSON.stringify(density)) {
      throw new CondensaError(
        `sample log ${this.path}: sample ${index} was taken at density ${JSON.stringify(s.density)} ` +
          `but the resumed search asks for ${JSON.stringify(density)}; the search changed since the log was written`,
      );
    }
    return { ...s, replayed: true };
  }

  /** Append a finished sample (one line, fsynced). */
  async append(sample: Sample<D>): Promise<void> {
    const { replayed: _replayed, ...stored } = sample;
    const line: SampleLine<D> = { kind: 'sample', sample: stored };
    await appendLine(this.path, JSON.stringify(line));
    this.previous[sample.index] = stored;
  }
}

async function appendLine(path: string, line: string): Promise<void> {
  const handle = await open(path, 'a');
  try {
    await handle.write(line + '\n');
    await handle.sync();
  } finally {
    await handle.close();
  }
}
