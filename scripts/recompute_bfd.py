#!/usr/bin/env python3
"""Recompute a logged BFD from a geodim log alone, independently of geodim (numpy + h5py).

Reads the parameters stored at one checkpoint, the exact inputs the run used (MNIST images
by their pooled indices, or the stored random or noisy training inputs), forms the Jacobian of the chosen
output variant with respect to every weight and bias in float64 by explicit per-sample
back-propagation, and takes its SVD. Prints one JSON object with the numpy-rule rank, the
largest-gap rank and gap ratio, and the values geodim logged for the same entry.

    python3 scripts/recompute_bfd.py runs/quick/<stamp>/log.h5 --checkpoint -1 \
        --source train --output logits [--mnist data/mnist] [--limit 50]
"""
import argparse
import gzip
import json
import os
import sys

import numpy as np

import geodim_log  # scripts/, next to this file


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def pooled_images(mnist_dir, indices):
    def find(stem):
        for name in (stem + ".gz", stem):
            p = os.path.join(mnist_dir, name)
            if os.path.exists(p):
                return p
        sys.exit(f"recompute_bfd: {mnist_dir}: no {stem}(.gz)")
    train = read_idx(find("train-images-idx3-ubyte")).reshape(-1, 784)
    test = read_idx(find("t10k-images-idx3-ubyte")).reshape(-1, 784)
    pool = np.concatenate([train, test])
    return pool[np.asarray(indices)].astype(np.float64) / 255.0


def jacobian(weights, biases, x, output):
    """J of shape (n*d, P) with P ordered as geodim's flat buffer: per layer W (row-major) then b."""
    n = x.shape[0]
    acts = [x]
    pre = []
    for l, (w, b) in enumerate(zip(weights, biases)):
        z = acts[-1] @ w.T + b
        pre.append(z)
        acts.append(np.maximum(z, 0) if l < len(weights) - 1 else z)
    logits = acts[-1]
    d = logits.shape[1]
    blocks = []
    # Per-sample output maps M_i (d x d): logits I, softmax diag(p) - p p^T, centred I - 11^T/d.
    if output == "logits":
        maps = np.repeat(np.eye(d)[None], n, axis=0)
    elif output == "centred":
        maps = np.repeat((np.eye(d) - np.ones((d, d)) / d)[None], n, axis=0)
    else:
        z = logits - logits.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        maps = np.einsum("ij,jk->ijk", p, np.eye(d)) - np.einsum("ij,ik->ijk", p, p)
    delta = maps  # (n, d_out_rows, width of current layer)
    per_layer = [None] * len(weights)
    for l in range(len(weights) - 1, -1, -1):
        a = acts[l]  # (n, fan_in)
        dw = np.einsum("ika,ib->ikab", delta, a).reshape(n * d, -1)
        db = delta.reshape(n * d, -1)
        per_layer[l] = np.concatenate([dw, db], axis=1)
        if l > 0:
            delta = np.einsum("ika,ab->ikb", delta, weights[l]) * (pre[l - 1] > 0)[:, None, :]
    return np.concatenate(per_layer, axis=1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log")
    parser.add_argument("--checkpoint", type=int, default=-1, help="checkpoint row (default: last)")
    parser.add_argument("--source", choices=["train", "test", "random"], default="train")
    parser.add_argument("--output", choices=["logits", "softmax", "centred"], default="logits")
    parser.add_argument("--mnist", default=None, help="MNIST directory (default: the log's data_directory)")
    parser.add_argument("--limit", type=int, default=None, help="use only the first N inputs")
    args = parser.parse_args()

    try:
        run = geodim_log.read_run(args.log, spectra=True, params=True, inputs=True)
    except geodim_log.LogError as error:
        sys.exit(f"recompute_bfd: {error}")
    weights, biases = run.parameters(args.checkpoint)
    weights = [w.astype(np.float64) for w in weights]
    biases = [b.astype(np.float64) for b in biases]
    if args.source == "random":
        x = run.data.random_inputs.astype(np.float64)
    elif args.source == "train" and run.data.bfd_train_inputs is not None:
        # Noisy training inputs (data.input_noise_std > 0) are stored as trained on.
        x = run.data.bfd_train_inputs.astype(np.float64)
    else:
        mnist = args.mnist or run.meta["data_directory"]
        x = pooled_images(mnist, run.data.bfd_indices(args.source))
    series = run.bfd[args.source, args.output]
    logged = {k: getattr(series, k)[args.checkpoint].item() for k in ("rank", "rank_numpy", "rank_gap", "gap_ratio")}
    if series.spectrum is not None:
        logged["sigma_1"] = float(series.spectrum[args.checkpoint][0])
    epoch = int(run.checkpoints.epoch[args.checkpoint])
    if args.limit:
        x = x[: args.limit]
    j = jacobian(weights, biases, x, args.output)
    s = np.linalg.svd(j, compute_uv=False)
    # np.linalg.matrix_rank's default rule (the paper's script), without a second SVD.
    numpy_rank = int(np.sum(s > s.max(initial=0.0) * max(j.shape) * np.finfo(float).eps))
    ratios = s[:-1] / np.maximum(s[1:], np.finfo(float).tiny)
    floor = max(j.shape) * np.finfo(float).eps * s[0]
    candidates = np.nonzero(s[:-1] > floor)[0]
    gap_cut = int(candidates[np.argmax(ratios[candidates])] + 1) if len(candidates) and s[-1] <= floor else len(s)
    gap_ratio = float(ratios[gap_cut - 1]) if gap_cut < len(s) else float("inf")
    def finite_or_text(value):
        return value if not isinstance(value, float) or np.isfinite(value) else str(value)

    logged = {k: finite_or_text(v) for k, v in logged.items()}
    print(json.dumps({
        "epoch": epoch, "source": args.source, "output": args.output, "n": int(x.shape[0]),
        "jacobian_shape": list(j.shape), "rank_numpy": numpy_rank, "rank_gap": gap_cut,
        "sigma_1": float(s[0]) if len(s) else 0.0,
        "gap_ratio": finite_or_text(gap_ratio), "logged": logged,
    }))


if __name__ == "__main__":
    main()
