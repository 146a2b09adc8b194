"""Read geodim run logs (`log.h5`) and sweep indexes (`sweep.json`) from Python.

The one reader of the layout docs/log-format.md describes: the scripts in scripts/ and the
tests' h5py checks all read the log through it. Needs h5py and numpy only.

    import sys; sys.path.insert(0, "scripts")     # from the repository root
    import geodim_log
    run = geodim_log.read_run("runs/quick/<timestamp>/log.h5")
    test = run.bfd["test", "logits"]
    print(run.status, run.meta["architecture"], run.checkpoints.epoch, test.rank, test.clear, test.row_cap)
    weights, biases = run.parameters(-1)           # the network at the last checkpoint

Every per-checkpoint array is cut to the complete rows (the length of `/checkpoints/step`)
and every `/train` column to the length of `/train/step`, so a log that is still being
written, or whose writer was killed, reads as its last committed state. Arrays keep the
log's dtypes, except that flags (`clear`, `rules_disagree`, `converged`) become bool.
Attributes become plain Python values (str, int, float, lists).
"""
import json
import os
from dataclasses import dataclass, field
from typing import Optional

import h5py
import numpy as np

FORMAT = "geodim-run"
"""The root `format` attribute of every run log."""
FORMAT_VERSION = 2
"""The newest `format_version` this reader knows; newer logs are refused."""
SWEEP_FORMAT = "geodim-sweep"
"""The `format` field of every sweep.json."""
SOURCES = ("train", "test", "random")
"""The input sets a BFD can be measured on, in the order the logs and reports use."""
OUTPUTS = ("logits", "softmax", "centred")
"""The output variants a BFD can be measured for."""


class LogError(Exception):
    """A file that cannot be read as a geodim run log or sweep index; the message names
    the path and the reason (e.g. `PATH: not a geodim run log`)."""


# MARK: - Opening


def open_log(path):
    """Opens `path` read-only as an h5py.File and checks that it is a geodim run log of a
    known format version.

    A plain open is tried first; a log that is (or was left) open for SWMR writing is then
    opened as a SWMR reader (`libver="latest", swmr=True`), so live logs and logs of killed
    live runs open too. Use it as a context manager. Raises LogError."""
    try:
        f = h5py.File(path, "r")
    except OSError:
        try:
            f = h5py.File(path, "r", libver="latest", swmr=True)
        except OSError as error:
            raise LogError(f"{path}: cannot read it as an HDF5 file: {error}") from error
    try:
        check_format(f, path)
    except LogError:
        f.close()
        raise
    return f


def check_format(f, path=None):
    """Raises LogError unless the open file `f` is a geodim run log whose format version is
    at most FORMAT_VERSION."""
    name = path or f.filename
    if plain(f.attrs.get("format")) != FORMAT:
        raise LogError(f"{name}: not a geodim run log")
    version = plain(f.attrs.get("format_version", 1))
    if version > FORMAT_VERSION:
        raise LogError(f"{name}: format version {version} is newer than this reader's ({FORMAT_VERSION})")


def plain(value):
    """An h5py attribute or scalar as a plain Python value: numpy scalars become int, float
    or bool, arrays become lists, bytes become str."""
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.ndarray):
        return [plain(v) for v in value.tolist()] if value.dtype.kind == "O" else value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


def attributes(obj):
    """The attributes of an h5py object as a dict of plain Python values (without HDF5's
    own dimension-scale bookkeeping)."""
    hidden = {"DIMENSION_LIST", "REFERENCE_LIST", "CLASS", "NAME"}
    return {k: plain(v) for k, v in obj.attrs.items() if k not in hidden}


# MARK: - What a run log holds


@dataclass
class TrainRows:
    """`/train`: one row every `training.log_every` steps."""
    step: np.ndarray
    epoch: np.ndarray
    """fractional: step / steps per epoch"""
    loss: np.ndarray
    """mini-batch mean cross-entropy, nats"""
    lr: np.ndarray
    wall_time_s: np.ndarray


@dataclass
class Checkpoints:
    """`/checkpoints`: one row per checkpoint, on the full train and test sets."""
    step: np.ndarray
    epoch: np.ndarray
    wall_time_s: np.ndarray
    train_loss: np.ndarray
    train_accuracy: np.ndarray
    test_loss: np.ndarray
    test_accuracy: np.ndarray

    def __len__(self):
        return len(self.step)


@dataclass
class BFDSeries:
    """`/checkpoints/bfd/<source>_<output>`: the BFD of one input set and output variant at
    every checkpoint. Columns a log lacks are None (`spectrum` without `bfd.spectrum` or with
    `gram_inertia`)."""
    name: str
    """the group name, `<source>_<output>`"""
    source: str
    output: str
    attrs: dict
    """method, rank_rule, relative_tolerance, n, rows, row_cap, parameter_count, symmetry_bound"""
    rank: np.ndarray
    """the headline BFD, under `rank_rule`"""
    clear: np.ndarray
    """bool: a gap ratio ≥ 1e3 with σ_r above the floor (a rank to trust)"""
    rank_numpy: Optional[np.ndarray] = None
    rank_gap: Optional[np.ndarray] = None
    rank_relative: Optional[np.ndarray] = None
    tolerance: Optional[np.ndarray] = None
    gap_ratio: Optional[np.ndarray] = None
    sigma_above: Optional[np.ndarray] = None
    sigma_below: Optional[np.ndarray] = None
    floor: Optional[np.ndarray] = None
    rules_disagree: Optional[np.ndarray] = None
    """bool"""
    upper_bound: Optional[np.ndarray] = None
    seconds: Optional[np.ndarray] = None
    gram_side: Optional[np.ndarray] = None
    """int64 codes: 0 rows (J~J~ᵀ), 1 parameters (J~ᵀJ~), 2 block_schur, -1 none (None in older logs)"""
    spectrum: Optional[np.ndarray] = None
    """[K, S] singular values, descending, NaN-padded (None when not logged or not read)"""
    rank_exact: Optional[np.ndarray] = None
    """with `bfd.exact`: the exact BFD, the largest rank modulo the primes tried (None otherwise)"""
    exact_certified: Optional[np.ndarray] = None
    """bool: the exact rank reached the structural bound on a trusted pattern (a proof)"""
    exact_failure_bound: Optional[np.ndarray] = None
    """probability that an uncertified exact rank is below the true one (0 when certified)"""
    exact_ranks: Optional[np.ndarray] = None
    """[K, primes] the rank modulo each prime tried, −1 padded"""
    exact_primes: Optional[np.ndarray] = None
    """[K, primes] the primes tried, 0 padded"""
    pattern_ambiguous: Optional[np.ndarray] = None
    """pre-activations too close to zero for the float64 pattern to be trusted"""

    @property
    def n(self):
        """The number of inputs."""
        return int(self.attrs["n"])

    @property
    def row_cap(self):
        """n·d for logits, n·(d − 1) for softmax and centred."""
        return int(self.attrs["row_cap"])

    def singular_values(self, checkpoint):
        """The logged spectrum at one checkpoint without its NaN padding."""
        if self.spectrum is None:
            raise LogError(f"{self.name}: no spectrum was logged (or read_run was asked not to read it)")
        s = self.spectrum[checkpoint]
        return s[~np.isnan(s)]


@dataclass
class Neurons:
    """`/checkpoints/neurons/<source>`: activation statistics over one input set."""
    dead: np.ndarray
    """[K, L−1] hidden neurons inactive on every input, per hidden layer"""
    always_active: np.ndarray
    patterns: np.ndarray
    """[K] distinct activation patterns over the set"""


@dataclass
class CFFD:
    """`/checkpoints/cffd` (with `bfd.cffd: true`)."""
    estimate: np.ndarray
    converged: np.ndarray
    """bool"""
    sizes: np.ndarray
    """[K, 16] batch sizes tried, −1 padded"""
    ranks: np.ndarray
    """[K, 16] BFD at each size, −1 padded"""


@dataclass
class Data:
    """`/data`: exactly which inputs the run used. Pooled MNIST indices: i < 60000 is image i
    of the training file, i ≥ 60000 image i − 60000 of the t10k file."""
    train_indices: np.ndarray
    test_indices: np.ndarray
    train_labels: np.ndarray
    test_labels: np.ndarray
    bfd_train_indices: np.ndarray
    bfd_test_indices: np.ndarray
    random_inputs: Optional[np.ndarray]
    """[n_random, 784] float32, the Gaussian inputs themselves"""
    bfd_train_inputs: Optional[np.ndarray]
    """[n, 784] float32 noisy training inputs, only when data.input_noise_std > 0"""
    attrs: dict = field(default_factory=dict)
    """per dataset name, its attributes (`random_inputs`: mean, std; `bfd_train_inputs`: noise_std)"""

    def bfd_indices(self, source):
        """The pooled indices of the BFD inputs of `train` or `test`."""
        return {"train": self.bfd_train_indices, "test": self.bfd_test_indices}[source]


@dataclass
class Layer:
    """`/params/layer<l>`: z_(l+1) = W_l a_l + b_l at every checkpoint."""
    weight: np.ndarray
    """[K, n_(l+1), n_l]"""
    bias: np.ndarray
    """[K, n_(l+1)]"""


@dataclass
class Run:
    """Everything one run log holds; see read_run."""
    path: str
    status: str
    """`running`, `completed`, `interrupted`, `diverged` or `failed`"""
    format_version: int
    root: dict
    """the root attributes (format, format_version, geodim_version, created, status)"""
    meta: dict
    """the /meta attributes (architecture, seed, parameter_count, hidden_neurons, host, …)"""
    config_yaml: str
    """the fully resolved config the run started with"""
    overrides: list
    train: TrainRows
    checkpoints: Checkpoints
    bfd: dict
    """(source, output) -> BFDSeries, in the log's group order"""
    neurons: dict
    """source -> Neurons"""
    cffd: Optional[CFFD]
    data: Data
    params: Optional[list]
    """one Layer per layer, inputs first; None without logging.save_params (or when not read)"""
    stored_rows: dict
    """growing dataset path under /train, /checkpoints or /params (e.g. `checkpoints/bfd/test_logits/rank`; not the index coordinates)
    -> rows on disk along axis 0 before the cut: after a crash a column may hold one more,
    partial, row than `len(checkpoints)` or `len(train.step)`"""

    @property
    def label(self):
        """The sweep point's `key=value` label, else the run directory's name."""
        return str(self.meta.get("sweep_point", "")) or os.path.basename(os.path.dirname(os.path.abspath(self.path)))

    def parameters(self, checkpoint):
        """(weights, biases): lists over layers of W_l and b_l at one checkpoint row (negative
        counts from the end), as logged (float32 or float64)."""
        if self.params is None:
            raise LogError(f"{self.path}: no parameters (logging.save_params was false, or read_run was asked not to read them)")
        return [layer.weight[checkpoint] for layer in self.params], [layer.bias[checkpoint] for layer in self.params]

    def series(self, source, output):
        """The BFDSeries of one input set and output variant, or None if not logged."""
        return self.bfd.get((source, output))


# MARK: - Reading


def index_coordinate(dataset):
    """Whether `dataset` is a fixed index coordinate of format version 2 (a dimension scale
    such as `sv_index`, `layer` or `neuron`), as opposed to a growing per-row dataset; the
    growing step scales (`/train/step`, `/checkpoints/step`, `/params/step`) are not."""
    return plain(dataset.attrs.get("CLASS")) == "DIMENSION_SCALE" and dataset.name.rsplit("/", 1)[-1] != "step"


def read_run(path, *, spectra=True, params=True, inputs=True):
    """Reads a run log (a log.h5, or a run directory holding one) into a Run.

    Only complete rows are kept (see the module docstring). `spectra=False`, `params=False`
    and `inputs=False` skip the larger arrays (BFD spectra; /params; the stored random and
    noisy inputs), leaving those fields None. Optional parts a log lacks (`/params`,
    `/checkpoints/cffd`, spectra, neuron statistics) are None or empty; missing /meta
    attributes are simply absent from `meta`. Raises LogError for a file that is not a geodim
    run log, or of a newer format version."""
    if os.path.isdir(path):
        path = os.path.join(path, "log.h5")
    with open_log(path) as f:
        k = len(f["checkpoints/step"])
        t = len(f["train/step"])

        def rows(dataset, count):
            return dataset[:count]

        def column(group, name, count, flag=False):
            if name not in group:
                return None
            values = rows(group[name], count)
            return values.astype(bool) if flag else values

        train = TrainRows(**{name: column(f["train"], name, t) for name in ("step", "epoch", "loss", "lr", "wall_time_s")})
        c = f["checkpoints"]
        checkpoints = Checkpoints(**{name: column(c, name, k) for name in (
            "step", "epoch", "wall_time_s", "train_loss", "train_accuracy", "test_loss", "test_accuracy")})

        bfd = {}
        for name, g in (c["bfd"].items() if "bfd" in c else []):
            series = BFDSeries(
                name=name, source=plain(g.attrs["source"]), output=plain(g.attrs["output"]), attrs=attributes(g),
                rank=column(g, "rank", k), clear=column(g, "clear", k, flag=True),
                spectrum=column(g, "spectrum", k) if spectra else None)
            for other in ("rank_numpy", "rank_gap", "rank_relative", "tolerance", "gap_ratio", "sigma_above",
                          "sigma_below", "floor", "upper_bound", "seconds", "gram_side", "rank_exact",
                          "exact_failure_bound", "exact_ranks", "exact_primes", "pattern_ambiguous"):
                setattr(series, other, column(g, other, k))
            series.rules_disagree = column(g, "rules_disagree", k, flag=True)
            series.exact_certified = column(g, "exact_certified", k, flag=True)
            bfd[(series.source, series.output)] = series

        neurons = {}
        for source, g in (c["neurons"].items() if "neurons" in c else []):
            neurons[source] = Neurons(dead=column(g, "dead", k), always_active=column(g, "always_active", k),
                                      patterns=column(g, "patterns", k))

        cffd = None
        if "cffd" in c:
            g = c["cffd"]
            cffd = CFFD(estimate=column(g, "estimate", k), converged=column(g, "converged", k, flag=True),
                        sizes=column(g, "sizes", k), ranks=column(g, "ranks", k))

        d = f["data"]

        def whole(name, wanted=True):
            return d[name][()] if wanted and name in d else None

        data = Data(
            train_indices=whole("train_indices"), test_indices=whole("test_indices"),
            train_labels=whole("train_labels"), test_labels=whole("test_labels"),
            bfd_train_indices=whole("bfd_train_indices"), bfd_test_indices=whole("bfd_test_indices"),
            random_inputs=whole("random_inputs", inputs), bfd_train_inputs=whole("bfd_train_inputs", inputs),
            attrs={name: attributes(d[name]) for name in d})

        layers = None
        if params and "params" in f:
            names = sorted((n for n in f["params"] if n.startswith("layer")), key=lambda n: int(n[len("layer"):]))
            layers = [Layer(weight=rows(f["params"][n]["weight"], k), bias=rows(f["params"][n]["bias"], k)) for n in names]

        stored = {}
        for top in ("train", "checkpoints", "params"):
            if top in f:
                f[top].visititems(lambda name, obj, top=top: stored.__setitem__(f"{top}/{name}", obj.shape[0])
                                  if isinstance(obj, h5py.Dataset) and obj.ndim >= 1 and not index_coordinate(obj) else None)

        meta = f["meta"]
        root = attributes(f)
        return Run(
            path=path, status=str(root.get("status", "")), format_version=int(root.get("format_version", 1)),
            root=root, meta=attributes(meta),
            config_yaml=meta["config_yaml"].asstr()[()] if "config_yaml" in meta else "",
            overrides=list(meta["overrides"].asstr()[:]) if "overrides" in meta else [],
            train=train, checkpoints=checkpoints, bfd=bfd, neurons=neurons, cffd=cffd, data=data, params=layers,
            stored_rows=stored)


# MARK: - Sweeps


@dataclass
class SweepPoint:
    """One point of a sweep, as sweep.json lists it."""
    index: int
    directory: str
    """the point's run directory (absolute when the sweep directory was given as such)"""
    values: dict
    """swept dotted key -> value (numbers, strings, lists, as JSON)"""
    label: str
    """`key=value key=value`"""
    overrides: list

    @property
    def log_path(self):
        """The point's log.h5 (which may not exist yet)."""
        return os.path.join(self.directory, "log.h5")


@dataclass
class Sweep:
    """A sweep directory's sweep.json."""
    directory: str
    name: str
    identity: str
    keys: list
    """the swept keys, in the config's order (the first varies slowest)"""
    points: list
    """SweepPoint per point, in index order"""
    index: dict
    """the whole sweep.json object"""


def read_sweep(path):
    """Reads a sweep index: a sweep directory or its sweep.json. Raises LogError when the
    file is missing or is not a geodim sweep index."""
    index_path = path if path.endswith("sweep.json") else os.path.join(path, "sweep.json")
    directory = os.path.dirname(os.path.abspath(index_path))
    try:
        with open(index_path) as handle:
            index = json.load(handle)
    except (OSError, ValueError) as error:
        raise LogError(f"{index_path}: cannot read it as a sweep index: {error}") from error
    if not isinstance(index, dict) or index.get("format") != SWEEP_FORMAT:
        raise LogError(f"{index_path}: not a geodim sweep index")
    points = [SweepPoint(index=p["index"], directory=os.path.join(directory, p["directory"]), values=p["values"],
                         label=p.get("label", ""), overrides=p.get("overrides", [])) for p in index["points"]]
    return Sweep(directory=directory, name=index["name"], identity=index["identity"], keys=index["keys"],
                 points=points, index=index)
