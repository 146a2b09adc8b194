#!/usr/bin/env python3
"""Reproduce the paper's MNIST findings: run every sweep in configs/reproduce/, then draw the
figures and write the tables of docs/reproduction.md from the logs alone.

    python3 scripts/reproduce.py            # full size: runs/reproduce, docs/reproduction/
    python3 scripts/reproduce.py --quick    # reduced size (BFD on 100 inputs): runs/reproduce-quick
    python3 scripts/reproduce.py --report-only [--quick]   # redraw from the existing logs

`make reproduce` / `make reproduce-quick` build geodim and install h5py, numpy and matplotlib
first. Every point is one `geodim sweep CONFIG --index i` (finished points are
skipped, stopped ones resumed, so an interrupted reproduction continues where it stopped);
points run `--jobs` at a time (default: the number of cores), each on one BLAS thread.
After the sweeps, `scripts/recompute_bfd.py` recomputes the softmax BFD of the first SGD seed
with the paper's own rank rule (numpy's matrix_rank tolerance on the explicit float64
Jacobian), independently of geodim.

The report (figures, results.md with every table and the provenance of the logs) goes to
docs/reproduction/ for the full run and to runs/reproduce-quick/report/ for --quick.
"""
import json
import os
import time

import numpy as np

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import sweep_jobs  # noqa: E402  (scripts/, next to this file)
from sweep_jobs import ROOT, run_jobs  # noqa: E402

SOURCES = ["train", "test", "random"]
COLOURS = {"train": "tab:blue", "test": "tab:orange", "random": "tab:green"}
EXPERIMENTS = ["training-sgd", "training-adam", "width", "input-noise", "random-labels"]
# --quick: the same sweeps with the BFD on 100 inputs per set (m = 1,000 rows instead of
# 6,000) and CFFD batches up to 3,000 rows.
QUICK_OVERRIDES = ["bfd.train_samples=100", "bfd.test_samples=100", "bfd.random_samples=100", "bfd.cffd_max_rows=3000"]


class Sweep(sweep_jobs.Sweep):
    """One config of configs/reproduce/: its sweep directory and points."""

    def __init__(self, name, geodim, overrides):
        super().__init__(os.path.join("configs", "reproduce", name + ".yaml"), geodim, overrides)
        self.name = name


def read_log(path):
    return sweep_jobs.read_log(path, "the reproduction")


def stack(logs, source, output, field="rank"):
    """(runs, checkpoints) array of one field of one BFD series."""
    return np.array([getattr(log.bfd[source, output], field) for log in logs])


def parameter_bound(log):
    """P − hidden: the parameter count less the hidden neurons (one scaling symmetry each)."""
    return log.meta["parameter_count"] - log.meta["hidden_neurons"]


def fmt_range(values):
    """`mean` or `mean [min–max]` of integers across seeds."""
    values = np.asarray(values)
    mean = values.mean()
    text = f"{mean:.0f}"
    if values.min() != values.max():
        text += f" [{values.min()}–{values.max()}]"
    return text


def fmt_clear(flags):
    flags = np.asarray(flags)
    return "" if flags.all() else ("?" if not flags.any() else f" ({flags.sum()}/{len(flags)} clear)")


# MARK: - Figures and tables


def training_report(name, logs, paper_rule, out_dir, title):
    """BFD against epoch, logits and softmax, mean over seeds with the min–max band."""
    epochs = logs[0].checkpoints.epoch
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.3))
    for ax, output in zip(axes[:2], ["logits", "softmax"]):
        for source in SOURCES:
            ranks = stack(logs, source, output)
            clear = stack(logs, source, output, "clear").all(axis=0)
            colour = COLOURS[source]
            ax.plot(epochs, ranks.mean(axis=0), "-", color=colour, label=f"{source} (mean of {len(logs)} seeds)")
            ax.fill_between(epochs, ranks.min(axis=0), ranks.max(axis=0), color=colour, alpha=0.2, linewidth=0)
            mean = ranks.mean(axis=0)
            ax.scatter(epochs[clear], mean[clear], color=colour, zorder=3, s=20)
            ax.scatter(epochs[~clear], mean[~clear], facecolors="white", edgecolors=colour, zorder=3, s=20)
            ax.axhline(logs[0].bfd[source, output].row_cap, color=colour, linestyle=":", linewidth=0.8)
        if output == "softmax" and paper_rule:
            rule_epochs = [row["epoch"] for row in paper_rule]
            ax.plot(rule_epochs, [row["rank_numpy"] for row in paper_rule], "k--", marker="x",
                    label="train, paper's rule (seed 0)")
        ax.set_xscale("symlog", linthresh=10)
        ax.set_xlim(left=0)
        ax.set_ylim(bottom=0, top=1.08 * max(logs[0].bfd[s, output].row_cap for s in SOURCES))
        ax.set_xlabel("epoch")
        ax.set_ylabel("BFD")
        ax.set_title(f"{output} outputs", fontsize=10)
        ax.legend(fontsize=7)
    ax = axes[2]
    for key, colour in [("train_accuracy", "tab:purple"), ("test_accuracy", "tab:red")]:
        values = np.array([getattr(log.checkpoints, key) for log in logs])
        ax.plot(epochs, values.mean(axis=0), color=colour, marker="o", markersize=3, label=key.replace("_", " "))
        ax.fill_between(epochs, values.min(axis=0), values.max(axis=0), color=colour, alpha=0.2, linewidth=0)
    ax.set_xscale("symlog", linthresh=10)
    ax.set_xlim(left=0)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("epoch")
    ax.set_title("accuracy", fontsize=10)
    ax.legend(fontsize=8)
    fig.suptitle(f"{title}\nfilled: clear spectral gap in every seed; hollow: no clear gap (rank depends on the rule); "
                 "band: min–max over seeds; dotted: row cap n·d", fontsize=9)
    fig.tight_layout()
    fig.savefig(os.path.join(out_dir, f"{name}.png"), dpi=100)
    plt.close(fig)

    caps = ", ".join(f"{source} {logs[0].bfd[source, 'logits'].row_cap}" for source in SOURCES)
    lines = [f"### {title}", "",
             f"{len(logs)} seeds; BFD as mean [min–max] over seeds, `?` = no clear gap in any seed; "
             f"row caps (logits): {caps}.", "",
             "| epoch | train logits | test logits | random logits | train softmax | test softmax | random softmax "
             + ("| train softmax, paper's rule (seed 0) " if paper_rule else "") + "| test accuracy |",
             "|---:|---|---|---|---|---|---|" + ("---|" if paper_rule else "") + "---|"]
    rule_by_epoch = {row["epoch"]: row["rank_numpy"] for row in paper_rule or []}
    for k, epoch in enumerate(epochs):
        cells = []
        for output in ["logits", "softmax"]:
            for source in SOURCES:
                ranks = stack(logs, source, output)[:, k]
                clear = stack(logs, source, output, "clear")[:, k]
                cells.append(fmt_range(ranks) + fmt_clear(clear))
        if paper_rule:
            cells.append(str(rule_by_epoch.get(int(epoch), "–")))
        accuracy = np.array([log.checkpoints.test_accuracy[k] for log in logs])
        cells.append(f"{accuracy.mean():.4f}")
        lines.append(f"| {epoch} | " + " | ".join(cells) + " |")
    return lines


def final_table(rows, header):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines


def final_bfd(logs, source, output):
    ranks = stack(logs, source, output)[:, -1]
    clear = stack(logs, source, output, "clear")[:, -1]
    return ranks, clear


def width_axes(ax, widths, bound):
    """Log-log axes over the widths, ticked at each, with P − hidden drawn for reference."""
    ax.plot(widths, bound, "k-", linewidth=1, label="P − hidden")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(widths, [str(w) for w in widths])


def width_report(points, out_dir):
    """BFD after training against width, and the CFFD estimate against P − hidden and n·d."""
    by_width = {}
    for values, log in points:
        by_width.setdefault(values["model.hidden"][0], []).append(log)
    widths = sorted(by_width)
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    ax = axes[0]
    bound = [parameter_bound(by_width[w][0]) for w in widths]
    for output, style in [("logits", "-"), ("softmax", "--")]:
        for source in SOURCES:
            ranks = np.array([final_bfd(by_width[w], source, output)[0] for w in widths])
            ax.plot(widths, ranks.mean(axis=1), style, marker="o", markersize=4, color=COLOURS[source],
                    label=f"{source}, {output}")
            ax.fill_between(widths, ranks.min(axis=1), ranks.max(axis=1), color=COLOURS[source], alpha=0.15, linewidth=0)
    train_series = by_width[widths[0]][0].bfd["train", "logits"]
    cap = train_series.row_cap
    outputs_per_input = cap // train_series.n
    width_axes(ax, widths, bound)
    ax.axhline(cap, color="grey", linestyle=":", label=f"row cap n·d = {cap}")
    ax.set_xlabel("width w (three hidden layers of w)")
    ax.set_ylabel("BFD after training")
    ax.set_title("BFD after training against width (solid: logits; dashed: softmax)", fontsize=10)
    ax.legend(fontsize=7)

    ax = axes[1]
    estimates, converged, batch_rows = [], [], []
    for w in widths:
        logs = by_width[w]
        estimates.append([log.cffd.estimate[-1] for log in logs])
        converged.append(all(log.cffd.converged[-1] for log in logs))
        sizes = logs[0].cffd.sizes[-1]
        batch_rows.append(int(sizes[sizes > 0].max()) * outputs_per_input)
    estimates = np.array(estimates)
    converged = np.array(converged)
    width_axes(ax, widths, bound)
    ax.plot(widths, batch_rows, "k:", label="n·d of the largest Gaussian batch tried")
    train = np.array([final_bfd(by_width[w], "train", "logits")[0] for w in widths])
    ax.plot(widths, train.mean(axis=1), "-", color=COLOURS["train"], alpha=0.6, label="train BFD (logits), for reference")
    mean = estimates.mean(axis=1)
    ax.scatter(np.array(widths)[converged], mean[converged], color="tab:red", zorder=3, label="CFFD estimate, converged")
    ax.scatter(np.array(widths)[~converged], mean[~converged], facecolors="white", edgecolors="tab:red", zorder=3,
               label="CFFD estimate, not converged (lower bound)")
    ax.set_xlabel("width w")
    ax.set_ylabel("dimension")
    ax.set_title("CFFD (BFD on Gaussian batches of doubling size, logits) after training", fontsize=10)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(os.path.join(out_dir, "width.png"), dpi=100)
    plt.close(fig)

    seeds = len(by_width[widths[0]])
    rows = []
    for i, w in enumerate(widths):
        logs = by_width[w]
        row = [w, logs[0].meta["parameter_count"], bound[i]]
        for output in ["logits", "softmax"]:
            for source in SOURCES:
                ranks, clear = final_bfd(logs, source, output)
                row.append(fmt_range(ranks) + fmt_clear(clear))
        row.append(f"{np.mean([log.checkpoints.test_accuracy[-1] for log in logs]):.4f}")
        row.append(fmt_range(estimates[i]) + ("" if converged[i] else f" (≥, batch n·d {batch_rows[i]})"))
        rows.append(row)
    header = ["w", "P", "P − hidden", "train logits", "test logits", "random logits", "train softmax", "test softmax",
              "random softmax", "test acc.", "CFFD estimate"]
    return [f"### Width (after 680 epochs; {seeds} seeds, mean [min–max]; `?` = no clear gap)", ""] + final_table(rows, header)


def variant_report(points, key, label, name, out_dir, title):
    """BFD after training against one data variant (noise level, random-label count), one
    panel per width."""
    by_width = {}
    for values, log in points:
        by_width.setdefault(values["model.hidden"][0], []).append((values[key], log))
    widths = sorted(by_width)
    fig, axes = plt.subplots(1, len(widths) + 1, figsize=(5.2 * (len(widths) + 1), 4.3))
    lines = [f"### {title} (after 680 epochs; `?` = no clear gap)", ""]
    for ax, w in zip(axes, widths):
        entries = sorted(by_width[w], key=lambda e: e[0])
        xs = [e[0] for e in entries]
        logs = [e[1] for e in entries]
        for output, style in [("logits", "-"), ("softmax", "--")]:
            for source in SOURCES:
                ranks, clear = final_bfd(logs, source, output)
                ax.plot(xs, ranks, style, color=COLOURS[source], label=f"{source}, {output}")
                ax.scatter(np.array(xs)[clear], ranks[clear], color=COLOURS[source], s=16, zorder=3)
                ax.scatter(np.array(xs)[~clear], ranks[~clear], facecolors="white", edgecolors=COLOURS[source], s=16,
                           zorder=3)
        bound = parameter_bound(logs[0])
        cap = logs[0].bfd["train", "logits"].row_cap
        if bound < 3 * cap:
            ax.axhline(bound, color="black", linewidth=1, label=f"P − hidden = {bound}")
        ax.axhline(cap, color="grey", linestyle=":", label=f"row cap n·d = {cap}")
        ax.set_xlabel(label)
        ax.set_ylabel("BFD after training")
        ax.set_title(f"w = {w} (P − hidden = {bound})", fontsize=10)
        ax.legend(fontsize=7)
        axes[-1].plot(xs, [log.checkpoints.test_accuracy[-1] for log in logs], marker="o", label=f"test, w = {w}")
        axes[-1].plot(xs, [log.checkpoints.train_accuracy[-1] for log in logs], marker="x", linestyle="--",
                      label=f"train (all samples), w = {w}")
        rows = []
        for x, log in entries:
            row = [x]
            for output in ["logits", "softmax"]:
                for source in SOURCES:
                    s = log.bfd[source, output]
                    row.append(f"{s.rank[-1]}" + ("" if s.clear[-1] else "?"))
            row += [f"{log.checkpoints.train_accuracy[-1]:.4f}", f"{log.checkpoints.test_accuracy[-1]:.4f}"]
            rows.append(row)
        header = [label, "train logits", "test logits", "random logits", "train softmax", "test softmax",
                  "random softmax", "train acc.", "test acc."]
        lines += [f"w = {w}, P − hidden = {bound}, row cap {cap}:", ""] + final_table(rows, header) + [""]
    axes[-1].set_xlabel(label)
    axes[-1].set_ylim(0, 1.02)
    axes[-1].set_title("accuracy after training", fontsize=10)
    axes[-1].legend(fontsize=7)
    fig.suptitle(f"{title}\nsolid: logits; dashed: softmax; filled: clear gap; hollow: no clear gap", fontsize=9)
    fig.tight_layout()
    fig.savefig(os.path.join(out_dir, f"{name}.png"), dpi=100)
    plt.close(fig)
    return lines


def main():
    args = sweep_jobs.parse_report_arguments(__doc__.splitlines()[0], "reduced size: BFD on 100 inputs per set")
    runs, report = sweep_jobs.report_paths(args, "reproduce", "reproduction")
    overrides = [f"logging.runs_directory={runs}", "threads=1"] + (QUICK_OVERRIDES if args.quick else [])
    sweeps = {name: Sweep(name, args.geodim, overrides) for name in EXPERIMENTS}
    state_path = os.path.join(runs, "reproduce-state.json")

    if args.report_only:
        state = sweep_jobs.load_state(state_path, "reproduction")
    else:
        start = time.monotonic()
        state = sweep_jobs.run_sweeps(sweeps, args, runs, "reproduce")
        state["sweeps_s"] = time.monotonic() - start

        # The paper's rule on the first SGD seed's softmax outputs, recomputed by numpy.
        recompute_start = time.monotonic()
        first = sweeps["training-sgd"].logs()[0][1]
        epochs = read_log(first).checkpoints.epoch
        out_dir = os.path.join(runs, "paper-rule")
        os.makedirs(out_dir, exist_ok=True)
        rule_jobs = [(f"paper rule, epoch {e}", ["sh", "-c", f"python3 scripts/recompute_bfd.py '{first}' --checkpoint {k} "
                                                           f"--source train --output softmax > '{out_dir}/{k}.json'"])
                     for k, e in enumerate(epochs)]
        print(f"reproduce: the paper's rule on {len(rule_jobs)} checkpoints (numpy, explicit Jacobian)", flush=True)
        state["seconds"].update(run_jobs(rule_jobs, args.jobs, os.path.join(runs, "job-output")))
        state["paper_rule"] = []
        for k in range(len(epochs)):
            with open(os.path.join(out_dir, f"{k}.json")) as f:
                state["paper_rule"].append(json.load(f))
        state["recompute_s"] = time.monotonic() - recompute_start
        state["wall_s"] = time.monotonic() - start
        with open(state_path, "w") as f:
            json.dump(state, f, indent=1)

    lines = ["# Reproduction results (generated by scripts/reproduce.py; do not edit)", "",
             "Every number below is read from the logs by `scripts/reproduce.py`; docs/reproduction.md "
             "says what they mean.", ""]
    all_logs = []
    for name, title in [("training-sgd", "BFD during training, plain SGD (lr 0.1)"),
                        ("training-adam", "BFD during training, Adam (lr 0.001)")]:
        logs = [read_log(path) for _, path in sweeps[name].logs()]
        all_logs += logs
        paper_rule = state.get("paper_rule") if name == "training-sgd" else None
        lines += training_report(name, logs, paper_rule, report, title) + [""]
    points = [(values, read_log(path)) for values, path in sweeps["width"].logs()]
    all_logs += [log for _, log in points]
    lines += width_report(points, report) + [""]
    points = [(values, read_log(path)) for values, path in sweeps["input-noise"].logs()]
    all_logs += [log for _, log in points]
    lines += variant_report(points, "data.input_noise_std", "noise std (pixels in [0, 1])", "input-noise", report,
                            "Gaussian noise on the training inputs")
    points = [(values, read_log(path)) for values, path in sweeps["random-labels"].logs()]
    all_logs += [log for _, log in points]
    lines += variant_report(points, "data.random_label_extras", "extra samples with random labels", "random-labels",
                            report, "Extra training samples with random labels")
    lines += sweep_jobs.provenance(all_logs, state, wall_detail=(
        f" (sweeps {state.get('sweeps_s', 0) / 60:.1f} min, paper-rule recomputation {state.get('recompute_s', 0) / 60:.1f} min)"
        if "wall_s" in state else ""))
    with open(os.path.join(report, "results.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"reproduce: figures and results.md in {os.path.relpath(report, ROOT)}", flush=True)
    if "wall_s" in state and not args.report_only:
        print(f"reproduce: total wall time {state['wall_s'] / 60:.1f} min", flush=True)


if __name__ == "__main__":
    main()
