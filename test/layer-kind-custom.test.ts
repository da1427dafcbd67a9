import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { compactWithPlan, countFlops } from '../src/graph/index.js';
import { layerKind } from '../src/core/layer-kinds/index.js';
import { channelScale } from './helpers/custom-layer.js';
import {
  type Sym,
  conv,
  disposeAll,
  functional,
  maxRelativeError,
  randomInput,
  randomizeBiasesAndNorms,
  zeroFilters,
} from './graph-fixtures.js';
import { trackTensors } from './helpers/leaks.js';

/** conv p (filters 1 and 3 zeroed) -> custom ChannelScale -> valid conv -> dense head. */
function model(): tf.LayersModel {
  const m = functional([8, 8, 3], (x) => {
    const y = conv('c', 5).apply(
      channelScale('scale').apply(conv('p', 6, { activation: 'relu' }).apply(x)),
    ) as Sym;
    return tf.layers.dense({ name: 'out', units: 3 }).apply(tf.layers.flatten().apply(y)) as Sym;
  });
  randomizeBiasesAndNorms(m, 4);
  zeroFilters(m, 'p', [1, 3]);
  return m;
}

describe('a custom layer kind registered from its own file', () => {
  it('unknown: its channels are pinned and FLOPs warn; registered: they are removed and counted', async () => {
    const leaks = trackTensors();
    const before = model();
    expect(layerKind('ChannelScale')).toBeUndefined();
    const kept = compactWithPlan(before);
    expect(kept.plan.removed).toEqual([]);
    expect(kept.plan.pinned.flatMap((p) => p.reasons).join('\n')).toMatch(/'scale' \(ChannelScale\)/);
    expect(countFlops(before).warnings).toEqual([expect.stringMatching(/'scale' \(ChannelScale\)/)]);
    disposeAll(kept.model);

    await import('./helpers/channel-scale-kind.js');
    const { model: small, plan } = compactWithPlan(before);
    expect(plan.removed.map((r) => [r.layers, r.removed])).toEqual([[['p', 'scale'], 2]]);
    expect(small.getLayer('scale').getWeights()[0].shape).toEqual([4]);
    const x = randomInput([2, 8, 8, 3]);
    expect(maxRelativeError(before, small, x)).toBeLessThanOrEqual(1e-5);
    const flops = countFlops(before);
    expect(flops.warnings).toEqual([]);
    expect(flops.perLayer.find((l) => l.name === 'scale')!.flops).toBe(6 * 6 * 6);
    x.dispose();
    disposeAll(before, small);
    leaks.check();
  });
});
