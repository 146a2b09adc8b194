"""Running the sweeps of a report script (scripts/reproduce.py, scripts/demonstrate.py): one
`geodim sweep CONFIG --index i` per point, `workers` at a time, each on one BLAS thread.
Finished points are skipped and stopped ones resumed by geodim itself, so a report that was
interrupted continues where it stopped when run again."""
import concurrent.futures
import json
import os
import re
import subprocess
import sys
import time

import geodim_log  # noqa: E402  (scripts/, next to this file)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def fail(message):
    """Stops the calling script with one line naming it."""
    sys.exit(f"{os.path.basename(sys.argv[0])}: {message}")


def run_quiet(command):
    """Runs a command from the repository root; its stdout, or a failure naming it."""
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        fail(f"{' '.join(command)} failed ({result.returncode}):\n{result.stderr.strip()}")
    return result.stdout


class Sweep:
    """One sweep config: its points (from `geodim sweep --list --json`) and their logs.
    `overrides` are key=value overrides of the base config, `sets` command-line axes
    (`--set key=v1,v2`)."""

    def __init__(self, config, geodim, overrides, sets=()):
        self.config = config
        self.overrides = list(overrides)
        self.arguments = self.overrides + [part for axis in sets for part in ("--set", axis)]
        listing = run_quiet([geodim, "sweep", config, *self.arguments, "--list", "--json"])
        try:
            points = json.loads(listing)
            self.count = len(points)
            self.directory = os.path.dirname(points[0]["directory"])
        except (ValueError, LookupError, TypeError) as error:
            fail(f"{config}: cannot read the sweep listing ({error}): {listing[:200]!r}")

    def commands(self, geodim):
        """The `geodim sweep … --index i` command of every point."""
        return [[geodim, "sweep", self.config, *self.arguments, "--index", str(i)] for i in range(self.count)]

    def logs(self):
        """(values of the swept keys, log path) of every point, in index order."""
        try:
            sweep = geodim_log.read_sweep(self.directory)
        except geodim_log.LogError as error:
            fail(str(error))
        return [(p.values, p.log_path) for p in sweep.points]


def run_jobs(jobs, workers, log_dir):
    """Runs (label, command) jobs `workers` at a time; returns {label: seconds}. Stops with an
    error naming the jobs that failed (after the running ones finish)."""
    os.makedirs(log_dir, exist_ok=True)
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    seconds = {}
    failures = []

    def run(job):
        label, command = job
        path = os.path.join(log_dir, re.sub(r"[^A-Za-z0-9._-]", "_", label) + ".txt")
        start = time.monotonic()
        with open(path, "w") as out:
            code = subprocess.run(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env).returncode
        return label, code, time.monotonic() - start, path

    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        for label, code, elapsed, path in pool.map(run, jobs):
            seconds[label] = elapsed
            state = "done" if code == 0 else f"FAILED (exit {code}; output in {path})"
            print(f"  {label:<34} {elapsed:8.1f} s  {state}", flush=True)
            if code != 0:
                failures.append(label)
    if failures:
        fail(f"{len(failures)} job(s) failed: {', '.join(failures)}")
    return seconds


def read_log(path, script="the report"):
    """One completed log, without its spectra and parameters (the reports do not need them)."""
    try:
        run = geodim_log.read_run(path, spectra=False, params=False, inputs=False)
    except geodim_log.LogError as error:
        fail(str(error))
    if run.status != "completed":
        fail(f"{path}: run status is {run.status!r}, not completed; run {script} again to finish it")
    return run


# MARK: - What every report script shares


def parse_report_arguments(description, quick_help):
    """The options of a report script (--quick, --jobs, --geodim, --report-only, --output),
    checked."""
    import argparse

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help=quick_help)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="points run at a time (default: cores)")
    parser.add_argument("--geodim", default=os.path.join(ROOT, ".build", "release", "geodim"))
    parser.add_argument("--report-only", action="store_true", help="only redraw figures and tables from the logs")
    parser.add_argument("--output", default=None,
                        help="put the runs in OUTPUT/runs and the report in OUTPUT/report instead of the defaults")
    args = parser.parse_args()
    if args.jobs < 1:
        fail(f"--jobs must be >= 1, found {args.jobs}")
    if not os.access(args.geodim, os.X_OK):
        fail(f"{args.geodim}: no geodim executable; build it first (swift build -c release) or pass --geodim")
    return args


def report_paths(args, name, docs_folder):
    """(runs directory, report directory): OUTPUT/runs and OUTPUT/report with --output; else
    runs/NAME[-quick], with the report in docs/DOCS_FOLDER (full) or beside the quick runs.
    The report directory is created."""
    if args.output:
        runs, report = (os.path.join(os.path.abspath(args.output), part) for part in ("runs", "report"))
    else:
        runs = os.path.join(ROOT, "runs", name + ("-quick" if args.quick else ""))
        report = os.path.join(runs, "report") if args.quick else os.path.join(ROOT, "docs", docs_folder)
    os.makedirs(report, exist_ok=True)
    return runs, report


def provenance(all_logs, state, wall_detail=""):
    """The provenance section of a report: the logs' commits, hosts, CPUs, the command, the
    wall time and the longest points."""
    commits = sorted({(str(log.meta.get("git_commit", "?")), str(log.meta.get("git_dirty", "?"))) for log in all_logs})
    hosts = sorted({str(log.meta.get("host", "?")) for log in all_logs})
    cpus = sorted({str(log.meta.get("cpu_model", "?")) for log in all_logs})
    lines = ["## Provenance", "",
             f"- Logs: {len(all_logs)} runs under `{os.path.relpath(state['runs'], ROOT)}` (not committed).",
             "- geodim git commit of the logs: " + ", ".join(f"`{c}` (dirty: {d})" for c, d in commits) + ".",
             f"- Host: {', '.join(hosts)}; CPU: {', '.join(cpus)}; {state.get('jobs', '?')} points at a time.",
             f"- Command: `{state.get('command', '?')}`."]
    if "wall_s" in state:
        lines.append(f"- Total wall time: {state['wall_s'] / 60:.1f} min{wall_detail}.")
    seconds = sorted(state.get("seconds", {}).items(), key=lambda item: -item[1])
    if seconds:
        lines.append("- Longest points: " + ", ".join(f"{label} {s:.0f} s" for label, s in seconds[:4]) + ".")
    return lines


def load_state(path, what):
    """The state a finished report run left (for --report-only)."""
    if not os.path.exists(path):
        fail(f"{path}: no finished {what} to report on; run without --report-only first")
    with open(path) as f:
        return json.load(f)


def run_sweeps(sweeps, args, runs, label):
    """Runs every point of `sweeps` (name → Sweep), `args.jobs` at a time; returns the new
    state: {runs, jobs, command, seconds per point}."""
    command = f"make {label}-quick" if args.quick else f"make {label}"
    state = {"runs": runs, "jobs": args.jobs, "command": command}
    jobs = [(f"{name} point {i}", point)
            for name, sweep in sweeps.items() for i, point in enumerate(sweep.commands(args.geodim))]
    print(f"{label}: {len(jobs)} points, {args.jobs} at a time, logs under {runs}", flush=True)
    state["seconds"] = run_jobs(jobs, args.jobs, os.path.join(runs, "job-output"))
    return state
