import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip as gunzipCallback } from 'node:zlib';
import { x as extractTar } from 'tar';
import { DataError } from '../errors.js';

const gunzipAsync = promisify(gunzipCallback);

/** Decompresses gzip data; a damaged or truncated stream is a DataError naming `what`. */
export async function gunzip(data: Uint8Array, what: string): Promise<Buffer> {
  try {
    return await gunzipAsync(data);
  } catch (err) {
    throw new DataError(`${what}: not a valid gzip file (${(err as Error).message})`);
  }
}

/**
 * Extracts the members `members` (archive path -> file name) of a (gzipped) tarball into
 * `tmpDir` and returns their contents by file name. Missing members are simply absent.
 */
export async function readTarMembers(
  tarPath: string,
  members: Map<string, string>,
  tmpDir: string,
): Promise<Map<string, Buffer>> {
  const outDir = join(tmpDir, 'extracted');
  await mkdir(outDir, { recursive: true });
  try {
    await extractTar({ file: tarPath, cwd: outDir, filter: (path) => members.has(path) });
  } catch (err) {
    throw new DataError(`${tarPath}: cannot extract (${(err as Error).message})`);
  }
  const out = new Map<string, Buffer>();
  for (const [member, name] of members) {
    try {
      out.set(name, await readFile(join(outDir, member)));
    } catch {
      // Absent from the archive: the caller reports which files it did not get.
    }
  }
  return out;
}
