import * as tf from '@tensorflow/tfjs';
import { gzipSync } from 'node:zlib';
import { weightKey } from '../pruning/state.js';
import { encodeWeight } from '../io/index.js';
import { quantizationOf } from '../operators/index.js';

/** How a weight is stored when saved. */
export type SavedDtype = 'float32' | 'float16' | 'uint8';

/** One row of the size table: a weight, or the `total` over all weights. */
export interface SparsityRow {
  /** `layer/name` (e.g. `conv1/kernel`), or `'total'`. */
  weight: string;
  parameters: number;
  nonzeros: number;
  /** 1 - nonzeros / parameters. */
  sparsity: number;
  /** Bytes as dense float32. */
  denseBytes: number;
  /** Bytes as saved (float16 / uint8 where quantized). */
  savedBytes: number;
  savedDtype: SavedDtype | 'mixed';
  /** gzip size of the saved bytes (pruned zeros compress; float32 otherwise barely does). */
  gzipBytes: number;
  /** A BatchNorm moving statistic: in the size table, not in the sparsity lines (PyTorch buffers). */
  buffer: boolean;
}

/** The result of {@link sparsityReport}. */
export interface SparsityReport {
  /** `Sparsity in conv1/kernel: 16.23%` per parameter, then `Global sparsity: 75.00%`. */
  lines: string[];
  /** `lines` joined with newlines. */
  text: string;
  /** One row per weight (parameters and buffers), then the `total` row. */
  table: SparsityRow[];
  /** Global sparsity over the parameters (the last line), as a fraction. */
  globalSparsity: number;
}

/** Options of {@link sparsityReport}. */
export interface SparsityReportOptions {
  /** Report sizes as if saved with this quantization (default: each weight's own record). */
  quantization?: 'float16' | 'uint8';
}

const BUFFERS = new Set(['moving_mean', 'moving_variance']);

/** The bytes a weight is saved as (the model saver's encoder, ±0 stored as +0). */
function encode(data: Float32Array, dtype: SavedDtype): Uint8Array {
  const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const spec = { name: '', shape: [data.length], dtype: 'float32' as const };
  return encodeWeight(spec, raw, dtype === 'float32' ? undefined : dtype).bytes;
}

const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;

/**
 * Per-weight sparsity in the seed's format, and a size table: parameters, nonzeros, dense
 * float32 bytes, bytes as saved (float16/uint8 where quantized) and gzip bytes of the saved
 * weights (gzip is how sparsity shows up in a download: tfjs saves zeros densely).
 *
 * @example
 * ```ts
 * new Prune({ density: 0.25 }).pi(model);
 * console.log(sparsityReport(model).text);
 * // Sparsity in conv1/kernel: 16.23%
 * // ...
 * // Global sparsity: 75.00%
 * ```
 */
export function sparsityReport(model: tf.LayersModel, opts: SparsityReportOptions = {}): SparsityReport {
  const rows: SparsityRow[] = [];
  const saved: Uint8Array[] = [];
  const dtypes = new Set<SavedDtype>();
  for (const layer of model.layers) {
    for (const v of layer.weights) {
      const name = weightKey(layer, v);
      const data = v.read().dataSync() as Float32Array;
      let nonzeros = 0;
      for (const x of data) if (x !== 0) nonzeros++;
      const dtype: SavedDtype = opts.quantization ?? quantizationOf(layer, name)?.dtype ?? 'float32';
      dtypes.add(dtype);
      const bytes = encode(data, dtype);
      saved.push(bytes);
      rows.push({
        weight: `${layer.name}/${name}`,
        parameters: data.length,
        nonzeros,
        sparsity: data.length ? 1 - nonzeros / data.length : 0,
        denseBytes: 4 * data.length,
        savedBytes: bytes.length,
        savedDtype: dtype,
        gzipBytes: gzipSync(bytes).length,
        buffer: BUFFERS.has(name),
      });
    }
  }
  const sum = (rs: SparsityRow[], k: 'parameters' | 'nonzeros' | 'denseBytes' | 'savedBytes'): number =>
    rs.reduce((s, r) => s + r[k], 0);
  const all = Buffer.concat(saved);
  const total: SparsityRow = {
    weight: 'total',
    parameters: sum(rows, 'parameters'),
    nonzeros: sum(rows, 'nonzeros'),
    sparsity: 0,
    denseBytes: sum(rows, 'denseBytes'),
    savedBytes: all.length,
    savedDtype: dtypes.size === 1 ? [...dtypes][0] : 'mixed',
    gzipBytes: gzipSync(all).length,
    buffer: false,
  };
  total.sparsity = total.parameters ? 1 - total.nonzeros / total.parameters : 0;
  const params = rows.filter((r) => !r.buffer);
  const n = sum(params, 'parameters');
  const globalSparsity = n ? 1 - sum(params, 'nonzeros') / n : 0;
  const lines = [
    ...params.map((r) => `Sparsity in ${r.weight}: ${pct(r.sparsity)}`),
    `Global sparsity: ${pct(globalSparsity)}`,
  ];
  return { lines, text: lines.join('\n'), table: [...rows, total], globalSparsity };
}

/**
 * The size table of a report as aligned text columns.
 *
 * @example
 * ```ts
 * console.log(formatSizeTable(sparsityReport(model)));
 * ```
 */
export function formatSizeTable(report: SparsityReport): string {
  const head = ['weight', 'params', 'nonzeros', 'sparsity', 'float32 B', 'saved B', 'saved as', 'gzip B'];
  const body = report.table.map((r) => [
    r.weight,
    String(r.parameters),
    String(r.nonzeros),
    pct(r.sparsity),
    String(r.denseBytes),
    String(r.savedBytes),
    r.savedDtype,
    String(r.gzipBytes),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const fmt = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [fmt(head), ...body.map(fmt)].join('\n');
}
