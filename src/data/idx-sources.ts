import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError } from '../errors.js';
import type { Source } from './acquire.js';
import { gunzip } from './archive.js';
import { download } from './download.js';

/** A source serving each idx file gzipped at `<baseUrl><name>.gz` (the official sites). */
export function gzipUrlSource(label: string, baseUrl: string): Source {
  return {
    label: `${label} (${baseUrl})`,
    async fetch(wanted, _tmpDir, onProgress) {
      const out = new Map<string, Uint8Array>();
      for (const name of wanted) {
        const url = `${baseUrl}${name}.gz`;
        out.set(name, await gunzip(await download(url, onProgress), url));
      }
      return out;
    },
  };
}

/** A source reading each idx file gzipped at `<dir>/<name>.gz` on this machine. */
export function gzipDirSource(label: string, dir: string, howToInstall: string): Source {
  return {
    label: `${label} (${dir})`,
    local: true,
    async fetch(wanted, _tmpDir, onProgress) {
      const out = new Map<string, Uint8Array>();
      for (const [i, name] of wanted.entries()) {
        const path = join(dir, `${name}.gz`);
        let gz: Buffer;
        try {
          gz = await readFile(path);
        } catch {
          throw new DataError(`${path} not found; ${howToInstall}`);
        }
        out.set(name, await gunzip(gz, path));
        onProgress?.(i + 1, wanted.length, `read ${dir}`);
      }
      return out;
    },
  };
}
