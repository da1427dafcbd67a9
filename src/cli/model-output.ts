import type * as tf from '@tensorflow/tfjs';
import type { SerializeOptions } from '../io/serialize.js';
import { formatSummary } from '../report/summary-table.js';
import { summary } from '../report/summary.js';
import { loadTestData } from './compress-data.js';
import { saveOrRecover } from './save-output.js';

/** Flags shared by the commands that turn one saved model into another (compact, quantize). */
export interface TransformFlags {
  out: string;
  overwrite?: boolean;
  dataset?: string;
  test?: number;
  json?: boolean;
}

/**
 * Measure `before` against `after` (accuracy too when a dataset is given), save `after` with
 * summary.json next to it, and print the table (or JSON).
 */
export async function finishTransform(
  before: tf.LayersModel,
  after: tf.LayersModel,
  o: TransformFlags & { out: string; save: SerializeOptions; record: Record<string, unknown> },
): Promise<void> {
  const data = o.dataset ? await loadTestData(o.dataset, o.test) : undefined;
  try {
    const figures = await summary(before, after, { data, afterSave: o.save });
    const report = { ...o.record, summary: figures };
    await saveOrRecover(after, o.out, {
      ...o.save,
      overwrite: o.overwrite,
      record: o.record,
      extraJson: { 'summary.json': report },
    });
    if (o.json) console.log(JSON.stringify({ ...report, out: o.out }, null, 2));
    else console.log(`${formatSummary(figures)}\nsaved to ${o.out}`);
  } finally {
    if (data) [data.xs, data.ys].forEach((t) => t.dispose());
  }
}
