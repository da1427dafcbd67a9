#!/usr/bin/python3
"""PyTorch 1.13 peer of condensa-ts's Taylor, FPGM and APoZ importance (src/importance/).

Reads what bench/criteria/peer-scores.ts wrote (the calibration images and condensa-ts's scores),
loads the same pretrained seedNet 0.25 (the committed tfjs asset, via bench/recovery/torch_peer.py's
loader), computes the three criteria the direct way in PyTorch, and prints one JSON line with the
Spearman rank correlation per criterion and layer.

- Taylor (Molchanov et al.): the ReLU outputs z of conv1-3 keep their gradient (retain_grad); per
  minibatch of 64, Theta_k = |sum over batch and positions of dL/dz * z| / positions with L the
  batch-mean cross-entropy (= |mean over examples and positions of dl/dz * z|), summed over
  minibatches, then divided by its L2 norm per layer. condensa-ts gets the same quantity from
  weight gradients; this computes it from the activation gradient.
- FPGM: sum of Euclidean distances of each filter to the layer's other filters (torch.cdist).
- APoZ: 1 - fraction of exact zeros of the ReLU output over examples and positions.

Usage: /usr/bin/python3 bench/criteria/torch_criteria.py [--dir ~/.cache/condensa-ts/criteria-peer]
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.join(ROOT, "scripts"))
sys.path.insert(0, os.path.join(ROOT, "bench", "recovery"))
from train_seednet_torch import SeedNet  # noqa: E402
from torch_peer import load_tfjs_asset  # noqa: E402


def forward_with_activations(model, x):
    """SeedNet's forward, returning the logits and the ReLU outputs of conv1-3."""
    acts = []
    for conv, bn in ((model.conv1, model.bn1), (model.conv2, model.bn2), (model.conv3, model.bn3)):
        z = F.relu(conv(x))
        acts.append(z)
        x = bn(F.max_pool2d(z, 2))
    x = x.reshape(x.shape[0], -1)
    x = F.relu(model.fc1(x))
    x = F.relu(model.fc2(x))
    return model.fc3(x), acts


def ranks(v):
    """Average ranks (ties share the mean of their positions), for Spearman's rho."""
    order = np.argsort(v, kind="mergesort")
    r = np.empty(len(v))
    sv = v[order]
    i = 0
    while i < len(v):
        j = i
        while j + 1 < len(v) and sv[j + 1] == sv[i]:
            j += 1
        r[order[i:j + 1]] = (i + j) / 2
        i = j + 1
    return r


def spearman(a, b):
    ra, rb = ranks(np.asarray(a, dtype=np.float64)), ranks(np.asarray(b, dtype=np.float64))
    return float(np.corrcoef(ra, rb)[0, 1])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dir", default=os.path.join(os.path.expanduser("~"), ".cache", "condensa-ts", "criteria-peer"))
    p.add_argument("--model-dir", default=os.path.join(ROOT, "assets", "models", "seednet-0.25-cifar10"))
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    shape = json.load(open(os.path.join(args.dir, "shape.json")))
    ts = json.load(open(os.path.join(args.dir, "scores.json")))
    images = np.fromfile(os.path.join(args.dir, "images.f32"), dtype="<f4").reshape(shape)
    labels = np.fromfile(os.path.join(args.dir, "labels.i32"), dtype="<i4")
    x_all = torch.from_numpy(images.transpose(0, 3, 1, 2).copy())
    y_all = torch.from_numpy(labels.astype(np.int64))
    model = SeedNet(0.25)
    load_tfjs_asset(model, args.model_dir)
    model.eval()
    convs = [model.conv1, model.conv2, model.conv3]
    names = ["conv1", "conv2", "conv3"]
    batch = ts.get("batchSize", 64)

    seconds = {}
    t0 = time.perf_counter()
    theta = [torch.zeros(c.out_channels, dtype=torch.float64) for c in convs]
    zeros = [torch.zeros(c.out_channels, dtype=torch.float64) for c in convs]
    counts = [0, 0, 0]
    for s in range(0, x_all.shape[0], batch):
        x, y = x_all[s:s + batch], y_all[s:s + batch]
        logits, acts = forward_with_activations(model, x)
        for z in acts:
            z.retain_grad()
        F.cross_entropy(logits, y).backward()
        for i, z in enumerate(acts):
            positions = z.shape[2] * z.shape[3]
            theta[i] += ((z.grad * z.detach()).sum(dim=(0, 2, 3)) / positions).abs().double()
            zeros[i] += (z.detach() == 0).sum(dim=(0, 2, 3)).double()
            counts[i] += z.shape[0] * positions
        model.zero_grad()
    taylor = [(t / t.norm()).numpy() for t in theta]
    seconds["taylor+apoz"] = time.perf_counter() - t0
    apoz = [(1 - z / n).numpy() for z, n in zip(zeros, counts)]
    t0 = time.perf_counter()
    fpgm = [torch.cdist(c.weight.detach().flatten(1)[None], c.weight.detach().flatten(1)[None])[0].sum(1).numpy() for c in convs]
    seconds["fpgm"] = time.perf_counter() - t0

    out = {"images": int(x_all.shape[0]), "torch": torch.__version__, "seconds": seconds, "tsSeconds": ts["seconds"], "spearman": {}, "maxAbsDiff": {}}
    for crit, mine in (("taylor", taylor), ("fpgm", fpgm), ("apoz", apoz)):
        out["spearman"][crit] = {n: round(spearman(ts["scores"][crit][n], m), 5) for n, m in zip(names, mine)}
        out["maxAbsDiff"][crit] = {n: float(np.max(np.abs(np.asarray(ts["scores"][crit][n]) - m))) for n, m in zip(names, mine)}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
