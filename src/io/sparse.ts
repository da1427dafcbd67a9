import type * as tf from '@tensorflow/tfjs';
import { elementBytes, entryByteLength } from './quantize.js';

/**
 * Sparse weight encoding: a lossless layer over the standard tfjs weight bytes (float32, or the
 * float16 / uint8 of a quantized manifest entry). An entry whose elements are mostly the encoding
 * of 0 is stored as the gaps between its other elements (LEB128 varints) followed by those
 * elements' bytes; decoding scatters them back into a run of zero elements and yields exactly the
 * dense bytes tfjs expects, so tfjs itself still dequantizes. tfjs saves pruned zeros densely,
 * which gzip compresses only to ~1/10 at 98% sparsity; the gaps cost about one byte per kept
 * weight. No Node APIs: {@link decodeSparseArtifacts} runs in a browser.
 */

/** The sparse part of a manifest entry: kept elements and the bytes of their gap list. */
export interface SparseInfo {
  count: number;
  indexBytes: number;
}

/** A tfjs manifest entry that may be stored sparsely. */
export type SparseManifestEntry = tf.io.WeightsManifestEntry & { sparse?: SparseInfo };

/** What the sparse `model.sparse.json` holds: a tfjs model JSON whose entries may be sparse. */
export interface SparseModelJSON {
  format: 'condensa-sparse';
  modelTopology: object;
  trainingConfig?: tf.io.TrainingConfig;
  weightsManifest: { paths: string[]; weights: SparseManifestEntry[] }[];
}

/** The bytes that encode 0 for an entry: all zero, except uint8's zero point. */
function zeroElement(spec: tf.io.WeightsManifestEntry): Uint8Array {
  const zero = new Uint8Array(elementBytes(spec));
  const q = spec.quantization;
  if (q?.dtype === 'uint8') zero[0] = Math.round(-(q.min ?? 0) / (q.scale ?? 1));
  return zero;
}

function isZero(bytes: Uint8Array, at: number, zero: Uint8Array): boolean {
  for (let k = 0; k < zero.length; k++) if (bytes[at + k] !== zero[k]) return false;
  return true;
}

function pushVarint(out: number[], v: number): void {
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
}

/**
 * Encode one entry's dense bytes sparsely when that is smaller; otherwise return them as they are.
 *
 * @example
 * ```ts
 * const { spec, bytes } = encodeSparseEntry({ name: 'w', shape: [4], dtype: 'float32' },
 *   new Uint8Array(new Float32Array([0, 0, 3, 0]).buffer));
 * spec.sparse; // { count: 1, indexBytes: 1 }: gap 2, then the 4 bytes of 3
 * ```
 */
export function encodeSparseEntry(
  spec: tf.io.WeightsManifestEntry,
  dense: Uint8Array,
): { spec: SparseManifestEntry; bytes: Uint8Array } {
  const size = elementBytes(spec);
  const zero = zeroElement(spec);
  const n = dense.length / size;
  const gaps: number[] = [];
  const kept: number[] = [];
  let last = -1;
  for (let i = 0; i < n; i++) {
    if (isZero(dense, i * size, zero)) continue;
    pushVarint(gaps, i - last - 1);
    kept.push(i);
    last = i;
  }
  if (gaps.length + kept.length * size >= dense.length) return { spec, bytes: dense };
  const bytes = new Uint8Array(gaps.length + kept.length * size);
  bytes.set(gaps);
  kept.forEach((i, j) => bytes.set(dense.subarray(i * size, (i + 1) * size), gaps.length + j * size));
  return { spec: { ...spec, sparse: { count: kept.length, indexBytes: gaps.length } }, bytes };
}

/** Bytes an entry occupies in a sparse weights file. */
export function sparseEntryByteLength(spec: SparseManifestEntry): number {
  if (!spec.sparse) return entryByteLength(spec);
  return spec.sparse.indexBytes + spec.sparse.count * elementBytes(spec);
}

/** Dense tfjs bytes of one entry from its sparse bytes; throws on a corrupt gap list. */
export function decodeSparseEntry(spec: SparseManifestEntry, bytes: Uint8Array): Uint8Array {
  if (!spec.sparse) return bytes;
  const size = elementBytes(spec);
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const { count, indexBytes } = spec.sparse;
  const zero = zeroElement(spec);
  const dense = new Uint8Array(n * size);
  if (zero.some((b) => b !== 0)) for (let i = 0; i < n; i++) dense.set(zero, i * size);
  let pos = 0;
  let at = -1;
  for (let j = 0; j < count; j++) {
    let gap = 0;
    let shift = 0;
    for (;;) {
      if (pos >= indexBytes) throw new Error(`weight '${spec.name}': sparse index list is truncated`);
      const b = bytes[pos++];
      gap += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (b < 0x80) break;
    }
    at += gap + 1;
    if (at >= n) throw new Error(`weight '${spec.name}': sparse index ${at} is outside its ${n} elements`);
    const from = indexBytes + j * size;
    dense.set(bytes.subarray(from, from + size), at * size);
  }
  if (pos !== indexBytes) throw new Error(`weight '${spec.name}': sparse index list has trailing bytes`);
  return dense;
}

/**
 * The standard tfjs artifacts of a sparse model: pass them to `tf.io.fromMemory` and
 * `tf.loadLayersModel`, in Node or a browser (fetch `model.sparse.json` and its weights file).
 *
 * @example
 * ```ts
 * const json = await (await fetch('model/model.sparse.json')).json();
 * const bin = new Uint8Array(await (await fetch('model/weights.sparse.bin')).arrayBuffer());
 * const model = await tf.loadLayersModel(tf.io.fromMemory(decodeSparseArtifacts(json, bin)));
 * ```
 */
export function decodeSparseArtifacts(json: SparseModelJSON, weights: Uint8Array): tf.io.ModelArtifacts {
  if (json.format !== 'condensa-sparse') {
    throw new Error(`format '${String(json.format)}' is not 'condensa-sparse'`);
  }
  const specs: tf.io.WeightsManifestEntry[] = [];
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const group of json.weightsManifest) {
    for (const entry of group.weights) {
      const length = sparseEntryByteLength(entry);
      if (offset + length > weights.length) {
        throw new Error(`weights end at byte ${weights.length}, before weight '${entry.name}' (truncated)`);
      }
      parts.push(decodeSparseEntry(entry, weights.subarray(offset, offset + length)));
      offset += length;
      const { sparse: _, ...dense } = entry;
      specs.push(dense);
    }
  }
  if (offset !== weights.length) {
    throw new Error(`weights hold ${weights.length} bytes but the manifest describes ${offset}`);
  }
  const total = parts.reduce((s, p) => s + p.length, 0);
  const data = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    data.set(p, at);
    at += p.length;
  }
  return {
    modelTopology: json.modelTopology,
    weightSpecs: specs,
    weightData: data.buffer,
    ...(json.trainingConfig ? { trainingConfig: json.trainingConfig } : {}),
  };
}
