#!/usr/bin/env python3
"""Statistical benchmark of the trainer: final test accuracy over seeds, against numpy.

For each seed it trains the setting of BENCHMARKS.md's accuracy table (784-256-256-10,
Glorot-uniform, standard 60k/10k split, float32, plain SGD lr 0.1, batch 256, 10 epochs, BFD off):

  geodim        `geodim train ... --dump-batches`, final test accuracy from its log;
  replay        scripts/reference_trainer.py check --accuracy on that run: the numpy trainer
                fed geodim's initial parameters and sample order, with its test accuracy just
                before the last step (a 96-row partial batch) and at the end;
  reference     scripts/reference_trainer.py standalone: numpy's own initialisation and
                shuffles (default_rng(seed)), before and after its last step.

Prints one row per seed, then mean and standard deviation of each column, as Markdown.

    python3 scripts/accuracy_benchmark.py --seeds 0-11     # about 40 s a seed on 2 cores
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

import geodim_log  # scripts/, next to this file

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SETTING = ["model.hidden=[256,256]", "training.batch_size=256", "training.epochs=10", "optimizer.name=sgd",
           "optimizer.lr=0.1", "optimizer.momentum=0", "training.precision=float32", "bfd.enabled=false",
           "checkpoints.every=10", "data.protocol=standard"]


def seeds_from(text):
    if "-" in text:
        first, last = text.split("-")
        return list(range(int(first), int(last) + 1))
    return [int(s) for s in text.split(",")]


def run_json(command):
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({result.returncode}): {result.stderr.strip()}")
    return json.loads(result.stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", default="0-2", help="e.g. 0-11 or 0,1,2")
    parser.add_argument("--geodim", default=os.path.join(ROOT, ".build/release/geodim"))
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="geodim-accuracy-") as scratch:
        for seed in seeds_from(args.seeds):
            run = os.path.join(scratch, f"seed{seed}")
            trained = subprocess.run(
                [args.geodim, "train", "configs/quick.yaml", *SETTING, f"seed={seed}", "--run-dir", run,
                 "--dump-batches"], cwd=ROOT, capture_output=True, text=True)
            if trained.returncode != 0:
                sys.exit(f"geodim train seed {seed} failed: {trained.stderr.strip()}")
            log = geodim_log.read_run(run, spectra=False, params=False, inputs=False)
            geodim = float(log.checkpoints.test_accuracy[-1])
            replay = run_json([sys.executable, "scripts/reference_trainer.py", "check", run, "--accuracy"])
            reference = run_json([sys.executable, "scripts/reference_trainer.py", "standalone", "--seed", str(seed)])
            rows.append((seed, geodim, replay["test_accuracy_before_last_step"], replay["test_accuracy"],
                         reference["test_accuracy_before_last_step"], reference["test_accuracy"]))
            print(f"seed {seed}: geodim {geodim:.4f}, replay {rows[-1][2]:.4f} -> {rows[-1][3]:.4f}, "
                  f"reference {rows[-1][4]:.4f} -> {rows[-1][5]:.4f}", file=sys.stderr, flush=True)
    print("| seed | geodim | replay, before last step | replay | numpy reference, before last step | numpy reference |")
    print("|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(f"| {row[0]} | " + " | ".join(f"{v:.4f}" for v in row[1:]) + " |")
    columns = list(zip(*rows))[1:]
    print("| mean | " + " | ".join(f"{statistics.mean(c):.4f}" for c in columns) + " |")
    if len(rows) > 1:
        print("| std | " + " | ".join(f"{statistics.stdev(c):.4f}" for c in columns) + " |")
    print("| min | " + " | ".join(f"{min(c):.4f}" for c in columns) + " |")


if __name__ == "__main__":
    main()
