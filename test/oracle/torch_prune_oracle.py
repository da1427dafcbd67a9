"""PyTorch oracle for condensa-ts's `prune` namespace (torch.nn.utils.prune parity).

Builds a Linear(5 -> 4) and a Conv2d(3 -> 6, k=2) with fixed, tie-free weights, runs a list of
pruning scenarios through torch.nn.utils.prune and writes the weights and the resulting masks
(PyTorch layout) as JSON. The TypeScript test replays each scenario on tfjs layers and compares
the masks entry for entry, transposing [out, in] -> [in, out] and [out, in, kh, kw] -> [kh, kw, in, out].

Regenerate (PyTorch 1.13, system interpreter):
    /usr/bin/python3 test/oracle/torch_prune_oracle.py > test/fixtures/torch-prune/cases.json
"""
import json
import sys

import torch
import torch.nn.utils.prune as prune

COMMAND = "/usr/bin/python3 test/oracle/torch_prune_oracle.py > test/fixtures/torch-prune/cases.json"


def distinct_values(gen, shape, step=0.01):
    """Magnitudes k*step (k = 1..n) in random order, random signs. The steps of different tensors
    (0.01, 0.0101, 0.013, 0.017) share no multiple in range, so even a global ranking has no ties."""
    n = 1
    for d in shape:
        n *= d
    mags = (torch.randperm(n, generator=gen).float() + 1) * step
    signs = torch.where(torch.rand(n, generator=gen) < 0.5, -1.0, 1.0)
    return (mags * signs).reshape(shape)


def min_gap(x):
    s = torch.sort(x.flatten()).values.double()
    return float((s[1:] - s[:-1]).min()) if s.numel() > 1 else 1.0


def norms_are_separated(t, min_rel=1e-3):
    """Every slice norm (n = 1, 2, 3, +-inf; every dim) differs from the others by a clear margin."""
    for dim in range(t.dim()):
        dims = [d for d in range(t.dim()) if d != dim]
        for p in (1, 2, 3, float("inf"), float("-inf")):
            if min_gap(torch.norm(t, p=p, dim=dims)) < min_rel:
                return False
    return True


def make_tensors():
    for seed in range(1000):
        gen = torch.Generator().manual_seed(seed)
        t = {
            "dense": {"weight": distinct_values(gen, (4, 5)), "bias": distinct_values(gen, (4,), 0.013)},
            "conv": {"weight": distinct_values(gen, (6, 3, 2, 2), 0.0101), "bias": distinct_values(gen, (6,), 0.017)},
        }
        if norms_are_separated(t["dense"]["weight"]) and norms_are_separated(t["conv"]["weight"]):
            return seed, t
    raise RuntimeError("no tie-free seed found")


def amount_arg(a):
    return a["count"] if "count" in a else a["fraction"]


def run(modules, op):
    fn = op["fn"]
    if fn == "l1_unstructured":
        scores = torch.tensor(op["importance"]) if "importance" in op else None
        prune.l1_unstructured(modules[op["layer"]], op["param"], amount=amount_arg(op["amount"]), importance_scores=scores)
    elif fn == "ln_structured":
        n = {"inf": float("inf"), "-inf": float("-inf")}.get(op["n"], op["n"])
        prune.ln_structured(modules[op["layer"]], op["param"], amount=amount_arg(op["amount"]), n=n, dim=op["dim"])
    elif fn == "global_unstructured":
        params = [(modules[l], p) for l, p in op["params"]]
        scores = {(modules[l], p): torch.tensor(v) for l, p, v in op.get("importance", [])}
        prune.global_unstructured(
            params, pruning_method=prune.L1Unstructured, amount=amount_arg(op["amount"]), importance_scores=scores or None
        )
    else:
        raise ValueError(fn)


F = lambda x: {"fraction": x}
C = lambda x: {"count": x}
ALL = [["conv", "weight"], ["conv", "bias"], ["dense", "weight"], ["dense", "bias"]]

SCENARIOS = {
    "l1 dense weight 0.3": [{"fn": "l1_unstructured", "layer": "dense", "param": "weight", "amount": F(0.3)}],
    "l1 conv weight count 7": [{"fn": "l1_unstructured", "layer": "conv", "param": "weight", "amount": C(7)}],
    "l1 conv bias 0.5": [{"fn": "l1_unstructured", "layer": "conv", "param": "bias", "amount": F(0.5)}],
    "l1 dense weight 0.5 (10 of 20)": [{"fn": "l1_unstructured", "layer": "dense", "param": "weight", "amount": F(0.5)}],
    "l1 iterative 0.3 then 0.5 of the rest": [
        {"fn": "l1_unstructured", "layer": "conv", "param": "weight", "amount": F(0.3)},
        {"fn": "l1_unstructured", "layer": "conv", "param": "weight", "amount": F(0.5)},
    ],
    "l1 iterative count 5 then count 5": [
        {"fn": "l1_unstructured", "layer": "dense", "param": "weight", "amount": C(5)},
        {"fn": "l1_unstructured", "layer": "dense", "param": "weight", "amount": C(5)},
    ],
}
for layer in ("dense", "conv"):
    for n in (1, 2, "inf"):
        for dim in (0, 1):
            SCENARIOS[f"ln {layer} n={n} dim={dim} 0.5"] = [
                {"fn": "ln_structured", "layer": layer, "param": "weight", "amount": F(0.5), "n": n, "dim": dim}
            ]
for n, dim in (("-inf", 0), (3, 1), (2, 2), (1, 3)):
    # conv dims 2 and 3 are the kernel's height and width (tfjs axes 0 and 1)
    SCENARIOS[f"ln conv n={n} dim={dim} 0.5"] = [
        {"fn": "ln_structured", "layer": "conv", "param": "weight", "amount": F(0.5), "n": n, "dim": dim}
    ]
SCENARIOS.update({
    # round half to even: 0.625 * 4 = 2.5 -> 2, 0.375 * 4 = 1.5 -> 2, 0.25 * 6 = 1.5 -> 2
    "ln dense dim=0 0.625 (2.5 -> 2)": [{"fn": "ln_structured", "layer": "dense", "param": "weight", "amount": F(0.625), "n": 2, "dim": 0}],
    "ln dense dim=0 0.375 (1.5 -> 2)": [{"fn": "ln_structured", "layer": "dense", "param": "weight", "amount": F(0.375), "n": 2, "dim": 0}],
    "ln conv dim=0 0.25 (1.5 -> 2)": [{"fn": "ln_structured", "layer": "conv", "param": "weight", "amount": F(0.25), "n": 1, "dim": 0}],
    "ln conv count 4 dim=0": [{"fn": "ln_structured", "layer": "conv", "param": "weight", "amount": C(4), "n": 2, "dim": 0}],
    "structured iterative dim=0 then dim=1": [
        {"fn": "ln_structured", "layer": "conv", "param": "weight", "amount": F(0.34), "n": 1, "dim": 0},
        {"fn": "ln_structured", "layer": "conv", "param": "weight", "amount": F(0.5), "n": 2, "dim": 1},
    ],
    "structured iterative dim=0 twice (fraction of live filters)": [
        {"fn": "ln_structured", "layer": "conv", "param": "weight", "amount": F(0.5), "n": 2, "dim": 0},
        {"fn": "ln_structured", "layer": "conv", "param": "weight", "amount": F(0.5), "n": 2, "dim": 0},
    ],
    "unstructured then structured (norms of the masked weight)": [
        {"fn": "l1_unstructured", "layer": "conv", "param": "weight", "amount": F(0.6)},
        {"fn": "ln_structured", "layer": "conv", "param": "weight", "amount": F(0.5), "n": 1, "dim": 0},
    ],
    "structured then unstructured": [
        {"fn": "ln_structured", "layer": "dense", "param": "weight", "amount": F(0.5), "n": 2, "dim": 1},
        {"fn": "l1_unstructured", "layer": "dense", "param": "weight", "amount": F(0.4)},
    ],
    "global 0.6 over conv and dense weights and biases": [{"fn": "global_unstructured", "params": ALL, "amount": F(0.6)}],
    "global count 30 over weights": [
        {"fn": "global_unstructured", "params": [["conv", "weight"], ["dense", "weight"]], "amount": C(30)}
    ],
    "global iterative after per-layer pruning": [
        {"fn": "l1_unstructured", "layer": "dense", "param": "weight", "amount": F(0.5)},
        {"fn": "global_unstructured", "params": ALL, "amount": F(0.5)},
        {"fn": "global_unstructured", "params": ALL, "amount": F(0.5)},
    ],
})


def add_importance_scenarios(tensors):
    """Importance scores: a fixed permutation of distinct values (no ties), PyTorch layout."""
    gen = torch.Generator().manual_seed(1234)
    dense_scores = distinct_values(gen, (4, 5), 0.03).abs().tolist()
    conv_scores = distinct_values(gen, (6,), 0.0707).abs().tolist()
    SCENARIOS["l1 dense weight 0.4 with importance scores"] = [
        {"fn": "l1_unstructured", "layer": "dense", "param": "weight", "amount": F(0.4), "importance": dense_scores}
    ]
    SCENARIOS["global 0.5 with importance scores for two of three weights"] = [
        {
            "fn": "global_unstructured",
            "params": [["dense", "weight"], ["conv", "bias"], ["dense", "bias"]],
            "amount": F(0.5),
            "importance": [["dense", "weight", dense_scores], ["conv", "bias", conv_scores]],
        }
    ]


def main():
    seed, tensors = make_tensors()
    add_importance_scenarios(tensors)
    cases = []
    for name, ops in SCENARIOS.items():
        dense = torch.nn.Linear(5, 4)
        conv = torch.nn.Conv2d(3, 6, 2)
        with torch.no_grad():
            for mod, key in ((dense, "dense"), (conv, "conv")):
                mod.weight.copy_(tensors[key]["weight"])
                mod.bias.copy_(tensors[key]["bias"])
        modules = {"dense": dense, "conv": conv}
        for op in ops:
            run(modules, op)
        masks = {}
        for key, mod in modules.items():
            for param in ("weight", "bias"):
                m = getattr(mod, param + "_mask", None)
                if m is not None:
                    masks[f"{key}.{param}"] = m.tolist()
        cases.append({"name": name, "ops": ops, "masks": masks})
    out = {
        "comment": f"Generated by: {COMMAND} (torch {torch.__version__}, tensor seed {seed}). PyTorch layout.",
        "tensors": {k: {p: v.tolist() for p, v in d.items()} for k, d in tensors.items()},
        "cases": cases,
    }
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
