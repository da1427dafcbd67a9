import * as tf from '@tensorflow/tfjs';
import { DataError } from '../errors.js';
import type { SessionState } from '../training/session.js';
import type { MethodState, SavedState, StateValue } from './method-state.js';
import type { StepStats } from './run-events.js';
import type { Run } from './run.js';
import { restoreSnapshot, takeSnapshot, type ModelSnapshot } from './snapshot.js';

/** Which weight of which layer a saved mask belongs to. */
export interface MaskRef {
  layer: string;
  name: string;
}

/**
 * The JSON half of a run's checkpoint (version 2). Tensors are stored beside it under the keys
 * `model.*` and `best.*` (weights, originals, masks), `opt.slots` (optimizer state) and
 * `method.<name>` (the recovery method's state).
 */
export interface CaptureMeta extends SessionState {
  /** Outer steps completed. */
  step: number;
  stats: StepStats[];
  elapsedMs: number;
  divergences: number;
  /** Iterations done when this process started (ETA counts only this session's speed). */
  sessionStartIterations: number;
  modelMasks: MaskRef[];
  best: { loss: number; step: number; masks: MaskRef[] } | null;
  /** The recovery method's JSON state and the names of its tensor lists (null: none). */
  method: { values: Record<string, StateValue>; tensorNames: string[] } | null;
}

/** Everything needed to continue a run: typed metadata plus named tensor lists. */
export interface RunCapture {
  meta: CaptureMeta;
  tensors: Record<string, tf.Tensor[]>;
}

/** Put a snapshot's tensors under `prefix.*` of `tensors` (taking ownership); its mask refs. */
export function putSnapshot(
  tensors: Record<string, tf.Tensor[]>,
  prefix: string,
  s: ModelSnapshot,
): MaskRef[] {
  tensors[`${prefix}.weights`] = s.weights;
  tensors[`${prefix}.originals`] = s.masks.map((m) => m.original);
  tensors[`${prefix}.masks`] = s.masks.map((m) => m.mask);
  return s.masks.map((m) => ({ layer: m.layer, name: m.name }));
}

/** The snapshot stored under `prefix.*` (its tensors still belong to the capture). */
export function getSnapshot(c: RunCapture, prefix: string, refs: MaskRef[]): ModelSnapshot {
  return {
    weights: c.tensors[`${prefix}.weights`] ?? [],
    masks: refs.map((r, i) => ({
      ...r,
      original: c.tensors[`${prefix}.originals`][i],
      mask: c.tensors[`${prefix}.masks`][i],
    })),
  };
}

/** A copy of a snapshot whose tensors survive any enclosing tidy. */
export function cloneSnapshot(s: ModelSnapshot): ModelSnapshot {
  return {
    weights: s.weights.map((w) => tf.keep(w.clone())),
    masks: s.masks.map((m) => ({
      ...m,
      original: tf.keep(m.original.clone()),
      mask: tf.keep(m.mask.clone()),
    })),
  };
}

/** Dispose every tensor of a capture. */
export function disposeCapture(c: RunCapture): void {
  for (const list of Object.values(c.tensors)) tf.dispose(list);
}

/** Copy everything needed to continue `run` (the caller owns the tensors). */
export function captureRun(run: Run): RunCapture {
  const tensors: Record<string, tf.Tensor[]> = {};
  const session = run.session.state();
  if (session.json.optimizer) tensors['opt.slots'] = session.slots;
  const modelMasks = putSnapshot(tensors, 'model', takeSnapshot(run.model));
  const best = run.best.snapshot
    ? {
        loss: run.best.loss,
        step: run.best.step,
        masks: putSnapshot(tensors, 'best', cloneSnapshot(run.best.snapshot)),
      }
    : null;
  let method: CaptureMeta['method'] = null;
  if (run.state) {
    const saved = run.state.save();
    for (const [name, list] of Object.entries(saved.tensors)) tensors[`method.${name}`] = list;
    method = { values: saved.values, tensorNames: Object.keys(saved.tensors) };
  }
  const meta: CaptureMeta = {
    ...session.json,
    step: run.step,
    stats: structuredClone(run.stats),
    elapsedMs: run.elapsedMs(),
    divergences: run.divergences,
    sessionStartIterations: run.sessionStartIterations,
    modelMasks,
    best,
    method,
  };
  return { meta, tensors };
}

/**
 * Put `run` back in the state of capture `c` (its tensors are copied; the caller still owns
 * them). `loadState` rebuilds the recovery method's state; a capture holding method state
 * without one is a `DataError`.
 */
export function restoreRun(run: Run, c: RunCapture, loadState?: (saved: SavedState) => MethodState): void {
  const m = c.meta;
  run.step = m.step;
  run.stats = structuredClone(m.stats);
  run.divergences = m.divergences;
  run.sessionStartIterations = m.sessionStartIterations;
  restoreSnapshot(run.model, getSnapshot(c, 'model', m.modelMasks));
  run.best.set(
    m.best ? cloneSnapshot(getSnapshot(c, 'best', m.best.masks)) : null,
    m.best?.loss ?? Infinity,
    m.best?.step ?? -1,
  );
  run.session.restore(m, c.tensors['opt.slots'] ?? []);
  let state: MethodState | null = null;
  if (m.method) {
    if (!loadState) {
      throw new DataError(
        `the checkpoint holds recovery-method state (${Object.keys(m.method.values).join(', ')}) ` +
          'but the run was given no way to load it',
      );
    }
    const tensors: Record<string, tf.Tensor[]> = {};
    for (const name of m.method.tensorNames) tensors[name] = c.tensors[`method.${name}`] ?? [];
    state = loadState({ values: m.method.values, tensors });
  }
  run.setState(state);
}
