#!/usr/bin/env python3
"""An adversarial pass over the geodim command line, as a new user (or a careless script) would
make it: bad configs, bad values, bad flags, damaged data files, damaged or foreign logs,
impossible sizes. Every case must end in one clear line on stderr, a non-zero exit status and
nothing half-written: never a crash (a signal), a hang, a multi-line dump or a silent success.

    python3 scripts/adversarial_pass.py [--geodim .build/release/geodim] [--timeout 60] [--markdown]

Prints one line per case and the counts: tried / one clear line / unclear / crashed / hung.
Exit status 1 if any case crashed, hung or was unclear. It is a measurement (issue 15's
"adversarial counts"), not part of the test suite: Tests/ hold a test per case that was ever
wrong (AdversarialInputTests, BadInputTests, MalformedLogTests, RunnerBadInputTests, the
disk-full and preflight tests) and the fuzz loops (ConfigFuzzTests, IDXFuzzTests).
"""
import argparse
import gzip
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MNIST = os.path.join(ROOT, "data", "mnist")
FILES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]

VALID = """name: adversarial
model:
  hidden: [8]
data:
  directory: {data}
  train_size: 200
  test_size: 100
training:
  epochs: 1
optimizer:
  name: sgd
  lr: 0.1
checkpoints:
  every: 1
bfd:
  train_samples: 5
  test_samples: 5
  random_samples: 5
"""

# Overrides that are wrong in type, range or consistency: one per key or rule.
BAD_OVERRIDES = [
    "name=", "name=has space", "name=[1]", "seed=-1", "seed=1.5", "seed=abc", "threads=0", "threads=65", "threads=many",
    "model.hidden=[]", "model.hidden=[0]", "model.hidden=[-3]", "model.hidden=8", "model.hidden=[a]", "model.init=xavier",
    "data.protocol=odd", "data.train_size=0", "data.train_size=100000000", "data.test_size=-5", "data.random_label_extras=-1",
    "data.random_label_extras=1000000", "data.input_noise_std=-0.1", "data.input_noise_std=.nan", "training.epochs=-1",
    "training.batch_size=0", "training.precision=float16", "training.log_every=0", "training.eval_batch_size=0",
    "optimizer.name=rmsprop", "optimizer.lr=0", "optimizer.lr=-0.1", "optimizer.lr=.inf", "optimizer.lr=.nan",
    "optimizer.momentum=1", "optimizer.momentum=-0.5", "optimizer.nesterov=maybe", "optimizer.weight_decay=-1",
    "optimizer.beta1=1", "optimizer.beta2=2", "optimizer.epsilon=0", "checkpoints.every=0", "checkpoints.epochs=[1, 0]",
    "checkpoints.epochs=[5]", "bfd.inputs=[bogus]", "bfd.outputs=[probabilities]", "bfd.train_samples=0",
    "bfd.test_samples=1000000", "bfd.random_samples=0", "bfd.random_std=0", "bfd.method=svd", "bfd.gram_side=left",
    "bfd.rank_rule=mine", "bfd.relative_tolerance=1", "bfd.relative_tolerance=0", "bfd.cffd_max_rows=1",
    "bfd.exact_primes=0", "bfd.exact_primes=17", "bfd.exact_prime_bits=19", "bfd.exact_prime_bits=27",
    "bfd.exact_matrix=both", "logging.live=yes please", "logging.save_params=2", "optimizer.lr_rate=0.1", "no_equals",
    "=5", "model.hidden=[[[[", "model.hidden=" + "[" * 5000,
]


class Case:
    def __init__(self, name, arguments, status=None, expect_success=False):
        self.name, self.arguments, self.status, self.expect_success = name, arguments, status, expect_success


def write(path, text, mode="w"):
    with open(path, mode) as handle:
        handle.write(text)
    return path


def damaged_mnist(scratch, name, replace):
    """A copy of the bundled MNIST whose file `replace[0]` holds the raw bytes `replace[1]`."""
    directory = os.path.join(scratch, name)
    os.makedirs(directory)
    target, payload = replace
    for file in FILES:
        if file != target:
            shutil.copy(os.path.join(MNIST, file + ".gz"), directory)
    if payload is not None:
        write(os.path.join(directory, target), payload, "wb")
    return directory


def build_cases(scratch, geodim):
    data = MNIST
    valid = write(os.path.join(scratch, "valid.yaml"), VALID.format(data=data))
    runs = os.path.join(scratch, "runs")
    placement = ["logging.runs_directory=" + runs]
    cases = [Case("override " + o[:40], ["train", valid, o] + placement) for o in BAD_OVERRIDES]

    # YAML structure.
    texts = {
        "empty file": "",
        "only a comment": "# nothing\n",
        "top-level list": "- name: x\n",
        "tab indentation": VALID.format(data=data).replace("  hidden", "\thidden"),
        "duplicate key": VALID.format(data=data) + "seed: 1\nseed: 2\n",
        "unclosed bracket": "name: x\nmodel:\n  hidden: [8\n",
        "unclosed quote": 'name: "x\n',
        "binary garbage": "\x00\x01\x02\xff",
        "flow nested 5,000": "name: x\nmodel:\n  hidden: " + "[" * 5000 + "]" * 5000 + "\n",
        "'- ' x 5,000": "- " * 5000 + "x\n",
        "block mapping 1,400 deep": "\n".join(" " * i + "k%d:" % i for i in range(1400)) + " 1\n",
        "alias bomb 10^9": "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join("a%d: &a%d [%s]\n" % (i, i, ", ".join(["*a%d" % (i - 1)] * 10)) for i in range(1, 9))
        + "model:\n  hidden: *a8\n",
        "3 MB of comment": VALID.format(data=data) + "# " + "x" * 3_000_000 + "\n",
        "python object tag": VALID.format(data=data) + "extra: !!python/object:os.system [ls]\n",
        "missing required model": "name: x\ntraining:\n  epochs: 1\noptimizer:\n  name: sgd\n  lr: 0.1\n",
    }
    for name, text in texts.items():
        path = write(os.path.join(scratch, name.replace(" ", "_").replace("'", "").replace(",", "") + ".yaml"),
                     text, "w" if "\xff" not in text else "w")
        cases.append(Case("yaml: " + name, ["train", path] + placement))
    invalid_utf8 = write(os.path.join(scratch, "latin1.yaml"), VALID.format(data=data).encode() + b"# caf\xe9\n", "wb")
    cases.append(Case("yaml: invalid UTF-8", ["train", invalid_utf8] + placement))
    os.makedirs(os.path.join(scratch, "configs.d"))
    cases += [
        Case("config: a directory", ["train", os.path.join(scratch, "configs.d")] + placement),
        Case("config: missing", ["train", os.path.join(scratch, "none.yaml")] + placement),
        Case("config: /dev/zero", ["train", "/dev/zero"] + placement),
        Case("config: /dev/null", ["train", "/dev/null"] + placement),
    ]

    # Command line.
    file_in_the_way = write(os.path.join(scratch, "a-file"), "")
    os.makedirs(os.path.join(scratch, "existing-run"))
    sweep = write(os.path.join(scratch, "sweep.yaml"), VALID.format(data=data) + "sweep:\n  seed: [0, 1]\n")
    cases += [
        Case("cli: no subcommand argument", ["train"]),
        Case("cli: unknown subcommand", ["trian", valid]),
        Case("cli: unknown flag", ["train", valid, "--fast"] + placement),
        Case("cli: --stop-at-step -5", ["train", valid, "--stop-at-step", "-5"] + placement),
        Case("cli: --stop-at-step=0", ["train", valid, "--stop-at-step=0"] + placement),
        Case("cli: --stop-at-step abc", ["train", valid, "--stop-at-step", "abc"] + placement),
        Case("cli: --stop-at-step without value", ["train", valid] + placement + ["--stop-at-step"]),
        Case("cli: --threads 0", ["train", valid, "--threads", "0"] + placement),
        Case("cli: --threads -1", ["train", valid, "--threads", "-1"] + placement),
        Case("cli: --runs-dir a file", ["train", valid, "--runs-dir", file_in_the_way]),
        Case("cli: --run-dir under a file", ["train", valid, "--run-dir", file_in_the_way + "/run"]),
        Case("cli: --run-dir exists", ["train", valid, "--run-dir", os.path.join(scratch, "existing-run")]),
        Case("cli: --run-dir unwritable", ["train", valid, "--run-dir", "/proc/geodim-run"]),
        Case("sweep: --index -1", ["sweep", sweep, "--index", "-1"] + placement),
        Case("sweep: --index 99", ["sweep", sweep, "--index", "99"] + placement),
        Case("sweep: --json alone", ["sweep", sweep, "--json"] + placement),
        Case("sweep: not a sweep", ["sweep", valid, "--list"] + placement),
        Case("sweep: empty axis", ["sweep", write(os.path.join(scratch, "empty-axis.yaml"), VALID.format(data=data) + "sweep:\n  seed: []\n"), "--list"] + placement),
        Case("sweep: unknown axis", ["sweep", write(os.path.join(scratch, "bad-axis.yaml"), VALID.format(data=data) + "sweep:\n  sed: [0, 1]\n"), "--list"] + placement),
        Case("bfd: not a log", ["bfd", valid]),
        Case("inspect: --json and --csv", ["inspect", valid, "--json", "--csv"]),
    ]

    # Data files.
    images = gzip.decompress(open(os.path.join(MNIST, FILES[0] + ".gz"), "rb").read())
    labels = gzip.decompress(open(os.path.join(MNIST, FILES[1] + ".gz"), "rb").read())
    be = lambda value: value.to_bytes(4, "big")
    damaged = {
        "missing train labels": (FILES[1], None),
        "empty images file": (FILES[0], b""),
        "truncated images": (FILES[0], images[: len(images) // 3]),
        "images with trailing bytes": (FILES[0], images + b"\x00" * 7),
        "rank byte 0xFF": (FILES[0], bytes([0, 0, 8, 255]) + be(2) * 255 + bytes(64)),
        "images 10x28x27": (FILES[0], bytes([0, 0, 8, 3]) + be(10) + be(28) + be(27) + bytes(10 * 28 * 28)),
        "float32 element type": (FILES[0], bytes([0, 0, 0x0D, 3]) + images[4:]),
        "labels out of range": (FILES[1], labels[:8] + bytes([12]) + labels[9:]),
        "labels swapped for images": (FILES[0], labels),
        "one byte flipped (checksum)": (FILES[0], images[:5000] + bytes([images[5000] ^ 1]) + images[5001:]),
        "images count differs from labels": (FILES[0], bytes([0, 0, 8, 3]) + be(59999) + be(28) + be(28) + images[16:-784]),
    }
    for name, replace in damaged.items():
        directory = damaged_mnist(scratch, "mnist-" + name.replace(" ", "-"), replace)
        if replace[1] is None:
            pass
        cases.append(Case("data: " + name, ["train", valid, "data.directory=" + directory] + placement))
    corrupt_gzip = damaged_mnist(scratch, "mnist-corrupt-gzip", (FILES[2], None))
    raw = bytearray(open(os.path.join(MNIST, FILES[2] + ".gz"), "rb").read())
    raw[len(raw) // 2] ^= 0xFF
    write(os.path.join(corrupt_gzip, FILES[2] + ".gz"), bytes(raw), "wb")
    cases.append(Case("data: corrupt gzip", ["train", valid, "data.directory=" + corrupt_gzip] + placement))
    directory_file = damaged_mnist(scratch, "mnist-dir-file", (FILES[3], None))
    os.makedirs(os.path.join(directory_file, FILES[3]))
    cases.append(Case("data: a directory in place of a file", ["train", valid, "data.directory=" + directory_file] + placement))
    cases.append(Case("data: directory missing", ["train", valid, "data.directory=/nonexistent/mnist"] + placement))
    if os.path.isdir("/usr/share/datasets/fashion-mnist"):
        cases.append(Case("data: Fashion-MNIST given as MNIST", ["train", valid, "data.directory=/usr/share/datasets/fashion-mnist"] + placement))

    # Sizes (preflight and checked arithmetic).
    for hidden in ["[9223372036854775807]", "[4611686018427387904, 2]", "[100000000]", "[3000000]"]:
        cases.append(Case("size: model.hidden=" + hidden, ["train", valid, "model.hidden=" + hidden] + placement))
    cases.append(Case("size: hidden 100000000, no params", ["train", valid, "model.hidden=[100000000]", "logging.save_params=false"] + placement))
    cases.append(Case("size: bfd.cffd_max_rows huge", ["train", valid, "bfd.cffd=true", "bfd.cffd_max_rows=9223372036854775807"] + placement))

    # Logs: one good run, then damaged copies.
    good = os.path.join(scratch, "good-run")
    result = subprocess.run([geodim, "train", valid, "--run-dir", good, "--stop-at-step", "3"], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit("adversarial_pass.py: the valid config does not train: " + result.stderr)

    def damaged_run(name, change):
        directory = os.path.join(scratch, "run-" + name)
        shutil.copytree(good, directory)
        change(directory)
        return directory

    def h5(directory, code):
        subprocess.run([sys.executable, "-c", "import sys, h5py\nf = h5py.File(sys.argv[1], 'a')\n" + code + "\nf.close()",
                        os.path.join(directory, "log.h5")], check=True)

    def truncate(path, size):
        with open(path, "r+b") as handle:
            handle.truncate(size)

    runs_damaged = {
        "log not HDF5": lambda d: write(os.path.join(d, "log.h5"), "not hdf5"),
        "log empty": lambda d: write(os.path.join(d, "log.h5"), ""),
        "log truncated": lambda d: truncate(os.path.join(d, "log.h5"), os.path.getsize(os.path.join(d, "log.h5")) // 2),
        "log missing": lambda d: os.remove(os.path.join(d, "log.h5")),
        "log a directory": lambda d: (os.remove(os.path.join(d, "log.h5")), os.makedirs(os.path.join(d, "log.h5"))),
        "no status attribute": lambda d: h5(d, "del f.attrs['status']"),
        "status not a string": lambda d: h5(d, "f.attrs['status'] = 7"),
        "newer format version": lambda d: h5(d, "f.attrs['format_version'] = 99"),
        "foreign format": lambda d: h5(d, "f.attrs['format'] = 'something-else'"),
        "no /checkpoints": lambda d: h5(d, "del f['checkpoints']"),
        "no config_yaml": lambda d: h5(d, "del f['meta/config_yaml']"),
        "resume.state missing": lambda d: os.remove(os.path.join(d, "resume.state")),
        "resume.state truncated": lambda d: truncate(os.path.join(d, "resume.state"), 40),
        "resume.state garbage": lambda d: write(os.path.join(d, "resume.state"), "garbage" * 100),
        "config.yaml edited badly": lambda d: write(os.path.join(d, "config.yaml"), "name: [\n"),
    }
    for name, change in runs_damaged.items():
        directory = damaged_run(name.replace(" ", "-").replace("/", ""), change)
        for command in (["inspect", directory], ["resume", directory]):
            cases.append(Case(command[0] + ": " + name, command))
    cases += [
        Case("resume: not a directory", ["resume", valid]),
        Case("resume: missing directory", ["resume", os.path.join(scratch, "nowhere")]),
        Case("inspect: missing", ["inspect", os.path.join(scratch, "nowhere.h5")]),
        Case("bfd: checkpoint 99", ["bfd", good, "--checkpoint", "99"]),
        Case("bfd: inputs bogus", ["bfd", good, "--inputs", "bogus"]),
    ]
    return cases


def classify(result, seconds, timeout):
    if result is None:
        return "hung"
    code = result.returncode
    if code < 0 or code in (132, 133, 134, 135, 136, 137, 139):
        return "crashed"
    lines = [line for line in result.stderr.split("\n") if line.strip()]
    raw = any(marker in result.stderr for marker in ("NSCocoaErrorDomain", "HDF5-DIAG", "Fatal error", "Stack dump", "Usage:"))
    if code == 0:
        return "accepted"
    if len(lines) == 1 and len(lines[0]) <= 600 and not raw:
        return "clear"
    return "unclear"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--geodim", default=os.path.join(ROOT, ".build", "release", "geodim"))
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--markdown", action="store_true", help="print the cases as a Markdown table")
    options = parser.parse_args()
    scratch = tempfile.mkdtemp(prefix="geodim-adversarial-")
    try:
        cases = build_cases(scratch, options.geodim)
        counts = {"clear": 0, "unclear": 0, "crashed": 0, "hung": 0, "accepted": 0}
        if options.markdown:
            print("| case | exit | outcome | stderr (first line) |\n|---|---|---|---|")
        for case in cases:
            runs = os.path.join(scratch, "runs")
            shutil.rmtree(runs, ignore_errors=True)
            try:
                result = subprocess.run(
                    ["bash", "-c", 'ulimit -v 8000000; exec "$@"', "geodim", options.geodim] + case.arguments,
                    cwd=scratch, capture_output=True, text=True, errors="replace", timeout=options.timeout)
            except subprocess.TimeoutExpired:
                result = None
            outcome = classify(result, 0, options.timeout)
            # A refused config must leave no run directory behind.
            if outcome == "clear" and case.arguments[0] == "train" and os.path.exists(runs) and os.listdir(runs):
                outcome = "unclear"
            counts[outcome] += 1
            first = "" if result is None else (result.stderr.strip().split("\n") or [""])[0][:160]
            code = "timeout" if result is None else result.returncode
            if options.markdown:
                print("| %s | %s | %s | %s |" % (case.name, code, outcome, first.replace("|", "\\|")))
            else:
                print("%-9s %-8s %-48s %s" % (outcome, code, case.name[:48], first))
            sys.stdout.flush()
        tried = len(cases)
        print("\n%d inputs tried: %d one clear line, %d accepted (exit 0), %d unclear, %d crashed, %d hung"
              % (tried, counts["clear"], counts["accepted"], counts["unclear"], counts["crashed"], counts["hung"]))
        return 1 if counts["unclear"] or counts["crashed"] or counts["hung"] else 0
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
