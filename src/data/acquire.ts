import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataError } from '../errors.js';
import { dataRoot, readCached, verifyProblem, writeAtomic, type FileSpec } from './cache.js';
import type { LoadOptions, ProgressCallback } from './types.js';

/** One place a dataset's files can come from (the official site, a registry mirror...). */
export interface Source {
  /** Where the files come from, for messages. */
  label: string;
  /**
   * Produces files by name (at least `wanted`, if it can); `tmpDir` is an empty scratch folder
   * removed afterwards. Throws a DataError when the source is unreachable or unusable.
   */
  fetch(wanted: string[], tmpDir: string, onProgress?: ProgressCallback): Promise<Map<string, Uint8Array>>;
  /** A folder on this machine (an installed package): used even when downloads are off. */
  local?: boolean;
}

/** The files of a dataset, their checksums, and where to get them, in order of preference. */
export interface DatasetFiles {
  /** Cache sub-folder and CLI name, e.g. 'cifar10'. */
  id: string;
  title: string;
  files: FileSpec[];
  sources: Source[];
  /** What a user can do when no source works. */
  help: string;
}

/** The folder holding a dataset's cached files. */
export function datasetDir(def: DatasetFiles, opts: LoadOptions = {}): string {
  return join(dataRoot(opts.dataDir), def.id);
}

/**
 * Returns every file of `def`, verified: from the cache when it holds a good copy, else from the
 * first source that gives a good one (then cached). Bad cached copies are deleted, never used.
 */
export async function ensureFiles(def: DatasetFiles, opts: LoadOptions = {}): Promise<Map<string, Buffer>> {
  const dir = datasetDir(def, opts);
  const found = new Map<string, Buffer>();
  const cacheProblems: string[] = [];
  for (const spec of def.files) {
    const cached = await readCached(join(dir, spec.name), spec);
    if ('data' in cached) found.set(spec.name, cached.data);
    else if (cached.problem !== 'missing') cacheProblems.push(`${join(dir, spec.name)}: ${cached.problem}`);
  }
  let missing = def.files.filter((f) => !found.has(f.name));
  if (missing.length === 0) return found;
  const names = () => missing.map((f) => f.name).join(', ');
  const offline = opts.offline ?? process.env.CONDENSA_OFFLINE === '1';
  // Offline forbids the network, not reading a package installed on this machine.
  const sources = offline ? def.sources.filter((s) => s.local) : def.sources;
  if (sources.length === 0) {
    throw new DataError(
      `${def.title}: no verified ${names()} in the cache ${dir} and downloads are off (offline). ` +
        cacheProblems.map((p) => `${p}. `).join('') +
        `Expected sha256 ${missing.map((f) => f.sha256).join(', ')}. ` +
        `Run \`condensa data fetch ${def.id}\` with network access. ${def.help}`,
    );
  }
  const failures: string[] = [...cacheProblems];
  for (const source of sources) {
    process.stderr.write(`condensa: fetching ${def.title} (${names()}) from ${source.label} into ${dir}\n`);
    const tmp = await mkdtemp(join(tmpdir(), `condensa-${def.id}-`));
    let got = new Map<string, Uint8Array>();
    try {
      got = await source.fetch(
        missing.map((f) => f.name),
        tmp,
        opts.onProgress,
      );
    } catch (err) {
      if (!(err instanceof DataError)) throw err;
      failures.push(`${source.label}: ${err.message}`);
      process.stderr.write(`condensa: ${source.label} failed: ${err.message}\n`);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
    for (const spec of missing) {
      const data = got.get(spec.name);
      if (!data) {
        if (got.size > 0) failures.push(`${source.label}: gave no ${spec.name}`);
        continue;
      }
      const problem = verifyProblem(spec, data);
      if (problem) {
        failures.push(`${source.label}: ${spec.name} ${problem}`);
        process.stderr.write(
          `condensa: ${spec.name} from ${source.label} failed verification (${problem})\n`,
        );
        continue;
      }
      // Outside the try: a cache that cannot be written is the user's to fix, not a reason to
      // try another source.
      await writeAtomic(join(dir, spec.name), data);
      found.set(spec.name, Buffer.from(data.buffer, data.byteOffset, data.length));
    }
    missing = missing.filter((f) => !found.has(f.name));
    if (missing.length === 0) return found;
  }
  throw new DataError(
    `${def.title}: could not get ${names()}${offline ? ' (offline: local sources only)' : ''} (expected sha256 ${missing.map((f) => f.sha256).join(', ')}).\n` +
      failures.map((f) => `  - ${f}`).join('\n') +
      `\nWhat to do: ${def.help}`,
  );
}
