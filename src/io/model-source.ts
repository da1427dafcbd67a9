import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DataError } from '../errors.js';

/**
 * Where a saved model's files come from: a directory on disk or an `http(s)://` base URL (the
 * layout is the same: `model.json` beside the weight files it names).
 */
export interface ModelSource {
  /** The directory or URL, as shown in messages. */
  readonly where: string;
  /** Whether the source is a local directory (saveModel refuses to overwrite it). */
  readonly local: boolean;
  /** The full path or URL of file `name`. */
  locate(name: string): string;
  /** The bytes of file `name`, or undefined when it does not exist. */
  read(name: string): Promise<Buffer | undefined>;
}

/** Whether `location` is an http(s) URL rather than a path. */
export const isUrl = (location: string): boolean => /^https?:\/\//i.test(location);

/** The source for a directory path or an `http(s)://` URL of a model directory. */
export function modelSource(location: string): ModelSource {
  return isUrl(location) ? urlSource(location) : dirSource(location);
}

function dirSource(dir: string): ModelSource {
  const root = resolve(dir);
  return {
    where: root,
    local: true,
    locate: (name) => join(root, name),
    read: async (name) => {
      const path = join(root, name);
      return existsSync(path) ? readFile(path) : undefined;
    },
  };
}

function urlSource(url: string): ModelSource {
  // A URL naming model.json itself stands for its directory.
  const base = new URL(url.endsWith('/') || !url.endsWith('.json') ? url.replace(/\/?$/, '/') : url);
  if (!base.pathname.endsWith('/')) base.pathname = base.pathname.replace(/[^/]*$/, '');
  const locate = (name: string) => new URL(name, base).toString();
  return {
    where: base.toString(),
    local: false,
    locate,
    read: async (name) => {
      let response: Response;
      try {
        response = await fetch(locate(name));
      } catch (e) {
        throw new DataError(
          `cannot fetch ${locate(name)}: ${(e as Error).message}; check the URL and network`,
        );
      }
      if (response.status === 404) return undefined;
      if (!response.ok) {
        throw new DataError(
          `fetching ${locate(name)} failed: HTTP ${response.status} ${response.statusText}`,
        );
      }
      return Buffer.from(await response.arrayBuffer());
    },
  };
}
