"""PyTorch CPU counterpart of wasm-bench.ts: the seed's Net (NCHW here) at several widths,
training (SGD momentum step, cross-entropy, batch 64) and inference, on N threads.
Prints one JSON line per width and mode, same fields as wasm-bench.ts.

    /usr/bin/python3 bench/train-throughput/torch_bench.py --threads 2 --widths 1,0.5,0.25
"""
import argparse
import json
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def scale(c, width):
    return max(1, round(c * width))


class Net(nn.Module):
    """conv 3->c1->c2->c3 (3x3 valid) + ReLU + 2x2 max-pool + BN after the pool; dense
    c3*2*2 -> f1 -> f2 -> 10. Width scales every hidden width, like seedNet in src/models."""

    def __init__(self, width):
        super().__init__()
        c1, c2, c3 = (scale(c, width) for c in (256, 512, 1024))
        f1, f2 = (scale(u, width) for u in (2048, 512))
        self.conv1, self.bn1 = nn.Conv2d(3, c1, 3), nn.BatchNorm2d(c1)
        self.conv2, self.bn2 = nn.Conv2d(c1, c2, 3), nn.BatchNorm2d(c2)
        self.conv3, self.bn3 = nn.Conv2d(c2, c3, 3), nn.BatchNorm2d(c3)
        self.fc1, self.fc2, self.fc3 = nn.Linear(c3 * 4, f1), nn.Linear(f1, f2), nn.Linear(f2, 10)

    def forward(self, x):
        x = self.bn1(F.max_pool2d(F.relu(self.conv1(x)), 2))
        x = self.bn2(F.max_pool2d(F.relu(self.conv2(x)), 2))
        x = self.bn3(F.max_pool2d(F.relu(self.conv3(x)), 2))
        x = torch.flatten(x, 1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))  # logits; softmax is in the loss


def forward_flops_per_image(model):
    """Same rule as flops.ts: 2 x MACs of conv and dense layers."""
    macs = 0
    x = torch.zeros(1, 3, 32, 32)
    hooks = []

    def conv_hook(m, inp, out):
        nonlocal macs
        macs += out.shape[2] * out.shape[3] * m.out_channels * m.in_channels * m.kernel_size[0] * m.kernel_size[1]

    def linear_hook(m, inp, out):
        nonlocal macs
        macs += m.in_features * m.out_features

    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            hooks.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, nn.Linear):
            hooks.append(m.register_forward_hook(linear_hook))
    with torch.no_grad():
        model.eval()
        model(x)
    for h in hooks:
        h.remove()
    return 2 * macs


def time_steps(step, min_seconds):
    step()
    runs = 0
    t0 = time.perf_counter()
    while runs < 2 or (time.perf_counter() - t0 < min_seconds and runs < 20):
        step()
        runs += 1
    return (time.perf_counter() - t0) / runs


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--widths", default="1,0.5,0.25")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--seconds", type=float, default=4)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    for width in (float(w) for w in a.widths.split(",")):
        model = Net(width)
        flops = forward_flops_per_image(model)
        x = torch.randn(a.batch, 3, 32, 32)
        y = torch.randint(0, 10, (a.batch,))
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

        def train_step():
            model.train()
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            loss.item()

        def infer_step():
            model.eval()
            with torch.no_grad():
                F.softmax(model(x), dim=1).sum().item()

        for mode, sec, factor in (
            ("train", time_steps(train_step, a.seconds), 3),
            ("infer", time_steps(infer_step, a.seconds), 1),
        ):
            ips = a.batch / sec
            print(json.dumps({
                "engine": "torch", "threads": torch.get_num_threads(), "width": width, "mode": mode,
                "batch": a.batch, "imagesPerSec": ips, "gflops": ips * flops * factor / 1e9,
                "forwardMflopPerImage": flops / 1e6,
            }), flush=True)


if __name__ == "__main__":
    main()
