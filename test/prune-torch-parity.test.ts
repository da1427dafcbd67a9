import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { clearPruning, getMask, prune, type Amount } from '../src/pruning/index.js';
import { trackTensors } from './helpers/leaks.js';

/**
 * Masks from PyTorch 1.13's torch.nn.utils.prune (test/oracle/torch_prune_oracle.py, see the
 * fixture's comment for the command) replayed on tfjs layers and compared entry for entry.
 */
interface Op {
  fn: 'l1_unstructured' | 'ln_structured' | 'global_unstructured';
  layer?: 'dense' | 'conv';
  param?: 'weight' | 'bias';
  amount: { fraction: number } | { count: number };
  n?: number | 'inf' | '-inf';
  dim?: 0 | 1 | 2 | 3;
  params?: Array<['dense' | 'conv', 'weight' | 'bias']>;
  /** l1_unstructured: one tensor; global_unstructured: [layer, param, tensor] triples (PyTorch layout). */
  importance?: unknown;
}
interface Fixture {
  comment: string;
  tensors: Record<'dense' | 'conv', { weight: number[][] | number[][][][]; bias: number[] }>;
  cases: Array<{ name: string; ops: Op[]; masks: Record<string, unknown> }>;
}

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/torch-prune/cases.json', import.meta.url), 'utf8'),
) as Fixture;

// PyTorch -> tfjs layouts: Linear [out, in] -> Dense [in, out]; Conv2d [out, in, kh, kw] -> [kh, kw, in, out].
const TO_TFJS = { dense: [1, 0], conv: [2, 3, 1, 0] } as const;
const TO_TORCH = { dense: [1, 0], conv: [3, 2, 0, 1] } as const;
const TFJS_NAME = { weight: 'kernel', bias: 'bias' } as const;
// PyTorch dim -> tfjs axis: dims 0/1 are 'out'/'in'; conv dims 2/3 (kh, kw) are tfjs axes 0/1.
const TFJS_DIM = { 0: 'out', 1: 'in', 2: 0, 3: 1 } as const;

/** A PyTorch-layout array as a tfjs tensor in tfjs layout (biases need no transposition). */
function toTfjs(key: 'dense' | 'conv', param: 'weight' | 'bias', values: unknown): tf.Tensor {
  return tf.tidy(() => {
    const t = tf.tensor(values as number[]);
    return param === 'weight' ? tf.transpose(t, [...TO_TFJS[key]]) : t;
  });
}

function buildModels(): { models: tf.LayersModel[]; layers: Record<'dense' | 'conv', tf.layers.Layer> } {
  const dense = tf.sequential({ layers: [tf.layers.dense({ inputShape: [5], units: 4, name: 'fc' })] });
  const conv = tf.sequential({
    layers: [tf.layers.conv2d({ inputShape: [4, 4, 3], filters: 6, kernelSize: 2, name: 'conv' })],
  });
  const layers = { dense: dense.getLayer('fc'), conv: conv.getLayer('conv') };
  for (const key of ['dense', 'conv'] as const) {
    tf.tidy(() => {
      const t = fixture.tensors[key];
      const w = tf.transpose(tf.tensor(t.weight), [...TO_TFJS[key]]);
      layers[key].setWeights([w, tf.tensor1d(t.bias)]);
    });
  }
  return { models: [dense, conv], layers };
}

function replay(op: Op, layers: Record<'dense' | 'conv', tf.layers.Layer>): void {
  const amount: Amount = op.amount;
  if (op.fn === 'l1_unstructured') {
    const importanceScores = op.importance ? toTfjs(op.layer!, op.param!, op.importance) : undefined;
    prune.l1Unstructured(layers[op.layer!], TFJS_NAME[op.param!], amount, { importanceScores });
    importanceScores?.dispose();
  } else if (op.fn === 'ln_structured') {
    const n = op.n === 'inf' ? Infinity : op.n === '-inf' ? -Infinity : op.n!;
    prune.lnStructured(layers[op.layer!], TFJS_NAME[op.param!], amount, n, TFJS_DIM[op.dim!]);
  } else {
    const params = op.params!.map(([l, p]) => [layers[l], TFJS_NAME[p]] as const);
    const triples = (op.importance ?? []) as Array<['dense' | 'conv', 'weight' | 'bias', unknown]>;
    const importanceScores = new Map(
      triples.map(([l, p, v]) => [`${layers[l].name}/${TFJS_NAME[p]}`, toTfjs(l, p, v)]),
    );
    prune.globalUnstructured(params, { method: prune.L1Unstructured, amount, importanceScores });
    tf.dispose([...importanceScores.values()]);
  }
}

describe(`torch.nn.utils.prune parity (${fixture.comment})`, () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      const leaks = trackTensors();
      const { models, layers } = buildModels();
      for (const op of c.ops) replay(op, layers);
      const expectedKeys = Object.keys(c.masks).sort();
      const got: string[] = [];
      for (const key of ['dense', 'conv'] as const) {
        for (const param of ['weight', 'bias'] as const) {
          const mask = getMask(layers[key], TFJS_NAME[param]);
          if (!mask) continue;
          got.push(`${key}.${param}`);
          const inTorchLayout = tf.tidy(() =>
            param === 'weight' ? tf.transpose(mask, [...TO_TORCH[key]]) : mask.clone(),
          );
          expect(inTorchLayout.arraySync(), `${key}.${param}`).toEqual(c.masks[`${key}.${param}`]);
          inTorchLayout.dispose();
        }
      }
      expect(got.sort()).toEqual(expectedKeys);
      for (const m of models) {
        clearPruning(m);
        m.dispose();
      }
      leaks.check();
    });
  }
});
