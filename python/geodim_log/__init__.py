"""Read geodim run logs (`log.h5`) and sweep indexes (`sweep.json`) from Python.

    pip install ./python            # from the repository root (or -e ./python)
    import geodim_log
    tree = geodim_log.open_run("runs/quick/<timestamp>/log.h5")      # xarray.DataTree
    frame = geodim_log.checkpoints_frame("runs/quick/<timestamp>")   # pandas, one row per checkpoint x series
    sweep = geodim_log.sweep_frame("runs/sweeps/<name>")             # plus the swept values as columns
    run = geodim_log.read_run("runs/quick/<timestamp>/log.h5")       # h5py + numpy dataclasses

read_run and read_sweep need h5py and numpy only; open_run needs xarray and h5netcdf, the
frames pandas. pandas' own `read_hdf` cannot read these logs: it reads PyTables' layout only.
"""
from .reader import *  # noqa: F401,F403
from .reader import (FORMAT, FORMAT_VERSION, OUTPUTS, SOURCES, SWEEP_FORMAT, LogError, attributes,  # noqa: F401
                     check_format, open_log, plain, read_run, read_sweep)
from .frames import checkpoints_frame, open_run, sweep_frame  # noqa: F401
