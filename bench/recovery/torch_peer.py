#!/usr/bin/python3
"""PyTorch peer of bench/recovery/cifar.ts: global magnitude pruning + masked fine-tuning.

The same pretrained seedNet 0.25 (the committed tfjs asset read back into PyTorch, or with --ckpt
the PyTorch checkpoint it was converted from),
pruned with PyTorch's own utilities (`torch.nn.utils.prune.global_unstructured`, L1, over every
conv/linear weight: what condensa-ts's `Prune(density)` does), then fine-tuned with the masks
enforced by the pruning hooks. It is the oracle for the recovery recipe: PyTorch 1.13 on the
2-core machine trains this model ~4x faster than tfjs-wasm, so a recipe (rate schedule, weight
decay, distillation) can be screened here before a 40-minute tfjs row is spent on it.

Data as in the tfjs bench: all 50,000 training images with crop + flip, minibatches of 128, SGD
Nesterov momentum 0.9. Accuracy is on the full 10,000 test images (the tfjs rows hold 2,000 of them
out for model selection; this script does no selection: it reports the last model).

Usage:
  /usr/bin/python3 bench/recovery/torch_peer.py --iters 3200 \
      --lr 0.05 --lr-end 1e-3 --weight-decay 5e-4 [--distill 0.9 --temperature 4] [--cosine]
Prints one JSON line (also appended to --out when given).

--regrow-every N replaces masked fine-tuning by dynamic pruning with feedback (Lin et al. 2020):
the dense weights are kept and trained with the gradient of the masked model, and the scheme's
mask is re-selected from them every N minibatches until --regrow-until of the budget, then frozen.
Screened on 2026-11-25: worse than masked fine-tuning for Prune(0.1) at this budget (the first
re-selection swaps ~27k of the 96k kept weights), identical for FilterPrune(0.5) (no filter ever
returns).
"""
import argparse
import contextlib
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
import torch.nn.utils.prune as prune

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from train_seednet_torch import SeedNet, augment, evaluate, normalize, read_batches  # noqa: E402


def load_tfjs_asset(model, model_dir):
    """Load the committed tfjs seedNet (model.json + weights) into the PyTorch SeedNet: the inverse
    of scripts/export_seednet_weights.py (HWIO -> OIHW, [in, out] -> [out, in], fc1's input rows
    from tfjs's (h, w, c) flatten order back to PyTorch's (c, h, w))."""
    manifest = json.load(open(os.path.join(model_dir, "model.json")))["weightsManifest"]
    raw = b"".join(open(os.path.join(model_dir, p), "rb").read() for g in manifest for p in g["paths"])
    state, offset = {}, 0
    for spec in (w for g in manifest for w in g["weights"]):
        count = int(np.prod(spec["shape"]))
        array = np.frombuffer(raw, dtype="<f4", count=count, offset=offset).reshape(spec["shape"])
        offset += 4 * count
        layer, name = spec["name"].split("/")
        if name == "kernel" and array.ndim == 4:
            state[f"{layer}.weight"] = array.transpose(3, 2, 0, 1)
        elif name == "kernel":
            if layer == "fc1":  # rows (h, w, c) -> (c, h, w)
                c = model.c3
                array = array.reshape(2, 2, c, -1).transpose(2, 0, 1, 3).reshape(4 * c, -1)
            state[f"{layer}.weight"] = array.T
        else:
            key = {"gamma": "weight", "beta": "bias", "bias": "bias",
                   "moving_mean": "running_mean", "moving_variance": "running_var"}[name]
            state[f"{layer}.{key}"] = array
    sd = model.state_dict()
    for k, v in state.items():
        sd[k] = torch.from_numpy(np.array(v))  # a writable copy
    model.load_state_dict(sd)


def load_dense(args):
    model = SeedNet(0.25)
    if args.ckpt:
        model.load_state_dict(torch.load(args.ckpt))
    else:
        load_tfjs_asset(model, args.model_dir)
    return model


def live_filters(convs, density):
    """condensa-ts's FilterPrune: one global threshold on the filters' L2 norms (torch's own
    ln_structured ranks within one layer only). A 0/1 vector of kept filters per layer."""
    norms = [m.weight.detach().flatten(1).norm(dim=1) for m in convs]
    flat = torch.cat(norms)
    keep = max(1, round(density * flat.numel()))
    threshold = flat.sort(descending=True).values[keep - 1]
    return [(n >= threshold).float() for n in norms]


def filter_prune(convs, density):
    """FilterPrune through torch's pruning hooks, each filter's bias pruned with it."""
    for m, alive in zip(convs, live_filters(convs, density)):
        prune.custom_from_mask(m, "weight", alive.view(-1, 1, 1, 1).expand_as(m.weight))
        prune.custom_from_mask(m, "bias", alive)


def scheme_masks(args, layers):
    """{parameter: 0/1 mask} of the scheme, computed from the current (dense) values: for
    --regrow-every, which keeps the dense weights and re-selects the mask from them."""
    if args.scheme == "prune":
        flat = torch.cat([m.weight.detach().abs().flatten() for m in layers])
        keep = max(1, round(args.density * flat.numel()))
        threshold = flat.topk(keep).values[-1]
        return {m.weight: (m.weight.detach().abs() >= threshold).float() for m in layers}
    masks = {}
    for m, alive in zip(layers[:3], live_filters(layers[:3], args.density)):
        masks[m.weight] = alive.view(-1, 1, 1, 1).expand_as(m.weight).clone()
        masks[m.bias] = alive
    return masks


@contextlib.contextmanager
def masked_weights(live):
    """Within the block the parameters of `live` hold their masked values; after it, their dense
    values again (so a backward pass inside yields the masked model's gradient). None: no-op."""
    if live is None:
        yield
        return
    saved = {p: p.detach().clone() for p in live}
    with torch.no_grad():
        for p, k in live.items():
            p.mul_(k)
    try:
        yield
    finally:
        with torch.no_grad():
            for p in live:
                p.copy_(saved[p])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", help="PyTorch state_dict of the dense seedNet 0.25 (default: the tfjs asset)")
    ap.add_argument("--model-dir", default=os.path.join(ROOT, "assets", "models", "seednet-0.25-cifar10"))
    ap.add_argument("--data-dir", default=os.path.expanduser("~/.cache/condensa-ts/cifar10"))
    ap.add_argument("--scheme", choices=["prune", "filter"], default="prune")
    ap.add_argument("--density", type=float, default=0.1)
    ap.add_argument("--iters", type=int, default=3200)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--lr-end", type=float, default=1e-3)
    ap.add_argument("--cosine", action="store_true", help="cosine from --lr to --lr-end (default geometric)")
    ap.add_argument("--weight-decay", type=float, default=0.0)
    ap.add_argument("--distill", type=float, default=0.0, help="alpha of the teacher term (0 = off)")
    ap.add_argument("--temperature", type=float, default=4.0)
    ap.add_argument("--regrow-every", type=int, default=0,
                    help="dynamic pruning with feedback (Lin et al. 2020): keep the dense weights, train"
                    " them with the gradient of the masked model, re-select the mask every N minibatches")
    ap.add_argument("--regrow-until", type=float, default=0.75,
                    help="fraction of --iters after which the mask is frozen (masked fine-tuning)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out")
    ap.add_argument("--note", default="")
    args = ap.parse_args()

    started = time.time()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    train_x, train_y = read_batches(args.data_dir, [f"data_batch_{i}.bin" for i in range(1, 6)])
    test_x, test_y = read_batches(args.data_dir, ["test_batch.bin"])
    train_x, train_y = normalize(torch.from_numpy(train_x)), torch.from_numpy(train_y)
    test_x, test_y = normalize(torch.from_numpy(test_x)), torch.from_numpy(test_y)

    model = load_dense(args)
    dense_acc = evaluate(model, test_x, test_y)
    teacher = None
    if args.distill > 0:
        teacher = load_dense(args)
        teacher.eval()

    layers = [model.conv1, model.conv2, model.conv3, model.fc1, model.fc2, model.fc3]
    dense_state = {k: v.clone() for k, v in model.state_dict().items()}
    if args.scheme == "prune":
        prune.global_unstructured(
            [(m, "weight") for m in layers], pruning_method=prune.L1Unstructured, amount=1 - args.density
        )
    else:
        filter_prune(layers[:3], args.density)
    masks = [getattr(m, "weight_mask", torch.ones_like(m.weight)) for m in layers]
    kept = sum(int(k.sum()) for k in masks)
    total = sum(k.numel() for k in masks)
    layer_density = [round(float(k.mean()), 4) for k in masks]
    one_shot_acc = evaluate(model, test_x, test_y)
    live = None  # parameter -> mask, for --regrow-every (no pruning hooks: the dense weights stay)
    if args.regrow_every:
        for m in layers:
            for name in ("weight", "bias"):
                if prune.is_pruned(m) and hasattr(m, name + "_mask"):
                    prune.remove(m, name)
        model.load_state_dict(dense_state)
        live = scheme_masks(args, layers)
    regrow_stop = int(args.regrow_until * args.iters)
    mask_changes = []

    opt = torch.optim.SGD(
        model.parameters(), lr=args.lr, momentum=0.9, nesterov=True, weight_decay=args.weight_decay
    )

    def rate(step):
        p = step / max(args.iters - 1, 1)
        if args.cosine:
            return args.lr_end + 0.5 * (args.lr - args.lr_end) * (1 + math.cos(math.pi * p))
        return args.lr * (args.lr_end / args.lr) ** p

    steps_per_epoch = train_x.shape[0] // args.batch
    curve = []
    step = 0
    while step < args.iters:
        perm = torch.randperm(train_x.shape[0], generator=gen)
        for s in range(steps_per_epoch):
            if step >= args.iters:
                break
            model.train()
            for g in opt.param_groups:
                g["lr"] = rate(step)
            idx = perm[s * args.batch : (s + 1) * args.batch]
            xb, yb = augment(train_x[idx], gen), train_y[idx]
            # With --regrow-every, the masked model's gradient updates the dense weights.
            with masked_weights(live):
                logits = model(xb)
                loss = F.cross_entropy(logits, yb)
                if teacher is not None:
                    t = args.temperature
                    with torch.no_grad():
                        soft_target = F.softmax(teacher(xb) / t, dim=1)
                    kl = F.kl_div(F.log_softmax(logits / t, dim=1), soft_target, reduction="batchmean")
                    loss = args.distill * t * t * kl + (1 - args.distill) * loss
                opt.zero_grad()
                loss.backward()
            opt.step()
            step += 1
            if live is not None:
                with torch.no_grad():
                    if step < regrow_stop and step % args.regrow_every == 0:
                        fresh = scheme_masks(args, layers)
                        mask_changes.append(int(sum((fresh[p] != live[p]).sum() for p in live)))
                        live = fresh
                    if step >= regrow_stop:  # frozen: masked fine-tuning
                        for p, k in live.items():
                            p.mul_(k)
            if step % (args.iters // 4) == 0 and step < args.iters:
                with masked_weights(live):
                    curve.append({"iteration": step, "test": evaluate(model, test_x, test_y)})

    if live is not None:
        with torch.no_grad():
            for p, k in live.items():
                p.mul_(k)
    acc = evaluate(model, test_x, test_y)
    row = {
        "peer": "pytorch",
        "torch": torch.__version__,
        "scheme": args.scheme,
        "density": args.density,
        "kept": kept,
        "total": total,
        "layerDensity": layer_density,
        "iters": args.iters,
        "lr": args.lr,
        "lrEnd": args.lr_end,
        "schedule": "cosine" if args.cosine else "geometric",
        "weightDecay": args.weight_decay,
        "distill": args.distill,
        "temperature": args.temperature,
        "denseTest": dense_acc,
        "oneShotTest": one_shot_acc,
        "test": acc,
        "dropPoints": round(100 * (dense_acc - acc), 2),
        "regrowEvery": args.regrow_every,
        "regrowUntil": args.regrow_until if args.regrow_every else None,
        "maskChanges": mask_changes[:: max(1, len(mask_changes) // 8)],
        "curve": curve,
        "wallSeconds": round(time.time() - started, 1),
        "threads": args.threads,
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "note": args.note,
    }
    line = json.dumps(row)
    print(line)
    if args.out:
        with open(args.out, "a") as f:
            f.write(line + "\n")


if __name__ == "__main__":
    main()
