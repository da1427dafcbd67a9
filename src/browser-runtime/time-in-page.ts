import type { Page } from 'playwright-core';
import type { PageGlobals } from './tfjs-page.js';

/** Seed of the page's benchmark input, the same as the Node timing's (src/objectives/timing.ts). */
const INPUT_SEED = 1234;

/**
 * Load the tfjs model at `modelUrl` in the page and time `repeats` forward passes at
 * `batchSize` (after `warmup` untimed ones), each until its outputs are downloaded, on the
 * page's current backend. Milliseconds, measured by the page's `performance.now()`.
 *
 * @example
 * ```ts
 * const ms = await timeModelInPage(session.page, `${session.server.url}/model/model.json`, 1, 2, 20);
 * ```
 */
export function timeModelInPage(
  page: Page,
  modelUrl: string,
  batchSize: number,
  warmup: number,
  repeats: number,
): Promise<number[]> {
  return page.evaluate(
    async ({ url, batchSize, warmup, repeats, seed }) => {
      const { tf } = window as unknown as PageGlobals;
      const model = await tf.loadLayersModel(url);
      const inputs = model.inputs.map((input, i) =>
        tf.randomUniform([batchSize, ...(input.shape.slice(1) as number[])], 0, 1, 'float32', seed + i),
      );
      const times: number[] = [];
      try {
        for (let i = 0; i < warmup + repeats; i++) {
          const start = performance.now();
          const out = model.predict(inputs.length === 1 ? inputs[0] : inputs);
          const outs = Array.isArray(out) ? out : [out];
          await Promise.all(outs.map((t) => t.data()));
          const elapsed = performance.now() - start;
          tf.dispose(outs);
          if (i >= warmup) times.push(elapsed);
        }
      } finally {
        tf.dispose(inputs);
        model.dispose();
      }
      return times;
    },
    { url: modelUrl, batchSize, warmup, repeats, seed: INPUT_SEED },
  );
}
