#!/usr/bin/env python3
"""Demonstrate geometry-induced regularization where it can be seen: run every sweep in
configs/demonstrate/ (the regime n·d > P − hidden, where the parameter bound binds and the
exact BFD can fall below it), then draw the figures, decompose the drops and write the
verdicts of docs/demonstration.md from the logs alone.

    python3 scripts/demonstrate.py            # full size: runs/demonstrate, docs/demonstration/
    python3 scripts/demonstrate.py --quick    # smoke size (100 inputs): runs/demonstrate-quick
    python3 scripts/demonstrate.py --report-only [--quick]   # redraw from the existing logs

`make demonstrate` / `make demonstrate-quick` build geodim and install h5py, numpy and
matplotlib first. Every point is one `geodim sweep CONFIG --index i` (scripts/sweep_jobs.py):
finished points are skipped, stopped ones resumed, so an interrupted demonstration continues
where it stopped. Points run `--jobs` at a time (default: the number of cores), each on one
BLAS thread. --quick keeps the widths but measures 100 inputs per set after 4 epochs: it is
outside the regime (n·d < P − hidden) and only checks that the pipeline and the report work.

Notation in the tables: `r!` an exact rank certified (it reaches its proven upper bound),
`r~` an exact rank that holds with the failure probability listed beside it (the rank
modulo random primes can only be too low), `r?` a float64 rank without a clear spectral gap.
"""
import json
import os
import time

import numpy as np

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

import sweep_jobs  # noqa: E402  (scripts/, next to this file)
from sweep_jobs import ROOT  # noqa: E402

SOURCES = ["train", "test", "random"]
OUTPUTS = ["logits", "centred", "softmax"]
COLOURS = {"train": "tab:blue", "test": "tab:orange", "random": "tab:green"}
OPTIMIZERS = {"sgd": "SGD (lr 0.1)", "adam": "Adam (lr 0.001)"}
WIDTHS = [5, 10]
# Both optimizers at w = 5, SGD at w = 10 (one w = 10 run costs what the six w = 5 runs cost
# together); the sampling measurement at w = 5.
TRAINING = ["w5-sgd", "w5-adam", "w10-sgd"]
SAMPLED_WIDTHS = [5]
SAMPLING = [f"sampling-w{w}" for w in SAMPLED_WIDTHS]
CFFD = [f"cffd-w{w}" for w in SAMPLED_WIDTHS]
# Longest first, so that the two job slots stay busy to the end.
EXPERIMENTS = ["w10-sgd", "w5-sgd", "w5-adam", "sampling-w5", "cffd-w5"]

QUICK_COMMON = ["training.epochs=4", "checkpoints.epochs=[0, 2, 4]", "data.train_size=100", "data.test_size=100"]
QUICK = {
    **{name: (QUICK_COMMON + ["bfd.test_samples=100", "bfd.random_samples=100"], ["seed=0"]) for name in TRAINING},
    **{name: (QUICK_COMMON, ["bfd.random_samples=20,50,100"]) for name in SAMPLING},
    **{name: (QUICK_COMMON + ["bfd.cffd_max_rows=2000"], []) for name in CFFD},
}


def read_log(path):
    return sweep_jobs.read_log(path, "the demonstration")


# MARK: - Quantities of one series


def bound_of(log, series):
    """min(row cap, P − hidden): the bound the BFD is divided by."""
    return min(series.row_cap, parameter_bound(log))


def parameter_bound(log):
    return int(log.meta["parameter_count"]) - int(log.meta["hidden_neurons"])


def layer_sizes(log):
    return [int(v) for v in np.atleast_1d(log.meta["layer_sizes"])]


def dead_term(log, dead):
    """Σ over hidden layers of dead_l · (n_(l−1) + n_(l+1)): the parameters dead neurons make
    unidentifiable (before the dead-pair correction)."""
    sizes = layer_sizes(log)
    return int(sum(int(dead[l]) * (sizes[l] + sizes[l + 2]) for l in range(len(sizes) - 2)))


def exact_text(series, k):
    if series.rank_exact is None:
        return "-"
    mark = "!" if series.exact_certified[k] else "~"
    return f"{series.rank_exact[k]}{mark}"


def numerical_text(series, k):
    return f"{series.rank[k]}" + ("" if series.clear[k] else "?")


def failure_text(series, k):
    if series.rank_exact is None or series.exact_certified[k]:
        return ""
    return f"{series.exact_failure_bound[k]:.1e}"


def markdown_table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines


# MARK: - Figures


def save(fig, out_dir, name):
    """Lays out, writes OUT_DIR/NAME and closes the figure; returns NAME."""
    fig.tight_layout()
    fig.savefig(os.path.join(out_dir, name), dpi=90)
    plt.close(fig)
    return name


def legend_handles():
    handles = [Line2D([], [], color=COLOURS[s], linewidth=2, label=s) for s in SOURCES]
    handles += [Line2D([], [], color="black", marker="o", linestyle="-", label="exact (filled)"),
                Line2D([], [], color="black", marker="o", markerfacecolor="white", linestyle="none",
                       label="float64, gap rule (hollow)"),
                Line2D([], [], color="grey", linestyle=":", label="bound with dead-neuron and zero-input terms (train)")]
    return handles


def training_figure(width, runs, out_dir):
    """BFD / min(n·d, P − hidden) against epoch: rows optimizers, columns output variants;
    one line per seed; exact filled, numerical hollow."""
    optimizers = [o for o in OPTIMIZERS if f"w{width}-{o}" in runs]
    fig, axes = plt.subplots(len(optimizers), len(OUTPUTS), figsize=(15, 4 * len(optimizers)), squeeze=False)
    for row, optimizer in enumerate(optimizers):
        logs = runs[f"w{width}-{optimizer}"]
        for col, output in enumerate(OUTPUTS):
            ax = axes[row][col]
            for source in SOURCES:
                for log in logs:
                    s = log.bfd[source, output]
                    epochs = log.checkpoints.epoch
                    bound = bound_of(log, s)
                    if s.rank_exact is not None and output != "softmax":
                        ax.plot(epochs, s.rank_exact / bound, "-", marker="o", markersize=4, color=COLOURS[source],
                                linewidth=1)
                    ax.plot(epochs, s.rank / bound, linestyle="none", marker="o", markersize=7,
                            markerfacecolor="none", markeredgecolor=COLOURS[source])
                    if source == "train" and s.upper_bound is not None:
                        ax.plot(epochs, np.minimum(s.upper_bound, bound) / bound, ":", color="grey", linewidth=1)
            ax.set_xscale("symlog", linthresh=10)
            ax.set_xlim(left=0)
            ax.set_ylim(0, 1.05)
            ax.set_xlabel("epoch")
            ax.set_ylabel("BFD / min(n·d, P − hidden)")
            p = parameter_bound(logs[0])
            n = logs[0].bfd["train", output].n
            kind = "exact and float64" if output != "softmax" else "float64 only (exact = centred)"
            ax.set_title(f"{OPTIMIZERS[optimizer]}, {output}: {kind}\nn = {n} per set, P − hidden = {p}", fontsize=9)
    axes[0][0].legend(handles=legend_handles(), fontsize=7, loc="center right")
    first = runs[f"w{width}-sgd"][0]
    regime = "in" if first.bfd["train", "centred"].row_cap > parameter_bound(first) else "OUTSIDE"
    fig.suptitle(f"784-{width}-{width}-{width}-10 {regime} the regime n·d > P − hidden: the BFD during training, "
                 f"{len(runs[f'w{width}-sgd'])} seed(s) per optimizer, one line per seed", fontsize=10)
    return save(fig, out_dir, f"training-w{width}.png")


def width_figure(runs, out_dir):
    """BFD / bound at initialisation and at the end of training against the width."""
    fig, axes = plt.subplots(1, len(OUTPUTS), figsize=(15, 4.5), squeeze=False)
    for col, output in enumerate(OUTPUTS):
        ax = axes[0][col]
        for source in SOURCES:
            for optimizer, marker in [("sgd", "o"), ("adam", "s")]:
                widths = [w for w in WIDTHS if f"w{w}-{optimizer}" in runs]
                for when, k, style in [("initialisation", 0, ":"), ("end of training", -1, "-")]:
                    exact, numerical = [], []
                    for width in widths:
                        logs = runs[f"w{width}-{optimizer}"]
                        ratios = [(log.bfd[source, output], bound_of(log, log.bfd[source, output])) for log in logs]
                        numerical.append(np.mean([s.rank[k] / b for s, b in ratios]))
                        if output != "softmax":
                            exact.append(np.mean([s.rank_exact[k] / b for s, b in ratios]))
                    if exact:
                        ax.plot(widths, exact, style, marker=marker, color=COLOURS[source], markersize=6)
                    ax.plot(widths, numerical, linestyle="none", marker=marker, markersize=10, markerfacecolor="none",
                            markeredgecolor=COLOURS[source])
        ax.set_xticks(WIDTHS)
        ax.set_xlabel("hidden width w (three layers)")
        ax.set_ylabel("BFD / min(n·d, P − hidden), mean over seeds")
        ax.set_ylim(0, 1.05)
        ax.set_title(f"{output}", fontsize=10)
    handles = [Line2D([], [], color=COLOURS[s], linewidth=2, label=s) for s in SOURCES]
    handles += [Line2D([], [], color="black", marker="o", label="SGD"), Line2D([], [], color="black", marker="s", label="Adam"),
                Line2D([], [], color="black", linestyle="-", label="end of training (exact, filled)"),
                Line2D([], [], color="black", linestyle=":", label="initialisation (exact, filled)"),
                Line2D([], [], color="black", marker="o", markerfacecolor="white", linestyle="none", label="float64 (hollow)")]
    axes[0][0].legend(handles=handles, fontsize=7, loc="lower left")
    fig.suptitle("The BFD against the width, in the regime n·d > P − hidden (w = 5: n = 600; w = 10: n = 1,000)",
                 fontsize=10)
    return save(fig, out_dir, "width.png")


def decomposition(log, source, k):
    """(P − hidden, dead-neuron term, zero-input and dead-pair term, bound, exact, residue)
    of the logits series of `source` at checkpoint k."""
    s = log.bfd[source, "logits"]
    p = parameter_bound(log)
    bound = int(min(s.upper_bound[k], p))
    dead = dead_term(log, log.neurons[source].dead[k])
    # Where the row cap binds, the bound says nothing about the parameter-side terms.
    other = p - dead - bound if bound < s.row_cap else None
    return dict(p=p, dead=dead, other=other, bound=bound, exact=int(s.rank_exact[k]),
                residue=bound - int(s.rank_exact[k]), row_cap_binds=bound >= s.row_cap)


def decomposition_figure(runs, out_dir):
    """P − hidden, the bound with the dead-neuron terms, and the exact BFD on the training set
    against epoch: the part of the drop the bound explains and the part left."""
    fig, axes = plt.subplots(1, len(TRAINING), figsize=(16, 4.2), squeeze=False)
    for ax, name in zip(axes[0], TRAINING):
        for log in runs[name]:
            epochs = log.checkpoints.epoch
            parts = [decomposition(log, "train", k) for k in range(len(epochs))]
            p = parts[0]["p"]
            ax.plot(epochs, [1.0] * len(epochs), color="black", linewidth=1)
            ax.plot(epochs, [min(q["p"] - q["dead"], q["bound"] if q["row_cap_binds"] else p) / p for q in parts], "--",
                    color="tab:red", linewidth=1)
            ax.plot(epochs, [q["bound"] / p for q in parts], ":", color="grey", linewidth=1.5)
            ax.plot(epochs, [q["exact"] / p for q in parts], "-", marker="o", markersize=4, color="tab:blue")
        ax.set_xscale("symlog", linthresh=10)
        ax.set_xlim(left=0)
        ax.set_ylim(0, 1.05)
        ax.set_xlabel("epoch")
        ax.set_title(f"{name}: train inputs, logits", fontsize=9)
    axes[0][0].set_ylabel("fraction of P − hidden")
    handles = [Line2D([], [], color="black", label="P − hidden"),
               Line2D([], [], color="tab:red", linestyle="--", label="− dead-neuron terms"),
               Line2D([], [], color="grey", linestyle=":", label="− zero-input terms (the logged upper_bound)"),
               Line2D([], [], color="tab:blue", marker="o", label="exact BFD")]
    axes[0][0].legend(handles=handles, fontsize=7, loc="lower left")
    fig.suptitle("Decomposing the BFD on the training inputs: what dead neurons and always-zero pixels explain "
                 "(down to the dotted bound), and what is left (dotted bound to the exact BFD)", fontsize=10)
    return save(fig, out_dir, "decomposition.png")


def sampling_figure(sampling, cffd, out_dir):
    """The exact BFD on random batches of growing size at initialisation and after training,
    with P − hidden, the row cap and the CFFD estimate."""
    fig, axes = plt.subplots(1, len(SAMPLED_WIDTHS), figsize=(7 * len(SAMPLED_WIDTHS), 4.5), squeeze=False)
    for ax, width in zip(axes[0], SAMPLED_WIDTHS):
        points = sampling[width]
        sizes = np.array([log.bfd["random", "logits"].n for _, log in points])
        first = points[0][1]
        p = parameter_bound(first)
        d = layer_sizes(first)[-1]
        for k, (when, colour) in enumerate([("initialisation", "tab:purple"), ("after training", "tab:green")]):
            exact = np.array([log.bfd["random", "logits"].rank_exact[k] for _, log in points])
            certified = np.array([log.bfd["random", "logits"].exact_certified[k] for _, log in points])
            numerical = np.array([log.bfd["random", "logits"].rank[k] for _, log in points])
            epoch = int(first.checkpoints.epoch[k])
            ax.plot(sizes, exact, "-", color=colour, label=f"exact, {when} (epoch {epoch}); ! = certified")
            ax.scatter(sizes[certified], exact[certified], color=colour, marker="*", s=90, zorder=3)
            ax.scatter(sizes[~certified], exact[~certified], color=colour, marker="o", s=25, zorder=3)
            ax.scatter(sizes, numerical, facecolors="none", edgecolors=colour, s=80, zorder=2)
            estimate = cffd[width].cffd.estimate[k]
            converged = bool(cffd[width].cffd.converged[k])
            ax.axhline(estimate, color=colour, linestyle="--", linewidth=1,
                       label=f"CFFD estimate, {when}: {estimate}" + ("" if converged else " (not converged)"))
        ax.axhline(p, color="black", linewidth=1, label=f"P − hidden = {p}")
        grid = np.linspace(0, sizes.max(), 50)
        ax.plot(grid, d * grid, ":", color="grey", label="row cap n·d")
        ax.set_ylim(0, 1.1 * p)
        ax.set_xlabel("n (Gaussian N(0.5, 1) inputs)")
        ax.set_ylabel("BFD (logits)")
        ax.set_title(f"784-{width}-{width}-{width}-10, SGD seed {first.meta['seed']}: stars certified, dots with a failure bound, "
                     f"hollow float64", fontsize=8)
        ax.legend(fontsize=7, loc="lower right")
    fig.suptitle("The sampling theorem, measured: the BFD of random batches grows with n and stops at the CFFD",
                 fontsize=10)
    return save(fig, out_dir, "sampling.png")


# MARK: - Tables and verdicts


def run_table(name, logs):
    """One row per seed × checkpoint × source: accuracies, exact and float64 ranks, bounds,
    neurons."""
    header = ["seed", "epoch", "train acc.", "set", "exact logits", "float64 logits", "exact centred",
              "float64 centred", "softmax gap rule", "softmax numpy rule", "failure bound (max)", "bound",
              "P − hidden", "dead per layer", "patterns"]
    rows = []
    for log in logs:
        seed = log.meta.get("sweep_point", "")
        for k, epoch in enumerate(log.checkpoints.epoch):
            for source in SOURCES:
                lo, ce, so = (log.bfd[source, o] for o in OUTPUTS)
                failures = [f for f in (failure_text(lo, k), failure_text(ce, k)) if f]
                rows.append([seed, int(epoch), f"{log.checkpoints.train_accuracy[k]:.3f}", source,
                             exact_text(lo, k), numerical_text(lo, k), exact_text(ce, k), numerical_text(ce, k),
                             numerical_text(so, k), f"{so.rank_numpy[k]}", max(failures, default="0 (certified)"),
                             f"{int(lo.upper_bound[k])}", parameter_bound(log),
                             " ".join(str(int(v)) for v in log.neurons[source].dead[k]),
                             int(log.neurons[source].patterns[k])])
    return [f"### {name}", ""] + markdown_table(header, rows) + [""]


def decomposition_table(runs):
    header = ["run", "seed", "epoch", "P − hidden", "dead-neuron terms", "zero-input (and dead-pair) terms",
              "bound", "exact BFD", "left after the bound (geometric)"]
    rows = []
    for name in TRAINING:
        for log in runs[name]:
            for k in (0, len(log.checkpoints.epoch) - 1):
                q = decomposition(log, "train", k)
                other = "row cap binds" if q["other"] is None else q["other"]
                rows.append([name, log.meta.get("sweep_point", ""), int(log.checkpoints.epoch[k]), q["p"], q["dead"],
                             other, q["bound"], exact_text(log.bfd["train", "logits"], k), q["residue"]])
    return markdown_table(header, rows)


def sampling_table(sampling, cffd):
    header = ["width", "n", "row cap n·d", "P − hidden", "exact at init", "float64 at init", "exact after training",
              "float64 after training", "failure bound (max)"]
    rows = []
    for width in SAMPLED_WIDTHS:
        for _, log in sampling[width]:
            s = log.bfd["random", "logits"]
            failures = [f for f in (failure_text(s, 0), failure_text(s, -1)) if f]
            rows.append([width, s.n, s.row_cap, parameter_bound(log), exact_text(s, 0), numerical_text(s, 0),
                         exact_text(s, -1), numerical_text(s, -1), max(failures, default="0 (certified)")])
    lines = markdown_table(header, rows) + [""]
    for width in SAMPLED_WIDTHS:
        c = cffd[width].cffd
        for k, when in [(0, "initialisation"), (-1, "after training")]:
            sizes = [int(v) for v in c.sizes[k] if v >= 0]
            ranks = [int(v) for v in c.ranks[k] if v >= 0]
            lines.append(f"- w = {width}, CFFD estimate at {when}: {c.estimate[k]}"
                         + ("" if c.converged[k] else " (not converged: a lower bound)")
                         + " from sizes " + ", ".join(f"n = {n} → {r}" for n, r in zip(sizes, ranks)) + ".")
    return lines


def fraction(values):
    return f"{np.mean(values):.3f}" + (f" [{np.min(values):.3f}–{np.max(values):.3f}]" if len(values) > 1 else "")


def verdicts(runs):
    """One sentence per question, with the numbers behind it."""
    lines = []

    def change(source, output="logits"):
        facts = []
        for width in WIDTHS:
            logs = [log for o in OPTIMIZERS for log in runs.get(f"w{width}-{o}", [])]
            ratios = [log.bfd[source, output].rank_exact / bound_of(log, log.bfd[source, output]) for log in logs]
            start = [r[0] for r in ratios]
            end = [r[-1] for r in ratios]
            peak = [r.max() for r in ratios]
            lower = sum(e < s for s, e in zip(start, end))
            below_peak = sum(e < p for p, e in zip(peak, end))
            facts.append(dict(width=width, start=start, end=end, peak=peak, lower=lower, below_peak=below_peak,
                              count=len(logs)))
        return facts

    def sentence(facts):
        parts = []
        for f in facts:
            parts.append(f"w = {f['width']}: {fraction(f['start'])} of the bound at initialisation, "
                         f"{fraction(f['peak'])} at its largest checkpoint, {fraction(f['end'])} at the end; "
                         f"lower at the end than at initialisation in {f['lower']} of {f['count']} runs, "
                         f"than at its largest in {f['below_peak']} of {f['count']}")
        return "; ".join(parts)

    def answer(facts):
        lower = sum(f["lower"] for f in facts)
        count = sum(f["count"] for f in facts)
        return "Yes" if lower == count else ("No" if lower == 0 else f"In {lower} of {count} runs")

    for source, question in [("train", "Does the exact BFD fall during training on the training inputs?"),
                             ("test", "On test inputs?")]:
        facts = change(source)
        lines.append(f"- **{question}** {answer(facts)} (exact, logits, BFD / min(n·d, P − hidden): {sentence(facts)}).")
    facts = change("random")
    lower = sum(f["lower"] for f in facts)
    count = sum(f["count"] for f in facts)
    answer_random = "It does not fall" if lower == 0 else (
        "It falls there too" if lower == count else f"It falls in {lower} of {count} runs")
    lines.append(f"- **Not on random inputs, as the paper claims?** {answer_random} "
                 f"(exact, logits: {sentence(facts)}).")
    residues = []
    for name in TRAINING:
        for log in runs[name]:
            q = decomposition(log, "train", -1)
            residues.append((q["residue"], q["bound"] - q["exact"], q["p"] - q["bound"], q["p"]))
    binds = sum(decomposition(log, "train", -1)["row_cap_binds"] for name in TRAINING for log in runs[name])
    if binds:
        lines.append(f"- (In {binds} run(s) the row cap, not P − hidden, bounds the training-set BFD: outside the "
                     "regime, the decomposition below is not informative there.)")
    lines.append("- **How much of the drop on the training inputs do dead neurons and always-zero pixels explain?** "
                 f"At the end of training the bound with those terms lies {fraction([r[2] / r[3] for r in residues])} "
                 f"of P − hidden below P − hidden; the exact BFD lies a further {fraction([r[0] / r[3] for r in residues])} "
                 "below that bound with every counted term removed: that part is geometric.")
    # Numerical softmax under the paper's (numpy) rule against the exact centred rank.
    differences, agree = [], 0
    for name in TRAINING:
        for log in runs[name]:
            for source in SOURCES:
                numpy_rank = log.bfd[source, "softmax"].rank_numpy
                exact = log.bfd[source, "centred"].rank_exact
                differences += list(numpy_rank - exact)
                agree += int(np.sum(numpy_rank == exact))
    differences = np.array(differences)
    lines.append(f"- **Does the numerical softmax picture (numpy's matrix_rank rule) agree with it?** "
                 f"{'Yes' if agree == len(differences) else 'Not everywhere'}: it equals the exact centred rank at "
                 f"{agree} of {len(differences)} (run, checkpoint, set) measurements; numpy-rule minus exact ranges from "
                 f"{differences.min()} to {differences.max()} (median {np.median(differences):.0f}).")
    uncertified = [log.bfd[s, o].exact_failure_bound[k] for name in TRAINING for log in runs[name] for s in SOURCES
                   for o in ("logits", "centred") for k in range(len(log.checkpoints.epoch))
                   if not log.bfd[s, o].exact_certified[k]]
    total = sum(len(log.checkpoints.epoch) * len(SOURCES) * 2 for name in TRAINING for log in runs[name])
    lines.append(f"- **How sure are these ranks?** {total - len(uncertified)} of {total} exact ranks are certified; "
                 f"the other {len(uncertified)} hold except with probability at most "
                 f"{max(uncertified, default=0):.1e} each (the rank modulo a prime can only be too low).")
    return lines


def main():
    args = sweep_jobs.parse_report_arguments(__doc__.splitlines()[0], "smoke size: 100 inputs per set, 4 epochs, one seed")
    runs_dir, report = sweep_jobs.report_paths(args, "demonstrate", "demonstration")
    common = [f"logging.runs_directory={runs_dir}", "threads=1"]
    sweeps = {}
    for name in EXPERIMENTS:
        overrides, sets = QUICK[name] if args.quick else ([], [])
        sweeps[name] = sweep_jobs.Sweep(os.path.join("configs", "demonstrate", name + ".yaml"), args.geodim,
                                        common + overrides, sets)
    state_path = os.path.join(runs_dir, "demonstrate-state.json")

    if args.report_only:
        state = sweep_jobs.load_state(state_path, "demonstration")
    else:
        start = time.monotonic()
        state = sweep_jobs.run_sweeps(sweeps, args, runs_dir, "demonstrate")
        state["wall_s"] = time.monotonic() - start
        with open(state_path, "w") as f:
            json.dump(state, f, indent=1)

    runs = {name: [read_log(path) for _, path in sweeps[name].logs()] for name in TRAINING}
    sampling = {w: [(values, read_log(path)) for values, path in sweeps[f"sampling-w{w}"].logs()] for w in SAMPLED_WIDTHS}
    cffd = {w: read_log(sweeps[f"cffd-w{w}"].logs()[0][1]) for w in SAMPLED_WIDTHS}
    figures = [training_figure(w, runs, report) for w in WIDTHS]
    figures += [width_figure(runs, report), decomposition_figure(runs, report), sampling_figure(sampling, cffd, report)]

    lines = ["# Demonstration results (generated by scripts/demonstrate.py; do not edit)", "",
             "Every number below is read from the logs by `scripts/demonstrate.py`; docs/demonstration.md says "
             "what they mean. `r!` certified exact, `r~` exact with the failure bound given, `r?` float64 without "
             "a clear gap. Bounds are min(n·d, P − hidden) for logits and min(n·(d − 1), P − hidden) for centred "
             "and softmax; `bound` is the logged upper_bound (dead neurons and always-zero inputs removed).", ""]
    if args.quick:
        lines += ["**Quick variant**: 100 inputs per set after 4 epochs, outside the regime n·d > P − hidden; "
                  "a smoke test of the pipeline, not a result.", ""]
    lines += ["## Verdicts", ""] + verdicts(runs) + [""]
    lines += ["## Decomposition of the BFD on the training inputs (logits)", "", *decomposition_table(runs), ""]
    lines += ["## The sampling theorem: random batches of growing size (logits)", "", *sampling_table(sampling, cffd), ""]
    lines += ["## Every measurement", ""]
    for name in TRAINING:
        lines += run_table(name, runs[name])
    lines += ["Figures: " + ", ".join(f"`{name}`" for name in figures), ""]
    all_logs = [log for name in TRAINING for log in runs[name]] + [log for w in SAMPLED_WIDTHS for _, log in sampling[w]]
    all_logs += list(cffd.values())
    lines += sweep_jobs.provenance(all_logs, state)
    with open(os.path.join(report, "results.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"demonstrate: figures and results.md in {os.path.relpath(report, ROOT)}", flush=True)
    if "wall_s" in state and not args.report_only:
        print(f"demonstrate: total wall time {state['wall_s'] / 60:.1f} min", flush=True)


if __name__ == "__main__":
    main()
