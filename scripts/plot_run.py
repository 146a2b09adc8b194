#!/usr/bin/env python3
"""Plot geodim run logs: the paper-style figure of one run, or the BFD across a sweep.

    python3 scripts/plot_run.py runs/quick/<timestamp>/log.h5 -o curves.png
    python3 scripts/plot_run.py runs/sweep-demo/sweep-<id> -o sweep.png [--key model.hidden]
    python3 scripts/plot_run.py A/log.h5 B/log.h5 -o both.png          # several runs overlaid

One run (a log.h5 or its run directory): BFD against epoch on the train, test and random
inputs, one panel per output variant logged (filled markers: a clear spectral gap; hollow:
no clear gap, so the rank depends on the rule; dotted: the row cap), next to train/test
accuracy and the training loss.

A sweep (its directory or sweep.json): the BFD at each point's last checkpoint against a swept
key (default: the first swept key other than `seed`), averaged over the other keys with their
range shown, next to the test accuracy.

Needs h5py, numpy and matplotlib: `bash scripts/setup.sh --plots` installs them.
Works on logs that are still being written (live/SWMR logs) or whose run was killed: only
complete rows (the length of /checkpoints/step) are used.
"""
import argparse
import json
import os
import sys

import numpy as np

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import geodim_log  # noqa: E402  (scripts/, next to this file)

SOURCES = ["train", "test", "random"]
COLOURS = {"train": "tab:blue", "test": "tab:orange", "random": "tab:green"}


def read_log(path):
    """A run log without its spectra, parameters and stored inputs, cut to complete rows."""
    try:
        return geodim_log.read_run(path, spectra=False, params=False, inputs=False)
    except geodim_log.LogError as error:
        sys.exit(f"plot_run.py: {error}")


def pick_output(logs, wanted):
    outputs = [s.output for log in logs for s in log.bfd.values()]
    if wanted:
        if wanted not in outputs:
            sys.exit(f"plot_run.py: no BFD series with output {wanted!r} (have {sorted(set(outputs))})")
        return wanted
    for preferred in ("centred", "logits", "softmax"):
        if preferred in outputs:
            return preferred
    sys.exit("plot_run.py: the log has no BFD series (bfd.enabled was false)")


def series_of(log, source, output):
    return log.series(source, output)


def outputs_of(logs, wanted):
    """The output variants to draw: `wanted`, or every one the logs have."""
    present = {s.output for log in logs for s in log.bfd.values()}
    if wanted:
        return [pick_output(logs, wanted)]
    ordered = [o for o in ("logits", "centred", "softmax") if o in present]
    if not ordered:
        sys.exit("plot_run.py: the log has no BFD series (bfd.enabled was false)")
    return ordered


def plot_runs(logs, outputs, out_path):
    """BFD against epoch (one panel per output variant), and accuracy and loss against
    epoch, for one or more runs."""
    panels = len(outputs) + 1
    rows = 2 if panels > 3 else 1
    columns = (panels + rows - 1) // rows
    fig, grid = plt.subplots(rows, columns, figsize=(5.2 * columns, 4.0 * rows), squeeze=False)
    axes = list(grid.flat)
    for unused in axes[panels:]:
        unused.axis("off")
    axes = axes[:panels]
    styles = ["-", "--", ":", "-."]
    for ax_bfd, output in zip(axes, outputs):
        for index, log in enumerate(logs):
            style = styles[index % len(styles)]
            suffix = f" ({log.label})" if len(logs) > 1 else ""
            epoch = log.checkpoints.epoch
            for source in SOURCES:
                s = series_of(log, source, output)
                if s is None or len(s.rank) == 0:
                    continue
                colour = COLOURS[source]
                ax_bfd.plot(epoch, s.rank, style, color=colour, label=f"{source}{suffix}")
                clear = s.clear
                ax_bfd.scatter(epoch[clear], s.rank[clear], color=colour, zorder=3, s=22)
                ax_bfd.scatter(epoch[~clear], s.rank[~clear], facecolors="white", edgecolors=colour, zorder=3, s=22)
                if index == 0:
                    ax_bfd.axhline(s.row_cap, color=colour, linestyle=":", linewidth=0.8, alpha=0.6)
        ax_bfd.set_xlabel("epoch")
        ax_bfd.set_ylabel("BFD (rank of the Jacobian)")
        ax_bfd.set_title(f"{output} outputs", fontsize=10)
        ax_bfd.legend(fontsize=8)
    ax_acc = axes[-1]
    for index, log in enumerate(logs):
        style = styles[index % len(styles)]
        suffix = f" ({log.label})" if len(logs) > 1 else ""
        c = log.checkpoints
        ax_acc.plot(c.epoch, c.test_accuracy, style, color="tab:red", marker="o", markersize=3, label=f"test accuracy{suffix}")
        ax_acc.plot(c.epoch, c.train_accuracy, style, color="tab:purple", marker="o", markersize=3, label=f"train accuracy{suffix}")
    ax_acc.set_xlabel("epoch")
    ax_acc.set_ylabel("accuracy")
    ax_acc.set_ylim(0, 1.02)
    ax_acc.set_title("accuracy on the full sets", fontsize=10)
    if len(logs) == 1 and len(logs[0].train.loss):
        ax_loss = ax_acc.twinx()
        ax_loss.plot(logs[0].train.epoch, logs[0].train.loss, color="grey", linewidth=0.6, alpha=0.7)
        ax_loss.set_ylabel("mini-batch loss (nats, grey)", color="grey")
        ax_loss.set_yscale("log")
    ax_acc.legend(fontsize=8, loc="center right")
    first = logs[0]
    title = (f"{first.meta.get('architecture', '?')}, seed {first.meta.get('seed', 0)}, status {first.status}"
             if len(logs) == 1 else f"{len(logs)} runs")
    fig.suptitle(title + "\nfilled marker: clear spectral gap; hollow: no clear gap (the rank depends on the rule); dotted: row cap",
                 fontsize=9)
    fig.tight_layout()
    fig.savefig(out_path, dpi=120)


def numeric_axis(values):
    """Numbers for the x axis if the values allow (numbers, or lists of one repeated number,
    such as widths [30, 30, 30]); else None."""
    numbers = []
    for value in values:
        if isinstance(value, bool):
            return None
        if isinstance(value, (int, float)):
            numbers.append(float(value))
        elif isinstance(value, list) and value and all(isinstance(v, (int, float)) for v in value) and len(set(value)) == 1:
            numbers.append(float(value[0]))
        else:
            return None
    return numbers


def plot_sweep(sweep, key, output, out_path):
    """The BFD at the last checkpoint of each point against one swept key."""
    keys = sweep.keys
    if key is None:
        key = next((k for k in keys if k != "seed"), keys[0])
    if key not in keys:
        sys.exit(f"plot_run.py: {key!r} is not a swept key (swept: {', '.join(keys)})")
    groups = {}  # x value (as JSON text) -> list of logs
    order = []
    for point in sweep.points:
        path = point.log_path
        if not os.path.exists(path):
            continue
        log = read_log(path)
        if len(log.checkpoints) == 0:
            continue
        value = point.values[key]
        text = json.dumps(value)
        if text not in groups:
            groups[text] = []
            order.append((text, value))
        groups[text].append(log)
    if not groups:
        sys.exit(f"plot_run.py: no point of {sweep.directory} has a checkpoint yet")
    output = pick_output([log for logs in groups.values() for log in logs], output)
    numbers = numeric_axis([value for _, value in order])
    xs = numbers if numbers is not None else list(range(len(order)))
    lists = numbers is not None and any(isinstance(value, list) for _, value in order)
    xlabel = (f"width ({key})" if lists else key) if numbers is not None else key + " (values in order)"
    fig, (ax_bfd, ax_acc) = plt.subplots(1, 2, figsize=(11, 4.2))
    for source in SOURCES:
        means, lows, highs, caps, points_x = [], [], [], [], []
        for x, (text, _) in zip(xs, order):
            ranks = [series_of(log, source, output).rank[-1] for log in groups[text] if series_of(log, source, output) is not None]
            if not ranks:
                continue
            points_x.append(x)
            means.append(np.mean(ranks))
            lows.append(np.min(ranks))
            highs.append(np.max(ranks))
            caps.append(series_of(groups[text][0], source, output).row_cap)
        if not points_x:
            continue
        colour = COLOURS[source]
        ax_bfd.plot(points_x, means, "-o", color=colour, markersize=4, label=source)
        ax_bfd.fill_between(points_x, lows, highs, color=colour, alpha=0.15)
        ax_bfd.plot(points_x, caps, ":", color=colour, linewidth=0.8, alpha=0.6)
    accuracy = [np.mean([log.checkpoints.test_accuracy[-1] for log in groups[text]]) for text, _ in order]
    ax_acc.plot(xs, accuracy, "-o", color="tab:red", markersize=4, label="test accuracy (last checkpoint)")
    for ax in (ax_bfd, ax_acc):
        ax.set_xlabel(xlabel)
        if numbers is None:
            ax.set_xticks(xs)
            ax.set_xticklabels([text for text, _ in order], rotation=30, fontsize=8)
    ax_bfd.set_ylabel(f"BFD at the last checkpoint ({output})")
    ax_bfd.set_title("mean over the other swept keys, band: min to max; dotted: row cap", fontsize=9)
    ax_bfd.legend(fontsize=8)
    ax_acc.set_ylabel("test accuracy")
    ax_acc.set_ylim(0, 1.02)
    ax_acc.legend(fontsize=8, loc="lower right")
    fig.suptitle(f"sweep {sweep.name} ({sweep.identity}): BFD against {key}", fontsize=10)
    fig.tight_layout()
    fig.savefig(out_path, dpi=130)


def main():
    parser = argparse.ArgumentParser(description="Plot geodim run logs or a sweep.")
    parser.add_argument("inputs", nargs="+", help="log.h5 files or run directories, or one sweep directory / sweep.json")
    parser.add_argument("-o", "--output-file", default="geodim-plot.png", help="the image to write (png, pdf, svg)")
    parser.add_argument("--bfd-output", default=None, help="only this BFD output variant: logits, centred or softmax (default: every one logged; for a sweep: centred, else logits)")
    parser.add_argument("--key", default=None, help="for a sweep: the swept key on the x axis")
    args = parser.parse_args()

    first = args.inputs[0]
    sweep_json = first if first.endswith("sweep.json") else os.path.join(first, "sweep.json")
    if len(args.inputs) == 1 and os.path.isfile(sweep_json):
        try:
            sweep = geodim_log.read_sweep(sweep_json)
        except geodim_log.LogError as error:
            sys.exit(f"plot_run.py: {error}")
        plot_sweep(sweep, args.key, args.bfd_output, args.output_file)
    else:
        paths = []
        for item in args.inputs:
            path = os.path.join(item, "log.h5") if os.path.isdir(item) else item
            if not os.path.isfile(path):
                sys.exit(f"plot_run.py: {item}: no such log (give a log.h5, a run directory or a sweep directory)")
            paths.append(path)
        logs = [read_log(path) for path in paths]
        plot_runs(logs, outputs_of(logs, args.bfd_output), args.output_file)
    print(f"plot_run.py: wrote {args.output_file}")


if __name__ == "__main__":
    main()
