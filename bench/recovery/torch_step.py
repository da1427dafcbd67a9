#!/usr/bin/python3
"""Milliseconds per masked fine-tuning minibatch in the PyTorch peer: the recipe of
bench/train-throughput/finetune-step.ts (seedNet width 0.25, FilterPrune density 0.5 with the
masks enforced by torch's pruning hooks as in torch_peer.py, batch 128 of random 32x32x3 inputs,
cross-entropy, SGD Nesterov momentum 0.9, constant rate 0.01). The step's cost does not depend on
the pixel values, so no dataset is read. Warm-up minibatches are excluded; prints one JSON line
with the median of the timed blocks.

Usage: /usr/bin/python3 bench/recovery/torch_step.py [--iters 10] [--repeats 3] [--warmup 3] [--threads 2]
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_peer import SeedNet, filter_prune  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iters", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    model = SeedNet(0.25)
    filter_prune([model.conv1, model.conv2, model.conv3], 0.5)
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, nesterov=True)
    # Four minibatches cycled, as the tfjs bench streams four batches' worth of random data.
    xs = torch.randn(4, args.batch, 3, 32, 32)
    ys = torch.randint(0, 10, (4, args.batch))

    def run(n):
        for i in range(n):
            loss = F.cross_entropy(model(xs[i % 4]), ys[i % 4])
            opt.zero_grad()
            loss.backward()
            opt.step()

    run(args.warmup)
    times = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        run(args.iters)
        times.append((time.perf_counter() - t0) * 1000 / args.iters)
    print(json.dumps({
        "msPerMinibatch": round(statistics.median(times), 1),
        "all": [round(t, 1) for t in times],
        "batchSize": args.batch,
        "threads": args.threads,
        "torch": torch.__version__,
        "load1": os.getloadavg()[0],
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }))


if __name__ == "__main__":
    main()
