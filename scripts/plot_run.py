#!/usr/bin/env python3
"""Plot geodim run logs: the paper-style figure of one run, or the BFD across a sweep.

    python3 scripts/plot_run.py runs/quick/<timestamp>/log.h5 -o curves.png
    python3 scripts/plot_run.py runs/sweep-demo/sweep-<id> -o sweep.png [--key model.hidden]
    python3 scripts/plot_run.py A/log.h5 B/log.h5 -o both.png          # several runs overlaid
    python3 scripts/plot_run.py RUN -o curves.png --evidence evidence.png   # and the evidence figure
    python3 scripts/plot_run.py SWEEP --key seed --hue model.hidden -o seeds.png

One run (a log.h5 or its run directory): BFD against epoch on the train, test and random
inputs, one panel per output variant logged (filled markers: a clear spectral gap; hollow:
no clear gap, so the rank depends on the rule; dotted: the row cap; sources offset slightly so
equal ranks stay visible), next to train/test accuracy and the training loss. Several runs: a
colour per run, a line style per source. --evidence: the singular spectrum σ/σ₁ per checkpoint
with the floor and the cut, rank against tolerance, gap ratio over training, dead neurons per
layer (evidence_data gives the numbers drawn).

A run on 1-D synthetic data (data.source synthetic, training.loss mse) gets the losses in
place of the accuracies and a panel of its learned function: the network at the first and
last checkpoints against the training data and the noise-free target, the smoothing spline of
the data (scipy; Heiss et al.'s lam for a random_features run with weight decay, GCV
otherwise) and the first layer's kinks −b/w marked on the x axis.

A sweep (its directory or sweep.json): the BFD at each point's last checkpoint against a swept
key (default: the first swept key other than `seed`), a line per value of the remaining keys
other than seed (or of --hue), averaged over the seeds with their range shown, filled markers
where all had a clear gap, next to the test accuracy (sweep_data gives the numbers drawn).

Needs h5py, numpy and matplotlib: `bash scripts/setup.sh --plots` installs them.
Works on logs that are still being written (live/SWMR logs) or whose run was killed: only
complete rows (the length of /checkpoints/step) are used.
"""
import argparse
import json
import os
import sys
import textwrap

import numpy as np

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import geodim_log  # noqa: E402  (scripts/, next to this file)

SOURCES = ["train", "test", "random"]
COLOURS = {"train": "tab:blue", "test": "tab:orange", "random": "tab:green"}
STYLES = {"train": "-", "test": "--", "random": ":"}
RUN_COLOURS = list(plt.cm.tab10.colors) + list(plt.cm.Dark2.colors)


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


def config_value(log, dotted):
    """One scalar of the resolved config (e.g. `optimizer.lr`), read from /meta config_yaml
    by indentation (the YAML geodim writes is plain nested mappings); None if absent."""
    wanted = dotted.split(".")
    path = []
    for line in log.config_yaml.splitlines():
        if not line.strip() or line.lstrip().startswith("#") or ":" not in line:
            continue
        depth = (len(line) - len(line.lstrip(" "))) // 2
        key, _, value = line.strip().partition(":")
        path = path[:depth] + [key.strip()]
        if path == wanted:
            return value.strip().strip('"') or None
    return None


def run_title(log):
    """`name (label): architecture, optimizer lr, seed, status, overrides` for one run."""
    name = config_value(log, "name") or "?"
    optimizer = config_value(log, "optimizer.name") or "?"
    lr = config_value(log, "optimizer.lr") or "?"
    overrides = " ".join(log.overrides) if log.overrides else "none"
    return textwrap.fill(f"{name} ({log.label}): {log.meta.get('architecture', '?')}, {optimizer} lr {lr}, "
                         f"seed {log.meta.get('seed', 0)}, {log.status}; overrides: {overrides}", 160)


def evidence_data(log, source, output, tolerances=None):
    """What the evidence figure draws for one BFD series, from a log read with spectra:
    per checkpoint the epoch, σ/σ₁ (NaN padding dropped), the floor, the cut (the headline
    rank), the gap ratio and clear flag; the rank against relative tolerance τ at each
    checkpoint (#{σ/σ₁ > τ}); and the dead neurons per hidden layer over the series' set."""
    s = log.series(source, output)
    if s is None:
        return None
    tolerances = np.logspace(-16, 0, 65) if tolerances is None else np.asarray(tolerances)
    spectra = []
    if s.spectrum is not None:
        for row in range(len(s.rank)):
            values = s.singular_values(row)
            spectra.append(values / values[0] if len(values) and values[0] > 0 else values)
    neurons = log.neurons.get(source)
    return {
        "epoch": log.checkpoints.epoch, "step": log.checkpoints.step, "rank": s.rank, "clear": s.clear,
        "floor": s.floor, "gap_ratio": s.gap_ratio, "upper_bound": s.upper_bound, "row_cap": s.row_cap,
        "relative_spectra": spectra, "tolerances": tolerances,
        "rank_at_tolerance": [np.array([(sp > t).sum() for t in tolerances]) for sp in spectra],
        "dead": None if neurons is None else neurons.dead,
    }


def plot_evidence(log, output, out_path):
    """The evidence behind each BFD: the singular spectrum σ/σ₁ per checkpoint with the floor
    and the cut, rank against tolerance, the gap ratio over training (every series), and dead
    neurons per hidden layer. Returns the figure."""
    source = "test" if log.series("test", output) is not None else next(s for s, o in log.bfd if o == output)
    data = evidence_data(log, source, output)
    fig, ((ax_s, ax_t), (ax_g, ax_d)) = plt.subplots(2, 2, figsize=(11, 8))
    colours = plt.cm.viridis(np.linspace(0, 0.9, max(1, len(data["relative_spectra"]))))
    for row, spectrum in enumerate(data["relative_spectra"]):
        label = f"epoch {data['epoch'][row]}"
        ax_s.semilogy(np.arange(1, len(spectrum) + 1), np.maximum(spectrum, 1e-18), color=colours[row], linewidth=1, label=label)
        cut = data["rank"][row]
        if 0 < cut <= len(spectrum):
            ax_s.plot([cut], [spectrum[cut - 1]], "o", color=colours[row],
                      markerfacecolor=colours[row] if data["clear"][row] else "white", markersize=6, zorder=3)
        if data["floor"] is not None:
            ax_s.axhline(data["floor"][row], color=colours[row], linestyle=":", linewidth=0.8)
        ax_t.semilogx(data["tolerances"], data["rank_at_tolerance"][row], color=colours[row], label=label)
        if data["floor"] is not None:
            ax_t.axvline(data["floor"][row], color=colours[row], linestyle=":", linewidth=0.8)
    if not data["relative_spectra"]:
        ax_s.text(0.5, 0.5, "no spectrum logged (bfd.spectrum: false)", ha="center", transform=ax_s.transAxes)
        ax_t.text(0.5, 0.5, "no spectrum logged", ha="center", transform=ax_t.transAxes)
    ax_s.set_title(f"singular spectrum σ/σ₁, {source}_{output} (dotted: floor; marker: the cut)", fontsize=9)
    ax_s.set_ylim(1e-18 / 2, 2)
    ax_s.set_xlabel("index i (values below 1e-18, exact zeros included, drawn at 1e-18)")
    ax_s.set_ylabel("σ_i / σ_1")
    ax_s.legend(fontsize=7, ncol=2)
    ax_t.axhline(data["row_cap"], color="grey", linestyle="--", linewidth=0.8)
    ax_t.set_title(f"rank against tolerance, {source}_{output} (dotted: floor; dashed: row cap)", fontsize=9)
    ax_t.set_xlabel("relative tolerance τ (count σ/σ₁ > τ)")
    ax_t.set_ylabel("rank")
    for index, ((src, out), s) in enumerate(log.bfd.items()):
        if s.gap_ratio is None:
            continue
        colour = RUN_COLOURS[index % len(RUN_COLOURS)]
        finite = np.where(np.isfinite(s.gap_ratio), s.gap_ratio, np.nan)
        ax_g.semilogy(log.checkpoints.epoch, finite, "-", color=colour, label=f"{src}_{out}")
        ax_g.scatter(log.checkpoints.epoch[s.clear], finite[s.clear], color=colour, s=18, zorder=3)
        ax_g.scatter(log.checkpoints.epoch[~s.clear], finite[~s.clear], facecolors="white", edgecolors=colour, s=18, zorder=3)
    ax_g.axhline(1e3, color="black", linestyle=":", linewidth=0.8)
    ax_g.set_title("gap ratio σ_r/σ_(r+1) at the cut (dotted: 1e3, clear above; ∞ not drawn)", fontsize=9)
    ax_g.set_xlabel("epoch")
    ax_g.set_ylabel("gap ratio")
    ax_g.legend(fontsize=7, ncol=2)
    for src, neurons in log.neurons.items():
        for layer in range(neurons.dead.shape[1]):
            ax_d.plot(log.checkpoints.epoch, neurons.dead[:, layer], ["-", "--", ":"][SOURCES.index(src) % 3] if src in SOURCES else "-",
                      color=RUN_COLOURS[layer % len(RUN_COLOURS)], marker="o", markersize=3, label=f"{src}, layer {layer + 1}")
    ax_d.set_title("dead neurons per hidden layer (inactive on every input of the set)", fontsize=9)
    ax_d.set_xlabel("epoch")
    ax_d.set_ylabel("dead neurons")
    ax_d.legend(fontsize=7, ncol=2)
    fig.suptitle(run_title(log), fontsize=9)
    fig.tight_layout()
    fig.savefig(out_path, dpi=120)
    return fig


def dodge(epoch, source, run=0, runs=1):
    """x positions of one run's and source's points, shifted by up to 15% of the checkpoint
    spacing, so that series with the same values (e.g. all on the row cap) stay visible side
    by side."""
    spacing = float(np.min(np.diff(epoch))) if len(epoch) > 1 else 1.0
    slots = len(SOURCES) * runs
    slot = SOURCES.index(source) * runs + run
    return epoch + (slot - (slots - 1) / 2) * (0.3 / max(1, slots - 1)) * spacing


def compact_legend(ax, logs, sources, extra=()):
    """One legend entry per run (colour) and per source (line style): n + 3 entries, not n × 3."""
    from matplotlib.lines import Line2D
    handles = [Line2D([], [], color=run_colour(logs, index), label=log.label) for index, log in enumerate(logs)] if len(logs) > 1 else []
    handles += [Line2D([], [], color="black" if len(logs) > 1 else COLOURS[src], linestyle=STYLES[src], label=src) for src in sources]
    handles += list(extra)
    ax.legend(handles=handles, fontsize=7, ncol=2 if len(handles) > 6 else 1)


def run_colour(logs, index):
    return RUN_COLOURS[index % len(RUN_COLOURS)]


def is_regression(log):
    """Whether the run trained with half-MSE (accuracy is NaN then; the panel shows losses)."""
    return str(log.meta.get("loss", "cross_entropy")) == "mse"


def function_data(path):
    """For a run on 1-D synthetic data (/data/synthetic, one input): what the function panel
    draws, from the log alone; None for any other log. Keys: x, y (training points), test_x,
    test_y (the noise-free target on the test grid), grid, first, last (the network at the
    first and last checkpoints with parameters), kinks (the last checkpoint's first-layer
    kinks inside the grid), spline and spline_label (scipy's smoothing spline of the data; its
    lam is Heiss et al.'s mapping lam = 2·R·N·wd/n for a random_features run with weight
    decay, scipy's GCV choice otherwise; None without scipy), epochs."""
    import h5py
    with h5py.File(path, "r") as f:
        if "data/synthetic" not in f or int(f["data/synthetic"].attrs.get("input_dim", 0)) != 1 or "params" not in f:
            return None
        rows = len(f["checkpoints/step"])
        if rows == 0:
            return None
        x = f["data/synthetic/train_x"][:, 0].astype(float)
        y = f["data/synthetic/train_y"][:].astype(float)
        test_x = f["data/synthetic/test_x"][:, 0].astype(float)
        test_y = f["data/synthetic/test_y"][:].astype(float)
        sizes = [int(v) for v in f["meta"].attrs["layer_sizes"]]
        low, high = min(x.min(), test_x.min()), max(x.max(), test_x.max())
        grid = np.linspace(low, high, 2001)

        def network(k):
            a = grid[:, None]
            for l in range(len(sizes) - 1):
                a = a @ f[f"params/layer{l}/weight"][k].astype(float).T + f[f"params/layer{l}/bias"][k].astype(float)
                if l < len(sizes) - 2:
                    a = np.maximum(a, 0)
            return a[:, 0]

        w = f["params/layer0/weight"][rows - 1][:, 0].astype(float)
        b = f["params/layer0/bias"][rows - 1].astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            kinks = np.where(w != 0, -b / np.where(w != 0, w, 1), np.nan)
        kinks = kinks[np.isfinite(kinks) & (kinks >= low) & (kinks <= high)]
        first, last = network(0), network(rows - 1)
        epochs = (int(f["checkpoints/epoch"][0]), int(f["checkpoints/epoch"][rows - 1]))
        config = f["meta/config_yaml"].asstr()[()]

    class _Log:  # config_value reads .config_yaml
        config_yaml = config
    spline, label = None, None
    try:
        from scipy.interpolate import make_smoothing_spline
        order = np.argsort(x)
        wd = float(config_value(_Log, "optimizer.weight_decay") or 0)
        kink_range = float(config_value(_Log, "model.kink_range") or 0)
        if config_value(_Log, "model.init") == "random_features" and wd > 0 and len(sizes) == 3:
            lam = 2 * kink_range * len(x) * wd / sizes[1]
            label = f"smoothing spline, lam = 2RN·wd/n = {lam:.3g}"
        else:
            lam, label = None, "smoothing spline (lam by GCV)"
        spline = make_smoothing_spline(x[order], y[order], lam=lam)(grid)
    except (ImportError, ValueError):
        spline = None
    return {"x": x, "y": y, "test_x": test_x, "test_y": test_y, "grid": grid, "first": first, "last": last,
            "kinks": kinks, "spline": spline, "spline_label": label, "epochs": epochs}


def plot_function(ax, data):
    """The learned 1-D function against the data, the target and the spline, kinks marked."""
    ax.plot(data["test_x"], data["test_y"], "-", color="grey", lw=1, label="target (noise-free)")
    ax.plot(data["x"], data["y"], "k.", ms=5, label="training data")
    if data["spline"] is not None:
        ax.plot(data["grid"], data["spline"], "-", color="tab:green", lw=2.5, alpha=0.45, label=data["spline_label"])
    ax.plot(data["grid"], data["first"], ":", color="tab:blue", lw=1, label=f"network, epoch {data['epochs'][0]}")
    ax.plot(data["grid"], data["last"], "-", color="tab:red", lw=1.2, label=f"network, epoch {data['epochs'][1]}")
    bottom = ax.get_ylim()[0]
    ax.plot(data["kinks"], np.full(len(data["kinks"]), bottom), "|", color="tab:red", ms=12,
            label=f"kinks −b/w, epoch {data['epochs'][1]} ({len(data['kinks'])} in view)")
    ax.set_xlabel("x")
    ax.set_ylabel("f(x)")
    ax.set_title("the learned function", fontsize=10)
    ax.legend(fontsize=7)


def plot_runs(logs, outputs, out_path, function=None):
    """BFD against epoch (one panel per output variant), and accuracy and loss against
    epoch (losses for mse runs), for one or more runs; with `function` (``function_data``)
    also the learned 1-D function. One run: a colour per source. Several runs: a colour per run
    and a line style per source. Returns the figure."""
    panels = len(outputs) + 1 + (function is not None)
    rows = 2 if panels > 3 else 1
    columns = (panels + rows - 1) // rows
    fig, grid = plt.subplots(rows, columns, figsize=(5.2 * columns, 4.0 * rows), squeeze=False)
    axes = list(grid.flat)
    for unused in axes[panels:]:
        unused.axis("off")
    axes = axes[:panels]
    for ax_bfd, output in zip(axes, outputs):
        drawn = []
        caps = {}
        for index, log in enumerate(logs):
            epoch = log.checkpoints.epoch.astype(float)
            for source in SOURCES:
                s = series_of(log, source, output)
                if s is None or len(s.rank) == 0:
                    continue
                if source not in drawn:
                    drawn.append(source)
                colour = COLOURS[source] if len(logs) == 1 else run_colour(logs, index)
                x = dodge(epoch, source, index, len(logs))
                ax_bfd.plot(x, s.rank, STYLES[source], color=colour)
                clear = s.clear
                ax_bfd.scatter(x[clear], s.rank[clear], color=colour, zorder=3, s=22)
                ax_bfd.scatter(x[~clear], s.rank[~clear], facecolors="white", edgecolors=colour, zorder=3, s=22)
                caps.setdefault(s.row_cap, []).append(source)
        for cap, sources in caps.items():
            ax_bfd.axhline(cap, color="grey", linestyle=":", linewidth=0.8)
            ax_bfd.annotate(f"row cap {cap} ({', '.join(sorted(set(sources), key=SOURCES.index))})", (0.01, cap),
                            xycoords=("axes fraction", "data"), fontsize=7, color="grey", va="bottom")
        ax_bfd.set_xlabel("epoch (sources offset slightly so equal values stay visible)")
        ax_bfd.set_ylabel("BFD (rank of the Jacobian)")
        ax_bfd.set_title(f"{output} outputs", fontsize=10)
        compact_legend(ax_bfd, logs, drawn)
    if function is not None:
        plot_function(axes[-1], function)
        axes = axes[:-1]
    ax_acc = axes[-1]
    if all(is_regression(log) for log in logs):
        for index, log in enumerate(logs):
            c = log.checkpoints
            test_colour, train_colour = ("tab:red", "tab:purple") if len(logs) == 1 else (run_colour(logs, index),) * 2
            ax_acc.plot(c.epoch, c.test_loss, "-", color=test_colour, marker="o", markersize=3,
                        label="test loss" if len(logs) == 1 else None)
            ax_acc.plot(c.epoch, c.train_loss, "--", color=train_colour, marker="o", markersize=3,
                        label="train loss" if len(logs) == 1 else None)
        ax_acc.set_xlabel("epoch")
        ax_acc.set_ylabel("half mean squared error")
        ax_acc.set_yscale("log")
        ax_acc.set_title("loss on the full sets" + ("" if len(logs) == 1 else " (solid: test; dashed: train)"), fontsize=10)
        if len(logs) == 1:
            ax_acc.legend(fontsize=8)
        else:
            compact_legend(ax_acc, logs, [])
        logs_title(fig, logs)
        fig.tight_layout()
        fig.savefig(out_path, dpi=120)
        return fig
    for index, log in enumerate(logs):
        c = log.checkpoints
        test_colour, train_colour = ("tab:red", "tab:purple") if len(logs) == 1 else (run_colour(logs, index),) * 2
        ax_acc.plot(c.epoch, c.test_accuracy, "-", color=test_colour, marker="o", markersize=3,
                    label="test accuracy" if len(logs) == 1 else None)
        ax_acc.plot(c.epoch, c.train_accuracy, "--", color=train_colour, marker="o", markersize=3,
                    label="train accuracy" if len(logs) == 1 else None)
    ax_acc.set_xlabel("epoch")
    ax_acc.set_ylabel("accuracy")
    ax_acc.set_ylim(0, 1.02)
    ax_acc.set_title("accuracy on the full sets" + ("" if len(logs) == 1 else " (solid: test; dashed: train)"), fontsize=10)
    if len(logs) == 1 and len(logs[0].train.loss):
        ax_loss = ax_acc.twinx()
        ax_loss.plot(logs[0].train.epoch, logs[0].train.loss, color="grey", linewidth=0.6, alpha=0.7)
        ax_loss.set_ylabel("mini-batch loss (nats, grey)", color="grey")
        ax_loss.set_yscale("log")
        ax_acc.legend(fontsize=8, loc="center right")
    else:
        compact_legend(ax_acc, logs, [])
    logs_title(fig, logs)
    fig.tight_layout()
    fig.savefig(out_path, dpi=120)
    return fig


def logs_title(fig, logs):
    title = run_title(logs[0]) if len(logs) == 1 else f"{len(logs)} runs: " + "; ".join(
        f"{log.label} ({config_value(log, 'optimizer.name') or '?'} lr {config_value(log, 'optimizer.lr') or '?'})" for log in logs)
    fig.suptitle(title + "\nfilled marker: clear spectral gap; hollow: no clear gap (the rank depends on the rule); dotted: row cap",
                 fontsize=9)


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


def sweep_data(sweep, key, output, hue=None):
    """What the sweep figure draws: `key` on the x axis; one line per value of the `hue` keys
    (default: every swept key but `key` and `seed`), and per source; at each x the last
    checkpoint's BFD averaged over the points left (the seeds, or nothing), with min and max,
    and `clear` only when every one of them had a clear gap. Returns (key, hue keys, x labels
    in order, numeric x or None, lines, accuracy lines): a line is a dict with `hue`, `source`,
    `x` (indices into the x labels), `mean`, `low`, `high`, `clear`, `cap`; an accuracy line
    has `hue`, `x`, `mean`."""
    keys = sweep.keys
    if key is None:
        key = next((k for k in keys if k != "seed"), keys[0])
    if key not in keys:
        sys.exit(f"plot_run.py: {key!r} is not a swept key (swept: {', '.join(keys)})")
    if hue is None:
        hue_keys = [k for k in keys if k not in (key, "seed")]
    else:
        hue_keys = [h for h in hue.split(",") if h]
        for h in hue_keys:
            if h not in keys or h == key:
                sys.exit(f"plot_run.py: --hue {h!r} is not another swept key (swept: {', '.join(keys)})")
    groups = {}  # (hue text, x text) -> logs
    x_order, hue_order = [], []
    for point in sweep.points:
        if not os.path.exists(point.log_path):
            continue
        log = read_log(point.log_path)
        if len(log.checkpoints) == 0:
            continue
        x_text = json.dumps(point.values[key])
        hue_text = " ".join(f"{h}={json.dumps(point.values[h])}" for h in hue_keys)
        if x_text not in [t for t, _ in x_order]:
            x_order.append((x_text, point.values[key]))
        if hue_text not in hue_order:
            hue_order.append(hue_text)
        groups.setdefault((hue_text, x_text), []).append(log)
    if not groups:
        sys.exit(f"plot_run.py: no point of {sweep.directory} has a checkpoint yet")
    output = pick_output([log for logs in groups.values() for log in logs], output)
    lines, accuracy = [], []
    for hue_text in hue_order:
        for source in SOURCES:
            line = {"hue": hue_text, "source": source, "x": [], "mean": [], "low": [], "high": [], "clear": [], "cap": []}
            for position, (x_text, _) in enumerate(x_order):
                found = [series_of(log, source, output) for log in groups.get((hue_text, x_text), [])]
                found = [f for f in found if f is not None and len(f.rank)]
                if not found:
                    continue
                ranks = [int(f.rank[-1]) for f in found]
                line["x"].append(position)
                line["mean"].append(float(np.mean(ranks)))
                line["low"].append(min(ranks))
                line["high"].append(max(ranks))
                line["clear"].append(all(bool(f.clear[-1]) for f in found))
                line["cap"].append(found[0].row_cap)
            if line["x"]:
                lines.append(line)
        acc = {"hue": hue_text, "x": [], "mean": []}
        for position, (x_text, _) in enumerate(x_order):
            logs = groups.get((hue_text, x_text), [])
            if logs:
                acc["x"].append(position)
                acc["mean"].append(float(np.mean([log.checkpoints.test_accuracy[-1] for log in logs])))
        accuracy.append(acc)
    return key, hue_keys, output, x_order, numeric_axis([value for _, value in x_order]), lines, accuracy


def plot_sweep(sweep, key, output, out_path, hue=None):
    """The BFD at the last checkpoint of each point against one swept key, one line per value
    of the other swept keys (see sweep_data). Returns the figure."""
    from matplotlib.lines import Line2D
    key, hue_keys, output, x_order, numbers, lines, accuracy = sweep_data(sweep, key, output, hue)
    xs = numbers if numbers is not None else list(range(len(x_order)))
    lists = numbers is not None and any(isinstance(value, list) for _, value in x_order)
    xlabel = (f"width ({key})" if lists else key) if numbers is not None else key + " (values in order)"
    hues = list(dict.fromkeys(line["hue"] for line in lines))
    several = len(hues) > 1
    fig, (ax_bfd, ax_acc) = plt.subplots(1, 2, figsize=(12, 4.6))
    for line in lines:
        colour = RUN_COLOURS[hues.index(line["hue"]) % len(RUN_COLOURS)] if several else COLOURS[line["source"]]
        x = np.array([xs[i] for i in line["x"]], dtype=float)
        clear = np.array(line["clear"], dtype=bool)
        mean = np.array(line["mean"])
        ax_bfd.plot(x, mean, STYLES[line["source"]], color=colour)
        ax_bfd.scatter(x[clear], mean[clear], color=colour, s=26, zorder=3)
        ax_bfd.scatter(x[~clear], mean[~clear], facecolors="white", edgecolors=colour, s=26, zorder=3)
        ax_bfd.fill_between(x, line["low"], line["high"], color=colour, alpha=0.12)
        ax_bfd.plot(x, line["cap"], ":", color="grey", linewidth=0.8)
    for acc in accuracy:
        colour = RUN_COLOURS[hues.index(acc["hue"]) % len(RUN_COLOURS)] if several else "tab:red"
        ax_acc.plot([xs[i] for i in acc["x"]], acc["mean"], "-o", color=colour, markersize=4, label=acc["hue"] or "test accuracy")
    for ax in (ax_bfd, ax_acc):
        ax.set_xlabel(xlabel)
        if numbers is None:
            ax.set_xticks(xs)
            ax.set_xticklabels([text for text, _ in x_order], rotation=30, fontsize=8)
    handles = [Line2D([], [], color="black" if several else COLOURS[src], linestyle=STYLES[src], label=src)
               for src in SOURCES if any(line["source"] == src for line in lines)]
    handles += [Line2D([], [], color=RUN_COLOURS[i % len(RUN_COLOURS)], label=h) for i, h in enumerate(hues)] if several else []
    handles += [Line2D([], [], marker="o", linestyle="", color="grey", label="clear gap"),
                Line2D([], [], marker="o", linestyle="", markerfacecolor="white", color="grey", label="no clear gap")]
    ax_bfd.legend(handles=handles, fontsize=7, ncol=2)
    averaged = [k for k in sweep.keys if k != key and k not in hue_keys]
    ax_bfd.set_ylabel(f"BFD at the last checkpoint ({output})")
    ax_bfd.set_title((f"mean over {', '.join(averaged)}, band: min to max" if averaged else "one point per line")
                     + (f"; a line per {', '.join(hue_keys)}" if hue_keys else "") + "; dotted: row cap", fontsize=9)
    ax_acc.set_ylabel("test accuracy (last checkpoint)")
    ax_acc.set_ylim(0, 1.02)
    ax_acc.legend(fontsize=7, loc="lower right")
    fig.suptitle(f"sweep {sweep.name} ({sweep.identity}): BFD against {key}", fontsize=10)
    fig.tight_layout()
    fig.savefig(out_path, dpi=130)
    return fig


def main():
    parser = argparse.ArgumentParser(description="Plot geodim run logs or a sweep.")
    parser.add_argument("inputs", nargs="+", help="log.h5 files or run directories, or one sweep directory / sweep.json")
    parser.add_argument("-o", "--output-file", default="geodim-plot.png", help="the image to write (png, pdf, svg)")
    parser.add_argument("--bfd-output", default=None, help="only this BFD output variant: logits, centred or softmax (default: every one logged; for a sweep: centred, else logits)")
    parser.add_argument("--key", default=None, help="for a sweep: the swept key on the x axis")
    parser.add_argument("--hue", default=None, help="for a sweep: the swept keys (comma-separated) that get a line each (default: every swept key but --key and seed; the rest are averaged)")
    parser.add_argument("--evidence", default=None, metavar="FILE", help="for one run: also write the evidence figure (spectrum σ/σ₁ with floor and cut, rank against tolerance, gap ratio, dead neurons) to FILE")
    args = parser.parse_args()

    first = args.inputs[0]
    sweep_json = first if first.endswith("sweep.json") else os.path.join(first, "sweep.json")
    if len(args.inputs) == 1 and os.path.isfile(sweep_json):
        try:
            sweep = geodim_log.read_sweep(sweep_json)
        except geodim_log.LogError as error:
            sys.exit(f"plot_run.py: {error}")
        plot_sweep(sweep, args.key, args.bfd_output, args.output_file, args.hue)
    else:
        paths = []
        for item in args.inputs:
            path = os.path.join(item, "log.h5") if os.path.isdir(item) else item
            if not os.path.isfile(path):
                sys.exit(f"plot_run.py: {item}: no such log (give a log.h5, a run directory or a sweep directory)")
            paths.append(path)
        logs = [read_log(path) for path in paths]
        outputs = outputs_of(logs, args.bfd_output)
        # One run on 1-D synthetic data: also its learned function, data, spline and kinks.
        function = function_data(paths[0]) if len(paths) == 1 else None
        plot_runs(logs, outputs, args.output_file, function)
        if args.evidence:
            if len(paths) != 1:
                sys.exit("plot_run.py: --evidence takes one run")
            try:
                full = geodim_log.read_run(paths[0], params=False, inputs=False)
            except geodim_log.LogError as error:
                sys.exit(f"plot_run.py: {error}")
            plot_evidence(full, "centred" if "centred" in outputs else outputs[0], args.evidence)
            print(f"plot_run.py: wrote {args.evidence}")
    print(f"plot_run.py: wrote {args.output_file}")


if __name__ == "__main__":
    main()
