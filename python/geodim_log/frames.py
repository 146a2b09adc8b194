"""xarray and pandas views of a run log: open_run, checkpoints_frame, sweep_frame."""
import os

from .reader import LogError, check_format, open_log, read_run, read_sweep

EVIDENCE = ("rank", "rank_numpy", "rank_gap", "rank_relative", "upper_bound", "clear", "gap_ratio", "floor",
            "tolerance", "sigma_above", "sigma_below", "rules_disagree", "seconds", "gram_side")
"""The per-checkpoint evidence columns of a BFD series, in checkpoints_frame's order (then any
other 1-D column of the group, such as rank_exact and exact_* with bfd.exact)."""


def _log_path(path):
    return os.path.join(path, "log.h5") if os.path.isdir(path) else path


def open_run(path, engine="h5netcdf"):
    """The whole log as an xarray.DataTree (engine `h5netcdf` or `netcdf4`), after checking it
    is a geodim run log. Every group is a node; axes carry named dimensions (format version 2;
    version-1 logs lack them on trailing axes and open with read_run instead). Needs xarray."""
    import xarray as xr
    path = _log_path(path)
    with open_log(path) as f:
        check_format(f, path)
        if int(f.attrs.get("format_version", 1)) < 2:
            raise LogError(f"{path}: format version 1 has no netCDF dimensions; use read_run or checkpoints_frame")
    return xr.open_datatree(path, engine=engine)


def checkpoints_frame(path):
    """A tidy pandas DataFrame: one row per checkpoint x source x output, with the checkpoint's
    step, epoch, losses and accuracies, the series' attributes (row_cap, n, method, rank_rule)
    and its evidence columns (EVIDENCE, then every other 1-D column the group holds: rank_exact,
    exact_*, pattern_* with bfd.exact). Reads complete rows
    only, like read_run; works on every format version. Needs pandas."""
    import h5py
    import pandas as pd
    path = _log_path(path)
    run = read_run(path, spectra=False, params=False, inputs=False)
    k = len(run.checkpoints)
    c = run.checkpoints
    frames = []
    with open_log(path) as f:
        for (source, output), series in run.bfd.items():
            columns = {"checkpoint": range(k), "step": c.step, "epoch": c.epoch, "source": source, "output": output,
                       "series": series.name, "train_loss": c.train_loss, "train_accuracy": c.train_accuracy,
                       "test_loss": c.test_loss, "test_accuracy": c.test_accuracy}
            for name in ("row_cap", "n", "method", "rank_rule", "parameter_count", "symmetry_bound"):
                if name in series.attrs:
                    columns[name] = series.attrs[name]
            for name in EVIDENCE:
                values = getattr(series, name, None)
                if values is not None:
                    columns[name] = values
            group = f["checkpoints/bfd/" + series.name]
            for name, d in group.items():   # rank_exact, exact_*, pattern_*: any other 1-D column
                scale = d.attrs.get("CLASS") == b"DIMENSION_SCALE" if isinstance(d, h5py.Dataset) else True
                if name not in columns and not scale and d.ndim == 1:
                    columns[name] = d[:k].astype(bool) if name == "exact_certified" else d[:k]
            frames.append(pd.DataFrame(columns))
    if not frames:
        return pd.DataFrame(columns=["checkpoint", "step", "source", "output"])
    return pd.concat(frames, ignore_index=True)


def sweep_frame(sweep_dir):
    """checkpoints_frame of every point of a sweep whose log exists, concatenated, with columns
    `point` (its index), `label` and one per swept key (its value at that point, as JSON gives
    it; lists become tuples). Points not yet run are left out. Needs pandas."""
    import pandas as pd
    sweep = read_sweep(sweep_dir)
    frames = []
    for point in sweep.points:
        if not os.path.exists(point.log_path):
            continue
        frame = checkpoints_frame(point.log_path)
        frame.insert(0, "point", point.index)
        frame.insert(1, "label", point.label)
        for position, key in enumerate(sweep.keys):
            value = point.values.get(key)
            frame.insert(2 + position, key, [tuple(value) if isinstance(value, list) else value] * len(frame))
        frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=["point", "label", *sweep.keys])
    return pd.concat(frames, ignore_index=True)
