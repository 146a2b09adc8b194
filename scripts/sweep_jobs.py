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
