import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alignMaskArray } from '../src/operators/alignMask.js';
import { density, maskFromThreshold, threshold } from '../src/operators/index.js';
import { keepAtLeast } from '../src/operators/maskFromThreshold.js';
import { guardedKeep } from '../src/operators/guards.js';
import { expectNoLeaks } from './helpers/leaks.js';

// Seeded and bounded: each property is a fixed sample, the same on every run.
const runs = { seed: 20261204, numRuns: 200 };

const values = fc.array(fc.float({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 1, maxLength: 300 });
const densityArb = fc.double({ min: 1e-3, max: 1, noNaN: true });

const count = (a: ArrayLike<number>): number => Array.from(a).filter((x) => x !== 0).length;
const binary = (a: ArrayLike<number>): boolean => Array.from(a).every((x) => x === 0 || x === 1);

describe('mask math properties', () => {
  it('threshold keeps floor(density * n) entries, plus only ties at the threshold', () => {
    fc.assert(
      fc.property(values, densityArb, (arr, d) => {
        const k = Math.floor(d * arr.length);
        fc.pre(k >= 1);
        const v = Float32Array.from(arr);
        const thr = threshold(v, d);
        const mags = Array.from(v, Math.abs);
        const above = mags.filter((m) => m > thr).length;
        const kept = mags.filter((m) => m >= thr).length;
        expect(above).toBeLessThan(k);
        expect(kept).toBeGreaterThanOrEqual(k);
        // Without ties the realised density is exactly the target within rounding.
        if (new Set(mags).size === mags.length) expect(kept).toBe(k);
      }),
      runs,
    );
  });

  it('threshold masks are binary and agree between tensor and array forms', async () => {
    await expectNoLeaks(() =>
      fc.assert(
        fc.property(values, densityArb, (arr, d) => {
          fc.pre(Math.floor(d * arr.length) >= 1);
          const v = Float32Array.from(arr, Math.abs);
          const thr = threshold(v, d);
          const t = tf.tensor1d(v);
          const m = maskFromThreshold(t, thr);
          const data = m.dataSync() as Float32Array;
          tf.dispose([t, m]);
          expect(binary(data)).toBe(true);
          expect(Array.from(data)).toEqual(Array.from(keepAtLeast(v, thr)));
          expect(density(data)).toBeCloseTo(count(data) / v.length, 6);
        }),
        { ...runs, numRuns: 100 },
      ),
    );
  });

  it('alignMask keeps a multiple of align (or min(align, n)), only the best scores, binary', () => {
    fc.assert(
      fc.property(
        fc.array(fc.float({ min: 0, max: 100, noNaN: true }), { minLength: 1, maxLength: 64 }),
        fc.array(fc.boolean(), { minLength: 64, maxLength: 64 }),
        fc.integer({ min: 1, max: 9 }),
        fc.boolean(),
        (scores, flags, align, allowEmpty) => {
          const mask = scores.map((_, i) => (flags[i] ? 1 : 0));
          const out = alignMaskArray(scores, mask, align, { allowEmpty }, 'p');
          const n = scores.length;
          const kept = count(out);
          const target = Math.floor(count(mask) / align) * align;
          expect(binary(out)).toBe(true);
          expect(kept).toBe(target === 0 && !allowEmpty ? Math.min(align, n) : target);
          if (kept <= count(mask)) {
            // Shrinking: survivors come from the mask and outrank the dropped ones.
            for (let i = 0; i < n; i++) if (out[i]) expect(mask[i]).toBe(1);
            const minKept = Math.min(...scores.filter((_, i) => out[i]));
            const maxDropped = Math.max(...scores.filter((_, i) => mask[i] && !out[i]));
            if (kept > 0 && Number.isFinite(maxDropped)) expect(minKept).toBeGreaterThanOrEqual(maxDropped);
          }
        },
      ),
      runs,
    );
  });

  it('the empty-layer guard never empties a layer unless allowed, and only ever adds the best units', () => {
    fc.assert(
      fc.property(
        fc.array(fc.float({ min: 0, max: 10, noNaN: true }), { minLength: 1, maxLength: 40 }),
        fc.float({ min: 0, max: 12, noNaN: true }),
        fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }),
        fc.boolean(),
        (arr, thr, align, allowEmpty) => {
          const scores = Float32Array.from(arr);
          const plain = count(Array.from(scores, (s) => (s >= thr ? 1 : 0)));
          const { keep, guarded } = guardedKeep(scores, thr, align, allowEmpty);
          const kept = count(keep);
          expect(binary(keep)).toBe(true);
          if (!allowEmpty) expect(kept).toBeGreaterThanOrEqual(Math.min(align ?? 1, scores.length));
          if (allowEmpty && (align ?? 1) === 1) expect(kept).toBe(plain);
          expect(guarded).toBe(kept > plain);
          if (guarded) expect(kept).toBe(Math.min(align ?? 1, scores.length));
        },
      ),
      runs,
    );
  });
});
