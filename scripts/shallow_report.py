#!/usr/bin/env python3
"""Issue 17: shallow networks on 1-D regression. Runs configs/shallow/*.yaml and writes
docs/shallow.md with its figures, from the logs alone.

    python3 scripts/shallow_report.py            # full: runs/shallow, docs/shallow.md, docs/shallow/
    python3 scripts/shallow_report.py --quick    # minutes: fewer seeds, sizes, widths and steps
    python3 scripts/shallow_report.py --report-only [--quick]   # redraw from the existing logs

(a) Local dimension and regions seen (configs/shallow/regions.yaml): 1-100-1 ReLU networks on
    10-150 points of a piecewise-linear target, SGD and Adam, 20 seeds per configuration. At
    every checkpoint: the exact BFD on all training points (rank mod random primes, a proven
    lower bound, equal to the float64 rank where both are logged) against the regions the points
    fall into; the bound rank <= 2 x regions checked in every run at every checkpoint; Pearson
    correlations.
(b) Heiss, Teichmann & Wutte (configs/shallow/heiss.yaml): random frozen first layer, ridge on
    the last layer, widths 10^2, 10^3, 10^4, five seeds; the sup distance on the data's span
    between the trained network and the cubic smoothing spline scipy computes
    (scipy.interpolate.make_smoothing_spline) with lam = 2·R·N·wd / n, and the slope of
    log sup-distance against log width.

Every run is `geodim train CONFIG overrides --run-dir DIR`; a directory whose log is complete is
not run again. Runs go `--jobs` at a time (default: cores), each on one BLAS thread.
"""
import argparse
import concurrent.futures
import json
import os
import subprocess
import sys
import time

import h5py
import numpy as np
from scipy.interpolate import make_smoothing_spline

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

FULL = {
    "regions": {"sizes": [10, 25, 50, 100, 150], "seeds": 20, "epochs": 1000, "every": 100},
    "heiss": {"widths": [100, 1000, 10000], "seeds": 5, "epochs": 20000, "lam": 1e-2},
}
QUICK = {
    "regions": {"sizes": [10, 50], "seeds": 3, "epochs": 200, "every": 50},
    "heiss": {"widths": [10, 100, 1000], "seeds": 2, "epochs": 4000, "lam": 1e-2},
}
OPTIMIZERS = {
    "sgd": ["optimizer.name=sgd", "optimizer.lr=0.05"],
    "adam": ["optimizer.name=adam", "optimizer.lr=0.003"],
}


def fail(message):
    sys.exit(f"shallow_report.py: {message}")


# MARK: - Running


def completed(run_dir):
    path = os.path.join(run_dir, "log.h5")
    if not os.path.exists(path):
        return False
    try:
        with h5py.File(path, "r") as f:
            return f.attrs.get("status") in ("completed", b"completed")
    except OSError:
        return False


def run_all(jobs, geodim, workers):
    """jobs: [(run_dir, config, overrides)]. Runs the unfinished ones; returns their wall time."""
    todo = [j for j in jobs if not completed(j[0])]
    start = time.time()

    def run(job):
        run_dir, config, overrides = job
        if os.path.exists(run_dir):  # an unfinished run: start it again from scratch
            subprocess.run(["rm", "-rf", run_dir], check=True)
        os.makedirs(os.path.dirname(run_dir), exist_ok=True)
        result = subprocess.run([geodim, "train", config, *overrides, "--run-dir", run_dir],
                                cwd=ROOT, capture_output=True, text=True)
        if result.returncode != 0:
            fail(f"geodim train {config} {' '.join(overrides)} failed:\n{result.stderr}{result.stdout[-2000:]}")

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for _ in pool.map(run, todo):
            pass
    return time.time() - start, len(todo)


def regions_jobs(settings, runs):
    jobs = []
    for optimizer, overrides in OPTIMIZERS.items():
        for size in settings["sizes"]:
            for seed in range(settings["seeds"]):
                run_dir = os.path.join(runs, "regions", f"{optimizer}-n{size}-s{seed}")
                jobs.append((run_dir, "configs/shallow/regions.yaml", overrides + [
                    f"seed={seed}", f"data.train_size={size}", f"training.epochs={settings['epochs']}",
                    f"checkpoints.every={settings['every']}"]))
    return jobs


def heiss_parameters(width, settings, points=20, kink_range=2.0):
    """The weight decay that maps ridge onto lam·∫f''² (docs/shallow.md) and a stable step."""
    return settings["lam"] * width / (2 * kink_range * points), 1 / (1.2 * width)


def heiss_jobs(settings, runs):
    jobs = []
    for width in settings["widths"]:
        wd, lr = heiss_parameters(width, settings)
        for seed in range(settings["seeds"]):
            run_dir = os.path.join(runs, "heiss", f"w{width}-s{seed}")
            jobs.append((run_dir, "configs/shallow/heiss.yaml", [
                f"seed={seed}", f"model.hidden=[{width}]", f"optimizer.weight_decay={wd!r}", f"optimizer.lr={lr!r}",
                f"training.epochs={settings['epochs']}", f"checkpoints.epochs=[0, {settings['epochs']}]"]))
    return jobs


# MARK: - Reading


def config_value(f, section, key):
    """A scalar of the resolved config stored in /meta/config_yaml (two-level YAML)."""
    text = f["meta/config_yaml"].asstr()[()]
    current = None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, _, value = line.strip().partition(":")
        if not line.startswith(" "):
            current = name
        elif current == section and name == key:
            return value.strip()
    raise KeyError(f"{section}.{key}")


def network(f, k, x):
    """The network of checkpoint k at 1-D points x (float64, from the logged parameters)."""
    layers = len(f["meta"].attrs["layer_sizes"]) - 1
    a = np.asarray(x, float)[:, None]
    for l in range(layers):
        w = f[f"params/layer{l}/weight"][k].astype(float)
        b = f[f"params/layer{l}/bias"][k].astype(float)
        a = a @ w.T + b
        if l < layers - 1:
            a = np.maximum(a, 0)
    return a[:, 0]


def read_regions(run_dir):
    with h5py.File(os.path.join(run_dir, "log.h5"), "r") as f:
        g = f["checkpoints/bfd/train_logits"]
        r = f["checkpoints/regions"]
        return {
            "epoch": f["checkpoints/epoch"][:], "exact": g["rank_exact"][:], "rank": g["rank"][:],
            "certified": g["exact_certified"][:], "failure": g["exact_failure_bound"][:],
            "regions": r["regions_seen"][:], "distinct": r["distinct_kinks_in_range"][:],
            "kinks_in_range": r["kinks_in_range"][:], "loss": f["checkpoints/train_loss"][:],
            "n": int(g.attrs["n"]), "bound": g["upper_bound"][:],
        }


def read_heiss(run_dir):
    with h5py.File(os.path.join(run_dir, "log.h5"), "r") as f:
        x = f["data/synthetic/train_x"][:, 0].astype(float)
        y = f["data/synthetic/train_y"][:].astype(float)
        width = int(f["meta"].attrs["layer_sizes"][1])
        wd = float(config_value(f, "optimizer", "weight_decay"))
        kink_range = float(config_value(f, "model", "kink_range"))
        points = len(x)
        lam = 2 * kink_range * points * wd / width
        order = np.argsort(x)
        spline = make_smoothing_spline(x[order], y[order], lam=lam)
        grid = np.linspace(x.min(), x.max(), 2001)
        trained = network(f, -1, grid)
        # The exact ridge minimiser for this first layer, by numpy: how far training is from it.
        w0 = f["params/layer0/weight"][-1][:, 0].astype(float)
        b0 = f["params/layer0/bias"][-1].astype(float)
        features = np.hstack([np.maximum(np.outer(x, w0) + b0, 0), np.ones((points, 1))])
        # (AᵀA/N + wd·I) θ = Aᵀy/N, solved on the N × N side: θ = Aᵀ (AAᵀ + N·wd·I)⁻¹ y.
        theta = features.T @ np.linalg.solve(features @ features.T + points * wd * np.eye(points), y)
        ridge = np.hstack([np.maximum(np.outer(grid, w0) + b0, 0), np.ones((len(grid), 1))]) @ theta
        trained_rank = f["checkpoints/bfd_trained/train_rank"][-1]
        return {
            "width": width, "lam": lam, "wd": wd, "x": x, "y": y, "grid": grid, "trained": trained,
            "spline": spline(grid), "sup": float(np.abs(trained - spline(grid)).max()),
            "optimisation": float(np.abs(trained - ridge).max()),
            "kinks": -b0 / w0, "trained_rank": int(trained_rank), "points": points,
        }


# MARK: - Report


def regions_report(settings, runs, out_dir):
    rows, lines = [], []
    all_exact, all_regions = [], []
    violations, checks, disagreements, uncertified_bound, float_above = 0, 0, 0, 0.0, 0
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    for optimizer in OPTIMIZERS:
        for size in settings["sizes"]:
            logs = [read_regions(os.path.join(runs, "regions", f"{optimizer}-n{size}-s{s}"))
                    for s in range(settings["seeds"])]
            exact = np.concatenate([l["exact"] for l in logs])
            regions = np.concatenate([l["regions"] for l in logs])
            rank = np.concatenate([l["rank"] for l in logs])
            violations += int(np.sum(exact > 2 * regions))
            checks += len(exact)
            disagreements += int(np.sum(exact != rank))
            float_above += int(np.sum(rank > exact))
            failure = np.concatenate([l["failure"] for l in logs])
            uncertified_bound = max(uncertified_bound, float(np.nanmax(failure)))
            final_exact = np.array([l["exact"][-1] for l in logs])
            final_regions = np.array([l["regions"][-1] for l in logs])
            corr_all = float(np.corrcoef(exact, regions)[0, 1]) if np.std(regions) > 0 and np.std(exact) > 0 else float("nan")
            corr_final = (float(np.corrcoef(final_exact, final_regions)[0, 1])
                          if np.std(final_regions) > 0 and np.std(final_exact) > 0 else float("nan"))
            ratio = float(np.max(exact / (2.0 * regions)))
            loss = float(np.median([l["loss"][-1] for l in logs]))
            rows.append((optimizer, size, len(logs), int(np.sum(exact > 2 * regions)), ratio, corr_all, corr_final,
                         float(np.mean(final_exact)), float(np.mean(final_regions)),
                         float(np.mean([l["distinct"][-1] for l in logs])), loss))
            all_exact.append(exact)
            all_regions.append(regions)
            ax = axes[0 if optimizer == "sgd" else 1]
            ax.scatter(regions, exact, s=8, alpha=0.5, label=f"n = {size}")
    for ax, optimizer in zip(axes, OPTIMIZERS):
        top = max(int(np.max(np.concatenate(all_regions))), 1)
        ax.plot([0, top], [0, 2 * top], "k--", lw=1, label="2 × regions")
        ax.set_xlabel("regions seen by the training points")
        ax.set_ylabel("exact BFD (rank of J mod p)")
        ax.set_title(f"1-100-1, {optimizer}: every checkpoint of every seed")
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(os.path.join(out_dir, "regions.png"), dpi=110)
    plt.close(fig)
    exact, regions = np.concatenate(all_exact), np.concatenate(all_regions)
    pooled = float(np.corrcoef(exact, regions)[0, 1])
    corrs = [r[5] for r in rows if np.isfinite(r[5])]
    lines.append("| optimiser | points | runs | bound violations | max rank / (2 × regions) | corr (all checkpoints) "
                 "| corr (final, across seeds) | final exact BFD (mean) | final regions (mean) "
                 "| final distinct kinks in range (mean) | final train loss (median) |")
    lines.append("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        lines.append(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} | {r[4]:.3f} | {r[5]:.3f} | {r[6]:.3f} | {r[7]:.1f} "
                     f"| {r[8]:.1f} | {r[9]:.1f} | {r[10]:.2e} |")
    summary = {
        "checks": checks, "violations": violations, "pooled_correlation": pooled,
        "correlation_range": [min(corrs), max(corrs)] if corrs else [float("nan")] * 2,
        "exact_vs_float64_disagreements": disagreements, "float64_above_exact": float_above,
        "max_failure_bound": uncertified_bound,
        "runs": sum(r[2] for r in rows),
    }
    return lines, summary


def heiss_report(settings, runs, out_dir):
    logs = {w: [read_heiss(os.path.join(runs, "heiss", f"w{w}-s{s}")) for s in range(settings["seeds"])]
            for w in settings["widths"]}
    widths = np.array([w for w in settings["widths"] for _ in logs[w]], float)
    sups = np.array([l["sup"] for w in settings["widths"] for l in logs[w]])
    slope, intercept = np.polyfit(np.log10(widths), np.log10(sups), 1)
    lines = ["| width n | weight decay | lam (scipy) | sup distance to the spline (median, min-max over seeds) "
             "| sup distance to the exact ridge minimiser (max) | rank of J over the last layer (train) |",
             "|---|---|---|---|---|---|"]
    for w in settings["widths"]:
        s = np.array([l["sup"] for l in logs[w]])
        opt = max(l["optimisation"] for l in logs[w])
        lines.append(f"| {w} | {logs[w][0]['wd']:.4g} | {logs[w][0]['lam']:.3g} | {np.median(s):.3e} "
                     f"({s.min():.2e}-{s.max():.2e}) | {opt:.1e} | {logs[w][0]['trained_rank']} / {logs[w][0]['points']} |")
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    ax = axes[0]
    ax.loglog(widths, sups, "o", alpha=0.6, label="runs")
    fit = np.array([widths.min(), widths.max()])
    ax.loglog(fit, 10 ** (intercept + slope * np.log10(fit)), "k--", label=f"fit: slope {slope:.2f}")
    ax.set_xlabel("width n")
    ax.set_ylabel("sup |network − smoothing spline| on the data's span")
    ax.set_title("random frozen first layer, ridge on the last")
    ax.legend()
    ax = axes[1]
    first = logs[settings["widths"][0]][0]
    ax.plot(first["x"], first["y"], "k.", label="data (seed 0)")
    ax.plot(first["grid"], first["spline"], "k-", lw=2, alpha=0.4, label=f"smoothing spline, lam {first['lam']:.3g}")
    for w in settings["widths"]:
        l = logs[w][0]
        ax.plot(l["grid"], l["trained"], lw=1, label=f"network, n = {w}")
    small = logs[settings["widths"][0]][0]
    inside = small["kinks"][(small["kinks"] >= small["x"].min()) & (small["kinks"] <= small["x"].max())]
    ax.plot(inside, np.full_like(inside, ax.get_ylim()[0]), "|", color="tab:blue", ms=10,
            label=f"kinks, n = {settings['widths'][0]}")
    ax.set_xlabel("x")
    ax.legend(fontsize=7)
    ax.set_title("seed 0: networks and the spline")
    fig.tight_layout()
    fig.savefig(os.path.join(out_dir, "heiss.png"), dpi=110)
    plt.close(fig)
    summary = {"slope": float(slope), "runs": int(len(sups)),
               "median_sup": {int(w): float(np.median([l["sup"] for l in logs[w]])) for w in settings["widths"]},
               "max_optimisation_error": float(max(l["optimisation"] for w in logs for l in logs[w]))}
    return lines, summary


def write_report(path, quick, settings, regions, heiss, wall, figures_rel, run_times):
    r_lines, r = regions
    h_lines, h = heiss
    widths = settings["heiss"]["widths"]
    med = h["median_sup"]
    verdict_a = (f"**Holds:** the exact BFD never exceeds 2 × regions seen — {r['violations']} violations in "
                 f"{r['checks']} checkpoints of {r['runs']} runs — and it tracks the regions with Pearson correlation "
                 f"{r['correlation_range'][0]:.2f}–{r['correlation_range'][1]:.2f} per configuration "
                 f"({r['pooled_correlation']:.2f} pooled).") if r["violations"] == 0 else (
                 f"**Fails:** {r['violations']} of {r['checks']} checkpoints have an exact BFD above 2 × regions seen.")
    verdict_b = (f"**Holds:** the trained network approaches the smoothing spline as the width grows, sup distance "
                 f"{med[widths[0]]:.2e} → {med[widths[-1]]:.2e} (median over seeds) from n = {widths[0]} to "
                 f"{widths[-1]}, fitted slope {h['slope']:.2f} in log-log, with training at its ridge minimiser "
                 f"(largest distance {h['max_optimisation_error']:.1e}).") if h["slope"] < -0.2 else (
                 f"**Not supported:** the fitted slope of log sup-distance against log width is {h['slope']:.2f}.")
    timing = (f"{run_times['runs']} runs in {run_times['seconds']:.0f} s ({run_times['jobs']} at a time on "
              f"{run_times['cores']} cores), then {wall:.0f} s for this report's analysis and figures"
              if run_times else f"{wall:.0f} s for the analysis and figures")
    text = f"""# Shallow networks on 1-D regression: linear regions and the spline limit

Generated by `python3 scripts/shallow_report.py{' --quick' if quick else ''}` (`make shallow`) from the logs in
`runs/shallow{'-quick' if quick else ''}`. Wall time: {timing}. {'**Quick variant: fewer seeds, sizes, widths and steps than the full report.**' if quick else ''}

## Verdicts

- **Local dimension vs regions seen (arXiv 2402.08269v2):** {verdict_a}
- **Spline limit (Heiss, Teichmann & Wutte, arXiv 1911.02903):** {verdict_b}

## (a) Exact BFD against the linear regions the training points perceive

Setting (`configs/shallow/regions.yaml`): 1-100-1 ReLU network (He-normal weights, zero biases), half-MSE on
`data.train_size` ∈ {settings['regions']['sizes']} points drawn uniformly on [−1, 1] from the piecewise-linear
target through (−1, 0), (−0.5, 1), (0, −0.5), (0.5, 0.5), (1, 0) plus N(0, 0.05²) noise; batch 10,
{settings['regions']['epochs']} epochs, SGD (lr 0.05) and Adam (lr 0.003), {settings['regions']['seeds']} seeds per
configuration, float64 training. At every checkpoint (every {settings['regions']['every']} epochs, epoch 0 included) the
log holds the exact BFD on all training points (`rank_exact`: the rank of J modulo random 23-bit primes, a proven
lower bound on the rank over ℚ), the float64 rank beside it, and the regions seen (`/checkpoints/regions/regions_seen`).

{chr(10).join(r_lines)}

- Bound checks: {r['checks']} (every checkpoint of every run); violations: {r['violations']}.
- The exact rank and the float64 (Gram, gap rule) rank disagree at {r['exact_vs_float64_disagreements']} checkpoints
  ({r['float64_above_exact']} of them with the float64 rank above the exact one, the rest below it: singular values the
  float64 spectrum's gap rule cut off, which the exact rank, a proof of a lower bound, counts); the
  largest logged failure bound of an exact rank is {r['max_failure_bound']:.1e} (the probability that the true rank
  exceeds it).
- Why the bound must hold: for f(x) = Σ_j v_j relu(w_j x + b_j) + c the Jacobian row of a point x_i is
  [v_j a_ij x_i, v_j a_ij, a_ij (w_j x_i + b_j), 1]_j with a_ij the fixed pattern of its region, i.e. u_R + x_i t_R:
  the rows of one region span at most two dimensions. The experiment checks the code against that theorem, not the
  theorem.
- Correlations are Pearson's r between the exact BFD and regions seen, over every checkpoint of every seed of a
  configuration, and over the final checkpoints across seeds (NaN when one side is constant).

![exact BFD against regions seen]({figures_rel}/regions.png)

## (b) The spline limit of a random-feature network

Setting (`configs/shallow/heiss.yaml`): 1-n-1, first layer random and frozen (`model.init: random_features`,
`training.freeze: [0]`: weights ±1 with fair signs, biases U(−R, R), R = 2, so the kinks ξ = −b/w are i.i.d. uniform
on [−2, 2] and E[w² | ξ] = 1), last layer (weights and output bias) trained from zero with half-MSE and weight
decay wd, full batch, heavy-ball SGD (momentum 0.99, lr 1/(1.2 n)), {settings['heiss']['epochs']} steps, float64. Data: N = 20
points uniform on [−1, 1], y = sin(πx) + N(0, 0.1²). Widths {widths}, {settings['heiss']['seeds']} seeds each.

The mapping to the spline. Ridge on the last layer minimises (1/2N) Σ_i (f(x_i) − y_i)² + (wd/2) ‖θ‖². A neuron
with kink ξ_k adds w_k |v_k| to f'' at ξ_k; spreading a curvature density φ over the n·g_ξ(x)dx neurons with kinks in
dx at least cost gives ‖w‖² ≈ (1/n) ∫ φ² / g with g(x) = g_ξ(x) E[v² | ξ = x] (the paper's weighting); here
g = 1/(2R) on [−R, R], so the penalty is (wd/2)(2R/n) ∫ f''². Affine functions cost nothing in the limit (pairs of
neurons with opposite signs at one kink make x − ξ with zero curvature), so the output bias's own decay vanishes
too. Multiplying by 2N: Σ (f(x_i) − y_i)² + lam ∫ f''², lam = 2·R·N·wd / n, which is scipy's
`make_smoothing_spline(x, y, lam=lam)`. The report sets wd = lam·n/(2RN) with lam = {settings['heiss']['lam']} at every
width, so the target spline is the same; the sup distance is taken on 2001 points of [min x_i, max x_i]. The limit
holds in the sense of the paper's theorem (λ̃ = λ·n·g(0) there); the derivation here is our own reading of it, and
the distance at finite n has two parts the table separates: optimisation (trained vs the exact ridge minimiser
numpy computes for the same first layer) and width (ridge minimiser vs spline), the second expected to shrink like
the Monte-Carlo error of the kink density, n^(−1/2).

{chr(10).join(h_lines)}

- Fitted slope of log₁₀ sup-distance against log₁₀ n over all runs: {h['slope']:.3f}.

![sup distance against width, and the functions]({figures_rel}/heiss.png)

## One run of each, as `scripts/plot_run.py` draws it

Adam on {settings['regions']['sizes'][-1]} points (seed 0): BFD per checkpoint, losses, and the learned function against
the data, the noise-free target and scipy's smoothing spline (GCV), kinks −b/w marked on the x axis:

![one regions run]({figures_rel}/run-regions.png)

The random-feature network at width {widths[1]} (seed 0), with the spline of the mapping above:

![one Heiss run]({figures_rel}/run-heiss.png)

## Reproduce

    make shallow                 # this report, full size (docs/shallow.md, docs/shallow/*.png)
    python3 scripts/shallow_report.py --quick --output /tmp/shallow   # the test suite's variant
    python3 scripts/plot_run.py runs/shallow/heiss/w1000-s0/log.h5 -o heiss-run.png   # one run: function, data, spline, kinks
"""
    with open(path, "w") as f:
        f.write(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="minutes: fewer seeds, sizes, widths and steps")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--geodim", default=os.path.join(ROOT, ".build", "release", "geodim"))
    parser.add_argument("--report-only", action="store_true")
    parser.add_argument("--output", default=None,
                        help="directory for runs/ and report/ (default: runs/shallow and docs/ for the full report, "
                             "runs/shallow-quick for --quick)")
    args = parser.parse_args()
    settings = QUICK if args.quick else FULL
    if args.output:
        runs, out_dir, report = os.path.join(args.output, "runs"), os.path.join(args.output, "report"), None
    elif args.quick:
        base = os.path.join(ROOT, "runs", "shallow-quick")
        runs, out_dir, report = os.path.join(base, "runs"), os.path.join(base, "report"), None
    else:
        runs, out_dir = os.path.join(ROOT, "runs", "shallow"), os.path.join(ROOT, "docs", "shallow")
        report = os.path.join(ROOT, "docs", "shallow.md")
    report = report or os.path.join(out_dir, "shallow.md")
    figures_rel = os.path.relpath(out_dir, os.path.dirname(report))
    os.makedirs(out_dir, exist_ok=True)
    start = time.time()
    if not args.report_only:
        if not os.access(args.geodim, os.X_OK):
            fail(f"{args.geodim}: not built (hint: swift build -c release)")
        seconds, count = run_all(regions_jobs(settings["regions"], runs) + heiss_jobs(settings["heiss"], runs),
                                 args.geodim, args.jobs)
        print(f"shallow_report.py: {count} runs in {seconds:.0f} s")
        if count > 0:
            with open(os.path.join(runs, "run-times.json"), "w") as f:
                json.dump({"seconds": seconds, "runs": count, "jobs": args.jobs, "cores": os.cpu_count()}, f)
    times_path = os.path.join(runs, "run-times.json")
    run_times = json.load(open(times_path)) if os.path.exists(times_path) else None
    # One run of each experiment as scripts/plot_run.py draws it (the learned function, data, spline, kinks).
    examples = [(os.path.join(runs, "regions", f"adam-n{settings['regions']['sizes'][-1]}-s0"), "run-regions.png"),
                (os.path.join(runs, "heiss", f"w{settings['heiss']['widths'][1]}-s0"), "run-heiss.png")]
    for run_dir, name in examples:
        subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "plot_run.py"), run_dir, "-o",
                        os.path.join(out_dir, name)], check=True, capture_output=True)
    regions = regions_report(settings["regions"], runs, out_dir)
    heiss = heiss_report(settings["heiss"], runs, out_dir)
    wall = time.time() - start
    write_report(report, args.quick, settings, regions, heiss, wall, figures_rel, run_times)
    state = {"regions": regions[1], "heiss": heiss[1], "wall_time_s": wall, "quick": args.quick, "run_times": run_times}
    with open(os.path.join(out_dir, "shallow-state.json"), "w") as f:
        json.dump(state, f, indent=1)
    print(json.dumps(state))


if __name__ == "__main__":
    main()
