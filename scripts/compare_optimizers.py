#!/usr/bin/env python3
"""SGD, Adam and Path-SGD in the paper's protocol: BFD and accuracy against epoch, 3 seeds.

    python3 scripts/compare_optimizers.py run  [--out runs/compare-optimizers] [--seeds 0,1,2]
    python3 scripts/compare_optimizers.py report [--out runs/compare-optimizers] [--figure docs/figures/optimizers.png]

`run` trains configs/paper-mnist.yaml (784-30-30-30-10, 600 training images, batch 256, 680
epochs) once per optimizer and seed with `geodim train`, twice:
  - `<opt>-s<seed>`: BFD at epochs 0, 10, 20, 40, 80, 160, 280, 680 on 200 train, 200 test
    and 200 random inputs, logits, centred logits and softmax, numerical (Gram route, gap
    rule) and exact (rank mod p) side by side;
  - `<opt>-s<seed>-acc`: no BFD, train and test accuracy after every epoch (to read the
    first epoch with train accuracy 1.0).
The optimizers: sgd lr 0.1 (the paper's), adam lr 0.001 (configs/reproduce/training-adam.yaml),
path_sgd lr 0.1 (no momentum). `report` prints a Markdown table and draws the figure.
"""
import argparse
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import geodim_log  # noqa: E402

OPTIMIZERS = {
    "sgd": ["optimizer.name=sgd", "optimizer.lr=0.1"],
    "adam": ["optimizer.name=adam", "optimizer.lr=0.001"],
    "path_sgd": ["optimizer.name=path_sgd", "optimizer.lr=0.1"],
}
BFD = ["checkpoints.epochs=[0, 10, 20, 40, 80, 160, 280, 680]", "bfd.train_samples=200", "bfd.test_samples=200",
       "bfd.random_samples=200", "bfd.outputs=[logits, centred, softmax]", "bfd.exact=true",
       "logging.save_params=false"]
ACCURACY = ["bfd.enabled=false", "checkpoints.epochs=null", "checkpoints.every=1", "logging.save_params=false"]


def run(args):
    geodim = os.path.join(".build", "release", "geodim")
    for seed in args.seeds:
        for name, overrides in OPTIMIZERS.items():
            for suffix, extra in (("-acc", ACCURACY), ("", BFD)):
                directory = os.path.join(args.out, f"{name}-s{seed}{suffix}")
                if os.path.exists(os.path.join(directory, "log.h5")):
                    continue
                command = [geodim, "train", "configs/paper-mnist.yaml", f"seed={seed}", "threads=1", *overrides, *extra,
                           "--run-dir", directory]
                print(" ".join(command), flush=True)
                subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def load(args):
    runs = {}
    for seed in args.seeds:
        for name in OPTIMIZERS:
            bfd = geodim_log.read_run(os.path.join(args.out, f"{name}-s{seed}", "log.h5"), spectra=False, params=False)
            acc = geodim_log.read_run(os.path.join(args.out, f"{name}-s{seed}-acc", "log.h5"), spectra=False,
                                      params=False, inputs=False)
            # geodim_log does not read the exact columns: take `rank_exact` from the groups.
            import h5py
            with h5py.File(os.path.join(args.out, f"{name}-s{seed}", "log.h5"), "r") as f:
                for (source, output), series in bfd.bfd.items():
                    group = f[f"checkpoints/bfd/{source}_{output}"]
                    series.rank_exact = group["rank_exact"][:len(series.rank)] if "rank_exact" in group else None
            runs[name, seed] = (bfd, acc)
    return runs


def exact_rank(series):
    """The exact ranks (rank mod p, `rank_exact`) of a BFDSeries, read from its group in the log."""
    return series.rank_exact


def report(args):
    runs = load(args)
    lines = ["| optimizer | seed | first epoch with train acc 1.0 | test acc at epoch 680 | "
             "BFD test logits 0 → 680 (exact) | BFD test softmax 0 → 680 (numerical) |", "|---|---|---|---|---|---|"]
    for (name, seed), (bfd, acc) in runs.items():
        c = acc.checkpoints
        full = np.nonzero(c.train_accuracy >= 1.0)[0]
        first = int(c.epoch[full[0]]) if len(full) else None
        logits, softmax = bfd.bfd["test", "logits"], bfd.bfd["test", "softmax"]
        ex = exact_rank(logits)
        exact_text = f"{int(ex[0])} → {int(ex[-1])}" if ex is not None else "–"
        lines.append(f"| {name} | {seed} | {first if first is not None else 'not reached'} | "
                     f"{c.test_accuracy[-1]:.4f} | {int(logits.rank[0])} → {int(logits.rank[-1])} ({exact_text}) | "
                     f"{int(softmax.rank[0])} → {int(softmax.rank[-1])} |")
    print("\n".join(lines))
    if args.figure:
        draw(runs, args)


def draw(runs, args):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    colours = {"sgd": "tab:blue", "adam": "tab:orange", "path_sgd": "tab:green"}
    panels = [("train", "softmax"), ("test", "softmax"), ("random", "softmax"), ("test", "centred")]
    fig, axes = plt.subplots(1, len(panels) + 1, figsize=(4.2 * (len(panels) + 1), 3.6))
    for (name, seed), (bfd, acc) in runs.items():
        label = name if seed == args.seeds[0] else None
        c = acc.checkpoints
        axes[0].plot(np.maximum(c.epoch, 0.7), c.train_accuracy, color=colours[name], lw=1, label=label)
        axes[0].plot(np.maximum(c.epoch, 0.7), c.test_accuracy, color=colours[name], lw=1, ls="--")
        epochs = np.maximum(bfd.checkpoints.epoch, 0.7)
        for ax, (source, output) in zip(axes[1:], panels):
            s = bfd.bfd[source, output]
            ax.plot(epochs, s.rank, color=colours[name], marker="o", ms=3, lw=1, label=label)
            ex = exact_rank(s)
            if ex is not None and output != "softmax":
                ax.plot(epochs, ex, color=colours[name], marker="x", ms=5, lw=0)
    axes[0].set_title("accuracy (solid train, dashed test)")
    axes[0].set_ylim(0.5, 1.01)
    for ax, (source, output) in zip(axes[1:], panels):
        cap = next(iter(runs.values()))[0].bfd[source, output].row_cap
        ax.axhline(cap, color="k", ls=":", lw=1)
        ax.set_title(f"BFD, {source} (200), {output}" + (" (x: exact)" if output != "softmax" else ""))
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xlabel("epoch (0 drawn at 0.7)")
    axes[0].legend(loc="lower right")
    fig.suptitle("784-30-30-30-10, paper protocol, seeds " + ", ".join(map(str, args.seeds))
                 + ": SGD lr 0.1, Adam lr 0.001, Path-SGD lr 0.1")
    fig.tight_layout()
    fig.savefig(args.figure, dpi=110)
    print(f"wrote {args.figure}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("mode", choices=["run", "report"])
    parser.add_argument("--out", default="runs/compare-optimizers")
    parser.add_argument("--seeds", default="0,1,2", type=lambda s: [int(x) for x in s.split(",")])
    parser.add_argument("--figure", default=None)
    args = parser.parse_args()
    run(args) if args.mode == "run" else report(args)


if __name__ == "__main__":
    main()
