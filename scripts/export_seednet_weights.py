#!/usr/bin/python3
"""Export the PyTorch seedNet checkpoint in tfjs NHWC layout, plus reference logits.

Writes to --out:
  weights.bin   float32 little-endian tensors, concatenated
  weights.json  {"tensors": [{"layer", "name", "shape", "offset"}], "width", "torchTestAccuracy",
                 "logitsImages", "logitsShape"}
  logits.bin    float32 PyTorch logits of the first --logits-images test images (eval mode)

Layout changes (PyTorch -> tfjs):
  conv weight  OIHW -> HWIO
  linear weight [out, in] -> [in, out]
  fc1 also has its input rows permuted: PyTorch flattens NCHW activations in (c, h, w) order, tfjs
  flattens NHWC in (h, w, c) order, so row c*H*W + h*W + w moves to h*W*C + w*C + c.
  batch norm: weight -> gamma, bias -> beta, running_mean -> moving_mean, running_var ->
  moving_variance (both use eps 1e-5: seedNet sets it).

Usage: /usr/bin/python3 scripts/export_seednet_weights.py --ckpt /tmp/seednet-torch/seednet.pt \
         --out /tmp/seednet-export
"""
import argparse
import json
import os

import numpy as np
import torch

from train_seednet_torch import SeedNet, evaluate, normalize, read_batches


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", default="/tmp/seednet-torch/seednet.pt")
    ap.add_argument("--data-dir", default=os.path.expanduser("~/.cache/condensa-ts/cifar10"))
    ap.add_argument("--width", type=float, default=0.25)
    ap.add_argument("--out", default="/tmp/seednet-export")
    ap.add_argument("--logits-images", type=int, default=1000)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)

    model = SeedNet(args.width)
    model.load_state_dict(torch.load(args.ckpt))
    model.eval()
    sd = {k: v.detach().numpy().astype(np.float32) for k, v in model.state_dict().items()}

    tensors = []

    def add(layer, name, array):
        tensors.append((layer, name, np.ascontiguousarray(array, dtype=np.float32)))

    for i in (1, 2, 3):
        add(f"conv{i}", "kernel", sd[f"conv{i}.weight"].transpose(2, 3, 1, 0))  # OIHW -> HWIO
        add(f"conv{i}", "bias", sd[f"conv{i}.bias"])
        add(f"bn{i}", "gamma", sd[f"bn{i}.weight"])
        add(f"bn{i}", "beta", sd[f"bn{i}.bias"])
        add(f"bn{i}", "moving_mean", sd[f"bn{i}.running_mean"])
        add(f"bn{i}", "moving_variance", sd[f"bn{i}.running_var"])
    c3 = model.c3
    w1 = sd["fc1.weight"]  # [out, c*h*w]
    w1 = w1.reshape(w1.shape[0], c3, 2, 2).transpose(2, 3, 1, 0).reshape(2 * 2 * c3, -1)  # [(h,w,c), out]
    add("fc1", "kernel", w1)
    add("fc1", "bias", sd["fc1.bias"])
    for name in ("fc2", "fc3"):
        add(name, "kernel", sd[f"{name}.weight"].T)
        add(name, "bias", sd[f"{name}.bias"])

    manifest, offset = [], 0
    with open(os.path.join(args.out, "weights.bin"), "wb") as f:
        for layer, name, array in tensors:
            f.write(array.tobytes())
            manifest.append({"layer": layer, "name": name, "shape": list(array.shape), "offset": offset})
            offset += array.nbytes

    test_x, test_y = read_batches(args.data_dir, ["test_batch.bin"])
    x = normalize(torch.from_numpy(test_x))
    y = torch.from_numpy(test_y)
    acc = evaluate(model, x, y)
    with torch.no_grad():
        logits = model(x[: args.logits_images]).numpy().astype(np.float32)
    logits.tofile(os.path.join(args.out, "logits.bin"))
    info = {
        "tensors": manifest,
        "width": args.width,
        "torchTestAccuracy": acc,
        "logitsImages": args.logits_images,
        "logitsShape": list(logits.shape),
    }
    with open(os.path.join(args.out, "weights.json"), "w") as f:
        json.dump(info, f, indent=1)
    print(json.dumps({"torchTestAccuracy": acc, "tensors": len(manifest), "bytes": offset}))


if __name__ == "__main__":
    main()
