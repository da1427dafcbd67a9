import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The package as a user gets it: `npm pack` (its prepack builds dist/), installed from the
// tarball into a scratch project with no tsx and no source, then imported, run and type-checked.

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('..', import.meta.url));
const TSC = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');

/** This process's environment without npm's per-script settings (`npm test` sets them). */
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('npm_')));
const sh = (cmd: string, args: string[], cwd: string): Promise<{ stdout: string; stderr: string }> =>
  run(cmd, args, { cwd, env: cleanEnv, maxBuffer: 64 << 20 });

// A user's file: names from the root and the browser entry must resolve with their types, and a
// deep import must be refused by `exports` (an unused @ts-expect-error is itself an error).
const USER_TS = `import { Prune, lenet5, sparsityReport } from 'condensa-ts';
import { loadSparseModel } from 'condensa-ts/browser';
const model = lenet5({ seed: 0 });
new Prune({ density: 0.1 }).pi(model);
export const sparsity: number = sparsityReport(model).globalSparsity;
export const load: (url: string) => Promise<{ predict: unknown }> = loadSparseModel;
// @ts-expect-error deep imports are outside the package's exports
export const deep = import('condensa-ts/dist/io/load.js');
`;

const tsconfig = (module: string, moduleResolution: string): string =>
  JSON.stringify({
    compilerOptions: {
      module,
      moduleResolution,
      target: 'ES2022',
      lib: ['ES2022', 'DOM'],
      strict: true,
      noEmit: true,
      // tfjs's own declarations do not pass strict checks; ours are checked where they are used.
      skipLibCheck: true,
      types: ['node'],
      typeRoots: [join(REPO, 'node_modules', '@types')],
    },
    files: ['user.ts'],
  });

describe('npm pack, install, use', () => {
  let root: string;
  let app: string;
  let tarball: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'condensa-pack-'));
    app = join(root, 'app');
    await mkdir(app);
    await sh('npm', ['pack', '--silent', '--pack-destination', root], REPO);
    tarball = join(
      root,
      (await readdir(root)).find((f) => f.endsWith('.tgz'))!,
    );
    await writeFile(
      join(app, 'package.json'),
      JSON.stringify({ name: 'scratch', private: true, type: 'module' }),
    );
    // From npm's cache when it holds the dependencies (it does after `npm ci`); the registry otherwise.
    await sh(
      'npm',
      ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--silent', tarball],
      app,
    );
  });

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('ships dist/, the bin and LICENSE, and neither source nor source maps', async () => {
    const { stdout } = await sh('tar', ['-tzf', tarball], root);
    const files = stdout.split('\n');
    for (const f of [
      'package/LICENSE',
      'package/dist/index.js',
      'package/dist/browser/index.d.ts',
      'package/bin/condensa.js',
    ])
      expect(files).toContain(f);
    expect(files.filter((f) => f.endsWith('.map') || f.startsWith('package/src/'))).toEqual([]);
  });

  it('imports from the package and prunes a real model, without tsx', async () => {
    const script =
      "import { Prune, lenet5, sparsityReport } from 'condensa-ts';" +
      'const m = lenet5({ seed: 0 }); new Prune({ density: 0.1 }).pi(m);' +
      'console.log(sparsityReport(m).globalSparsity.toFixed(2));';
    const { stdout } = await sh('node', ['--input-type=module', '-e', script], app);
    expect(stdout.trim().split('\n').at(-1)).toBe('0.90');
    await expect(sh('node', ['-e', "import('tsx')"], app)).rejects.toThrow(/tsx/);
  });

  it('runs `npx condensa --help` from the built JavaScript', async () => {
    const { stdout } = await sh('npx', ['--no-install', 'condensa', '--help'], app);
    expect(stdout).toMatch(/Usage: condensa/);
    expect(stdout).toMatch(/compress/);
  });

  it('writes an HTML report with its plots from the installed bin', async () => {
    const run = join(app, 'run');
    await mkdir(run);
    await writeFile(
      join(run, 'summary.json'),
      JSON.stringify({ before: { accuracy: 0.99 }, after: { accuracy: 0.98 } }),
    );
    const samples = [0.5, 0.8].map((sparsity, index) => ({
      kind: 'sample',
      sample: {
        index,
        density: 1 - sparsity,
        sparsity,
        coordinates: [sparsity],
        accuracy: 0.99 - sparsity / 10,
        objective: 100 * (1 + index),
        feasible: index === 0,
        extra: {},
      },
    }));
    const log = [{ kind: 'header', search: { mode: 'global' } }, ...samples].map(
      (l) => JSON.stringify(l) + '\n',
    );
    await writeFile(join(run, 'search-samples.jsonl'), log.join(''));
    const { stdout } = await sh('npx', ['--no-install', 'condensa', 'report', run, '--json'], app);
    const result = JSON.parse(stdout) as { plots: number; sections: string[] };
    expect(result.sections).toEqual(['Before and after', 'Accuracy against sparsity', 'Search trace']);
    expect(result.plots).toBe(2);
  });

  it('type-checks a user file under moduleResolution NodeNext and Bundler', async () => {
    await writeFile(join(app, 'user.ts'), USER_TS);
    await writeFile(join(app, 'tsconfig.nodenext.json'), tsconfig('NodeNext', 'NodeNext'));
    await writeFile(join(app, 'tsconfig.bundler.json'), tsconfig('ESNext', 'Bundler'));
    await Promise.all(
      ['nodenext', 'bundler'].map((mode) => sh('node', [TSC, '-p', `tsconfig.${mode}.json`], app)),
    );
  });
});
