import { existsSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { InvalidArgumentError } from '../errors.js';
import { MODEL_JSON, SPARSE_MODEL_JSON } from '../io/files.js';
import { PRETRAINED, pretrainedDir, type PretrainedName } from '../models/pretrained.js';

/**
 * Checks every command runs on its arguments before any work starts, so a bad path fails in a
 * second with one line instead of after minutes of compression or training.
 */

/** Options of {@link checkOutDir}. */
export interface OutDirCheck {
  /** The flag the path came from, named in the messages (default `--out`). */
  flag?: string;
  /** Replace a non-empty directory (the `--overwrite` flag). */
  overwrite?: boolean;
  /** The input model's directory: never written to. */
  input?: string;
}

/**
 * Refuse an output directory that the final save would reject or fail on: an existing file, a
 * path under a file, the input model's directory, a non-empty directory (unless overwriting),
 * a place that cannot be written. Writability is probed by creating (and removing) an empty
 * directory where the save will write its temporary copy. Returns the resolved path.
 */
export function checkOutDir(out: string, opts: OutDirCheck = {}): string {
  const flag = opts.flag ?? '--out';
  const target = resolve(out);
  if (opts.input && (target === opts.input || target.startsWith(opts.input + sep))) {
    throw new InvalidArgumentError(
      `${flag} ${out} is inside the input model's directory ${opts.input}; choose another directory (inputs are never written)`,
    );
  }
  if (existsSync(target)) {
    if (!statSync(target).isDirectory()) {
      throw new InvalidArgumentError(
        `${flag} ${out} is an existing file; pass a directory path${opts.overwrite ? '' : ' (new or empty)'}`,
      );
    }
    if (readdirSync(target).length > 0 && !opts.overwrite) {
      throw new InvalidArgumentError(
        `${flag} ${out} is not empty; choose a new directory or pass --overwrite to replace it`,
      );
    }
  }
  let parent = dirname(target);
  while (!existsSync(parent)) parent = dirname(parent);
  if (!statSync(parent).isDirectory()) {
    throw new InvalidArgumentError(
      `${flag} ${out} is under ${parent}, which is a file; choose a path whose parents are directories`,
    );
  }
  try {
    rmdirSync(mkdtempSync(join(parent, '.condensa-probe-')));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'an error';
    throw new InvalidArgumentError(
      `${flag} ${out} cannot be written (${code} creating a directory in ${parent}); choose a writable location`,
    );
  }
  return target;
}

/**
 * The text of a `--spec`: JSON text as given, or the contents of the file it names. Text
 * starting with `{` or `[` is JSON; anything else is a path, so a mistyped file name is
 * reported as a missing file rather than as invalid JSON.
 */
export function readSpecArg(spec: string): string {
  const text = spec.trim();
  if (text.startsWith('{') || text.startsWith('[')) return text;
  const example = `'{"scheme":"Prune","density":0.1}'`;
  if (!existsSync(spec)) {
    throw new InvalidArgumentError(
      `no such spec file ${spec}; pass a .json file or the JSON text itself, e.g. --spec ${example}`,
    );
  }
  if (statSync(spec).isDirectory()) {
    throw new InvalidArgumentError(
      `--spec ${spec} is a directory; pass a spec .json file or the JSON text, e.g. --spec ${example}`,
    );
  }
  return readFileSync(spec, 'utf8');
}

/** A `--model` argument resolved: a pretrained name or a saved model directory. */
export interface ModelArg {
  /** The directory the model is read from (never written). */
  dir: string;
  pretrained?: PretrainedName;
}

/** Resolve `--model`: a pretrained name, a model directory, or the model.json inside one. */
export function resolveModelArg(arg: string, flag = '--model'): ModelArg {
  if ((PRETRAINED as readonly string[]).includes(arg)) {
    const name = arg as PretrainedName;
    return { dir: pretrainedDir(name), pretrained: name };
  }
  const path = resolve(arg);
  if (!existsSync(path)) {
    throw new InvalidArgumentError(
      `${flag} ${arg} is neither a model directory nor a pretrained name; pretrained: ${PRETRAINED.join(', ')}`,
    );
  }
  if (statSync(path).isDirectory()) {
    if (![MODEL_JSON, SPARSE_MODEL_JSON].some((f) => existsSync(join(path, f)))) {
      throw new InvalidArgumentError(
        `${flag} ${arg} holds no ${MODEL_JSON} or ${SPARSE_MODEL_JSON}; pass a directory written by condensa or tfjs`,
      );
    }
    return { dir: path };
  }
  if ([MODEL_JSON, SPARSE_MODEL_JSON].includes(basename(path))) return { dir: dirname(path) };
  throw new InvalidArgumentError(
    `${flag} ${arg} is a file; pass the model's directory (holding ${MODEL_JSON}) or a pretrained name`,
  );
}
