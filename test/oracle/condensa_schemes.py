#!/usr/bin/python3
"""Condensa-semantics oracle for the scheme tests.

Condensa (NVlabs/condensa) cannot be installed here, so this script restates its scheme semantics
(shared reference, algorithms.md section 1) in PyTorch, in PyTorch's own weight layout, and writes
the masks it produces for fixed small weights to test/fixtures/condensa/*.json in tfjs layout.
The TypeScript tests rebuild the same weights in a tfjs model, run our schemes (through the JSON
spec each case carries) and compare every mask entry.

Semantics restated (our words, not Condensa's code):
- threshold(x, density): k = int(density * numel); k == 0 is an error; the k-th largest |x|.
- Prune: one threshold over |weight| of every eligible Conv2d/Linear; keep |w| >= threshold.
- FilterPrune/NeuronPrune/StructurePrune: score each filter (conv weight [out,in,kh,kw], one `out`
  slice) or neuron (linear weight [out,in], one row) by the criterion over its |w|; one threshold
  over all scores; keep scores >= threshold; prune_bias zeroes the bias of removed units; align
  rounds each layer's survivors down to a multiple (never below min(align, n): an empty
  layer would cut the network; survivors are the highest scores, earlier index first).
- BlockPrune: split the linear weight into blocks that divide it, score each block, one threshold.
- Layers marked no-compress are skipped; a per-layer density gets its own threshold.

Run: /usr/bin/python3 test/oracle/condensa_schemes.py
"""
import json
import os

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(__file__), '..', 'fixtures', 'condensa')


def threshold(x, density):
    k = int(density * x.numel())
    if k == 0:
        raise ValueError('density makes the model zero')
    vals, _ = torch.topk(x.abs().reshape(-1), k, sorted=True)
    return vals[-1].item()


def aggregate(w2d, criteria):
    """w2d: [units, elems] -> one float32 score per unit."""
    a = w2d.abs()
    if criteria == 'l2':
        return a.norm(2, dim=1)
    if criteria in ('l1', 'sum'):
        return a.sum(dim=1)
    if criteria == 'max':
        return a.max(dim=1).values
    if criteria == 'min':
        return a.min(dim=1).values
    if criteria == 'mean':
        return a.mean(dim=1)
    if criteria == 'l2Scaled':
        return a.norm(2, dim=1) / a.shape[1]
    raise ValueError(criteria)


def align_keep(scores, keep, align):
    if not align or align <= 1:
        return keep
    kept = int(keep.sum())
    target = (kept // align) * align
    if target == 0:
        target = min(align, len(scores))  # never leave a layer empty: it would cut the network
    if target == kept:
        return keep
    # highest scores first, earlier index first among equals
    order = sorted(range(len(scores)), key=lambda i: (-scores[i].item(), i))
    out = torch.zeros_like(keep)
    out[order[:target]] = True
    return out


def build_layers():
    """Small conv/linear stack in PyTorch layout, weights k/8 with many ties (exact in float32)."""
    rng = np.random.default_rng(7)
    def w(*shape):
        return torch.tensor(rng.integers(-16, 17, size=shape) / 8.0, dtype=torch.float32)
    return [
        {'name': 'conv1', 'kind': 'conv', 'weight': w(4, 2, 3, 3), 'bias': w(4)},
        {'name': 'conv2', 'kind': 'conv', 'weight': w(6, 4, 3, 3), 'bias': w(6)},
        {'name': 'fc1', 'kind': 'linear', 'weight': w(8, 24), 'bias': w(8)},
        {'name': 'fc2', 'kind': 'linear', 'weight': w(4, 8), 'bias': w(4)},
    ]


def units(layer):
    return layer['weight'].reshape(layer['weight'].shape[0], -1)


def unit_scheme(layers, kinds, density, criteria='l2', align=None, prune_bias=True, densities=None, skip=()):
    densities = densities or {}
    elig = [l for l in layers if l['kind'] in kinds and l['name'] not in skip]
    scores = {l['name']: aggregate(units(l), criteria) for l in elig}
    shared = [scores[l['name']] for l in elig if l['name'] not in densities]
    thr = threshold(torch.cat(shared), density) if shared else None
    masks = {}
    for l in elig:
        s = scores[l['name']]
        t = threshold(s, densities[l['name']]) if l['name'] in densities else thr
        keep = align_keep(s, s >= t, align)
        wm = keep.float().reshape(-1, *([1] * (l['weight'].dim() - 1))).expand_as(l['weight'])
        masks[(l['name'], 'weight')] = wm.clone()
        if prune_bias:
            masks[(l['name'], 'bias')] = keep.float()
    return masks


def prune_scheme(layers, density, densities=None, skip=()):
    densities = densities or {}
    elig = [l for l in layers if l['name'] not in skip]
    shared = [l['weight'].abs().reshape(-1) for l in elig if l['name'] not in densities]
    thr = threshold(torch.cat(shared), density)
    masks = {}
    for l in elig:
        t = threshold(l['weight'], densities[l['name']]) if l['name'] in densities else thr
        masks[(l['name'], 'weight')] = (l['weight'].abs() >= t).float()
    return masks


def block_scheme(layers, density, block, criteria='l2'):
    """block = (rows, cols) in PyTorch layout [out, in]."""
    elig = [l for l in layers if l['kind'] == 'linear']
    per = {}
    for l in elig:
        W = l['weight']
        o, i = W.shape
        br, bc = block
        b = W.reshape(o // br, br, i // bc, bc).permute(0, 2, 1, 3).reshape(o // br, i // bc, br * bc)
        per[l['name']] = aggregate(b.reshape(-1, br * bc), criteria).reshape(o // br, i // bc)
    thr = threshold(torch.cat([s.reshape(-1) for s in per.values()]), density)
    masks = {}
    for l in elig:
        keep = (per[l['name']] >= thr).float()
        masks[(l['name'], 'weight')] = keep.repeat_interleave(block[0], 0).repeat_interleave(block[1], 1)
    return masks


def to_tfjs(kind, pname, t):
    if pname == 'bias':
        return t
    if kind == 'conv':
        return t.permute(2, 3, 1, 0)  # [out,in,kh,kw] -> [kh,kw,in,out]
    return t.t()  # [out,in] -> [in,out]


def tfjs_name(pname):
    return 'kernel' if pname == 'weight' else 'bias'


def main():
    layers = build_layers()
    cases = []

    def add(name, spec, masks):
        out = {}
        for l in layers:
            for p in ('weight', 'bias'):
                m = masks.get((l['name'], p), torch.ones_like(l[p]))
                out[f"{l['name']}/{tfjs_name(p)}"] = to_tfjs(l['kind'], p, m).contiguous().reshape(-1).int().tolist()
        cases.append({'name': name, 'spec': spec, 'masks': out})

    for d in (0.1, 0.3, 0.5, 0.9):
        add(f'Prune density {d}', {'scheme': 'Prune', 'density': d}, prune_scheme(layers, d))
    add('Prune per-layer density conv2 0.2, fc2 skipped',
        {'scheme': 'Prune', 'density': 0.4, 'layers': {'conv2': {'density': 0.2}, 'fc2': 'skip'}},
        prune_scheme(layers, 0.4, densities={'conv2': 0.2}, skip=('fc2',)))
    # 'min' is left to BlockPrune: every filter here holds a zero, so min scores all tie at 0.
    for c in ('l2', 'l1', 'max', 'mean', 'sum', 'l2Scaled'):
        add(f'FilterPrune {c}', {'scheme': 'FilterPrune', 'density': 0.5, 'criteria': c},
            unit_scheme(layers, ('conv',), 0.5, criteria=c))
    add('FilterPrune align 4', {'scheme': 'FilterPrune', 'density': 0.6, 'align': 4},
        unit_scheme(layers, ('conv',), 0.6, align=4))
    add('FilterPrune no bias', {'scheme': 'FilterPrune', 'density': 0.3, 'pruneBias': False},
        unit_scheme(layers, ('conv',), 0.3, prune_bias=False))
    add('FilterPrune per-layer conv1 0.75', {'scheme': 'FilterPrune', 'density': 0.3, 'densities': {'conv1': 0.75}},
        unit_scheme(layers, ('conv',), 0.3, densities={'conv1': 0.75}))
    add('NeuronPrune Condensa (outputs not protected)',
        {'scheme': 'NeuronPrune', 'density': 0.5, 'protectOutputs': False},
        unit_scheme(layers, ('linear',), 0.5))
    add('NeuronPrune protecting the logits', {'scheme': 'NeuronPrune', 'density': 0.5},
        unit_scheme(layers, ('linear',), 0.5, skip=('fc2',)))
    for c in ('l2', 'max'):
        add(f'StructurePrune {c}', {'scheme': 'StructurePrune', 'density': 0.4, 'criteria': c, 'protectOutputs': False},
            unit_scheme(layers, ('conv', 'linear'), 0.4, criteria=c))
    for c in ('l2', 'l1', 'min'):
        # tfjs block [in, out] = [4, 2] is PyTorch block [out, in] = [2, 4]
        add(f'BlockPrune {c}', {'scheme': 'BlockPrune', 'density': 0.5, 'blockSize': [4, 2], 'criteria': c},
            block_scheme(layers, 0.5, (2, 4), criteria=c))

    weights = {}
    for l in layers:
        for p in ('weight', 'bias'):
            t = to_tfjs(l['kind'], p, l[p]).contiguous()
            weights[f"{l['name']}/{tfjs_name(p)}"] = {'shape': list(t.shape), 'data': t.reshape(-1).tolist()}
    os.makedirs(OUT, exist_ok=True)
    fixture = {
        'about': 'Masks by a PyTorch restatement of Condensa scheme semantics (test/oracle/condensa_schemes.py).',
        'model': 'input [6,6,2] -> conv1 3x3x4 -> conv2 3x3x6 -> flatten 24 -> fc1 8 -> fc2 4 (softmax)',
        'weights': weights,
        'cases': cases,
    }
    with open(os.path.join(OUT, 'schemes.json'), 'w') as f:
        json.dump(fixture, f, separators=(',', ':'))
    print(f'wrote {len(cases)} cases')


if __name__ == '__main__':
    main()
