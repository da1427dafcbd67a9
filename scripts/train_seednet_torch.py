#!/usr/bin/python3
"""Train the seed's Net at width 0.25 on CIFAR-10 with PyTorch (CPU) for condensa-ts.

Why PyTorch: training this model with tfjs on the shared 2-core machine takes about two hours of
both cores; PyTorch 1.13 CPU does the same epochs 3-4x faster. The architecture is the one
`seedNet({ width: 0.25 })` builds in src/models/seed-net.ts (conv -> ReLU -> max-pool -> batch
norm, three times, then three dense layers); scripts/export_seednet_weights.py and
scripts/convert-seednet.ts turn the result into a tfjs model, verified there.

Data: the official CIFAR-10 binary files (data_batch_1..5.bin, test_batch.bin: records of one
label byte + 3072 pixel bytes, R, G, B planes of 32x32), as cached and sha256-verified by
`condensa data fetch cifar10` under ~/.cache/condensa-ts/cifar10/ (or --data-dir).

Recipe: SGD momentum 0.9, lr 0.05 with cosine decay (per step), weight decay 5e-4,
batch 128, random crop with 4-pixel zero padding + horizontal flip, per-channel normalization.

Usage:
  nice /usr/bin/python3 scripts/train_seednet_torch.py --epochs 25 --out /tmp/seednet-torch
"""
import argparse
import hashlib
import json
import math
import os
import platform
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

CIFAR10_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR10_STD = (0.2470, 0.2435, 0.2616)

SHA256 = {
    "data_batch_1.bin": "cee916563c9f80d84e3cc88e17fdc0941787f1244f00a67874d45b261883ada5",
    "data_batch_2.bin": "a591ca11fa1708a91ee40f54b3da4784ccd871ecf2137de63f51ada8b3fa57ed",
    "data_batch_3.bin": "bbe8596564c0f86427f876058170b84dac6670ddf06d79402899d93ceea26f67",
    "data_batch_4.bin": "014e562d6e23c72197cc727519169a60359f5eccd8945ad5a09d710285ff4e48",
    "data_batch_5.bin": "755304fc0b379caeae8c14f0dac912fbc7d6cd469eb67a1029a08a39453a9add",
    "test_batch.bin": "8e2eb146ae340b09e24670f29cabc6326dba54da8789dab6768acf480273f65b",
}


def read_batches(data_dir, names):
    """Read official CIFAR-10 binary batches -> (uint8 N,3,32,32, int64 N), checking sha256."""
    images, labels = [], []
    for name in names:
        path = os.path.join(data_dir, name)
        raw = open(path, "rb").read()
        digest = hashlib.sha256(raw).hexdigest()
        if digest != SHA256[name]:
            raise SystemExit(f"{path}: sha256 {digest} != expected {SHA256[name]}")
        rec = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3073)
        labels.append(rec[:, 0].astype(np.int64))
        images.append(rec[:, 1:].reshape(-1, 3, 32, 32))
    return np.concatenate(images), np.concatenate(labels)


class SeedNet(nn.Module):
    """The seed's Net with every hidden width scaled by `width` (width 1 = the seed exactly)."""

    def __init__(self, width=0.25):
        super().__init__()
        c1, c2, c3 = (round(256 * width), round(512 * width), round(1024 * width))
        f1, f2 = round(2048 * width), round(512 * width)
        self.c3 = c3
        self.conv1 = nn.Conv2d(3, c1, 3)
        self.bn1 = nn.BatchNorm2d(c1)
        self.conv2 = nn.Conv2d(c1, c2, 3)
        self.bn2 = nn.BatchNorm2d(c2)
        self.conv3 = nn.Conv2d(c2, c3, 3)
        self.bn3 = nn.BatchNorm2d(c3)
        self.fc1 = nn.Linear(c3 * 2 * 2, f1)
        self.fc2 = nn.Linear(f1, f2)
        self.fc3 = nn.Linear(f2, 10)

    def forward(self, x):
        x = self.bn1(F.max_pool2d(F.relu(self.conv1(x)), 2))
        x = self.bn2(F.max_pool2d(F.relu(self.conv2(x)), 2))
        x = self.bn3(F.max_pool2d(F.relu(self.conv3(x)), 2))
        x = x.reshape(x.shape[0], -1)  # NCHW flatten order (c, h, w)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)  # logits; softmax lives in the loss (and in the tfjs model)


def normalize(u8):
    mean = torch.tensor(CIFAR10_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(CIFAR10_STD).view(1, 3, 1, 1)
    return (u8.float() / 255.0 - mean) / std


def augment(x, gen):
    """Random crop of 32x32 from the zero-padded (4 px) image, then a random horizontal flip.

    Applied after normalization, so padding is zero in normalized space (as torchvision's
    RandomCrop(32, padding=4) before ToTensor/Normalize would pad with black = -mean/std; the
    difference is immaterial for accuracy and keeps the batch vectorised)."""
    n = x.shape[0]
    padded = F.pad(x, (4, 4, 4, 4))
    dx = torch.randint(0, 9, (n,), generator=gen)
    dy = torch.randint(0, 9, (n,), generator=gen)
    out = torch.empty_like(x)
    for i in range(n):
        out[i] = padded[i, :, dy[i] : dy[i] + 32, dx[i] : dx[i] + 32]
    flip = torch.rand(n, generator=gen) < 0.5
    out[flip] = out[flip].flip(3)
    return out


def evaluate(model, x, y, batch=1000):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, x.shape[0], batch):
            logits = model(x[i : i + batch])
            correct += (logits.argmax(1) == y[i : i + batch]).sum().item()
    return correct / x.shape[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default=os.path.expanduser("~/.cache/condensa-ts/cifar10"))
    ap.add_argument("--epochs", type=int, default=25)
    ap.add_argument("--width", type=float, default=0.25)
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="/tmp/seednet-torch")
    ap.add_argument(
        "--resume",
        help="start from this state_dict (a run cut short on a busy machine): --lr is then the "
        "learning rate it had reached, decayed by cosine to 0 over --epochs more epochs",
    )
    ap.add_argument(
        "--budget-seconds",
        type=float,
        help="anneal over wall-clock time instead of epochs: lr follows the cosine of elapsed/budget "
        "and training stops when the budget is spent (for a shared, overloaded machine, where the "
        "epoch time is unknowable in advance); --epochs is then an upper bound",
    )
    ap.add_argument("--eval-every-epoch", action="store_true")
    ap.add_argument("--prior-epochs", type=float, default=0, help="epochs the --resume checkpoint had trained")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)

    train_x, train_y = read_batches(args.data_dir, [f"data_batch_{i}.bin" for i in range(1, 6)])
    test_x, test_y = read_batches(args.data_dir, ["test_batch.bin"])
    train_x, train_y = normalize(torch.from_numpy(train_x)), torch.from_numpy(train_y)
    test_x, test_y = normalize(torch.from_numpy(test_x)), torch.from_numpy(test_y)

    model = SeedNet(args.width)
    if args.resume:
        model.load_state_dict(torch.load(args.resume))
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=5e-4)
    steps_per_epoch = math.ceil(train_x.shape[0] / args.batch)
    total_steps = args.epochs * steps_per_epoch
    started = time.time()

    def progress(step):
        if args.budget_seconds:
            return min((time.time() - started) / args.budget_seconds, 1.0)
        return min(step, total_steps) / total_steps

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 0.5 * (1 + math.cos(math.pi * progress(s))))

    history = []
    for epoch in range(args.epochs):
        model.train()
        t0 = time.time()
        perm = torch.randperm(train_x.shape[0], generator=gen)
        loss_sum, correct, seen = 0.0, 0, 0
        for s in range(steps_per_epoch):
            if args.budget_seconds and progress(0) >= 1.0:
                break
            idx = perm[s * args.batch : (s + 1) * args.batch]
            xb, yb = augment(train_x[idx], gen), train_y[idx]
            logits = model(xb)
            loss = F.cross_entropy(logits, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            loss_sum += loss.item() * idx.shape[0]
            correct += (logits.argmax(1) == yb).sum().item()
            seen += idx.shape[0]
        if seen == 0:
            break
        secs = time.time() - t0
        last = epoch == args.epochs - 1 or (args.budget_seconds and progress(0) >= 1.0)
        test_acc = evaluate(model, test_x, test_y) if args.eval_every_epoch or last else None
        row = {
            "epoch": epoch + seen / train_x.shape[0],
            "loss": loss_sum / seen,
            "trainAccuracy": correct / seen,
            "testAccuracy": test_acc,
            "seconds": secs,
            "lr": opt.param_groups[0]["lr"],
            "load": os.getloadavg()[0],
        }
        history.append(row)
        print(json.dumps(row), flush=True)
        torch.save(model.state_dict(), os.path.join(args.out, "seednet.pt"))
        if last:
            break

    if history[-1]["testAccuracy"] is None:
        history[-1]["testAccuracy"] = evaluate(model, test_x, test_y)
    record = {
        "framework": f"PyTorch {torch.__version__} CPU",
        "threads": args.threads,
        "width": args.width,
        "epochs": args.prior_epochs + history[-1]["epoch"],
        "priorEpochs": args.prior_epochs,
        "budgetSeconds": args.budget_seconds,
        "optimizer": "SGD momentum 0.9, weight decay 5e-4",
        "lr": f"{args.lr} cosine decay per step" + (" over wall-clock time" if args.budget_seconds else ""),
        "batch": args.batch,
        "augment": "random crop 32 from 4-px zero padding + horizontal flip",
        "normalization": {"mean": CIFAR10_MEAN, "std": CIFAR10_STD},
        "seed": args.seed,
        "resumedFrom": args.resume,
        "testAccuracy": history[-1]["testAccuracy"],
        "secondsPerEpoch": sum(r["seconds"] for r in history) / history[-1]["epoch"],
        "history": history,
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} logical cores",
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    with open(os.path.join(args.out, "record.json"), "w") as f:
        json.dump(record, f, indent=2)
    print(json.dumps({"done": True, "testAccuracy": record["testAccuracy"]}), flush=True)


if __name__ == "__main__":
    main()
