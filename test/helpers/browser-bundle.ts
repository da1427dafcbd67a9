import { build, type Plugin } from 'esbuild';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('../../src/browser/index.ts', import.meta.url));

/**
 * Bundle `condensa-ts/browser` (src/browser/index.ts) for `platform: 'browser'` as a classic
 * script defining `window.condensa`. `@tensorflow/tfjs` is taken from the page's stock bundle
 * (`window.tf`), as a page that loads tf.min.js would. Any Node module reached from the entry
 * (`node:fs`, `fs`, ...) fails the build: that is the check that the entry is browser-safe.
 * `entry` defaults to the browser entry; another source file can be given to see the check fail.
 */
export async function bundleBrowserEntry(entry = ENTRY): Promise<string> {
  const stockTfjs: Plugin = {
    name: 'stock-tfjs',
    setup(b) {
      b.onResolve({ filter: /^@tensorflow\/tfjs$/ }, () => ({ path: 'tf', namespace: 'stock-tfjs' }));
      b.onLoad({ filter: /.*/, namespace: 'stock-tfjs' }, () => ({
        contents: 'module.exports = globalThis.tf;',
      }));
      b.onResolve({ filter: /^node:/ }, (args) => ({
        errors: [{ text: `Node-only import '${args.path}' in ${args.importer}` }],
      }));
    },
  };
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'iife',
    globalName: 'condensa',
    target: 'es2020',
    plugins: [stockTfjs],
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}
