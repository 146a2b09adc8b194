#!/usr/bin/env bash
# Installs what geodim needs to build, run and test: idempotent, safe to run again.
#   apt: OpenBLAS (BLAS + LAPACK), HDF5 (C library + tools), zlib, pkg-config, and FFLAS-FFPACK
#        with Givaro and GMP (exact linear algebra modulo primes, for the exact BFD), and
#        dataset-fashion-mnist (Fashion-MNIST in /usr/share/datasets/fashion-mnist, data.dataset: fashion_mnist)
#   pip: h5py (the external reader the tests use), numpy, tensorboard (its event reader checks
#        `geodim export --tensorboard` in the tests), and netCDF4, h5netcdf, xarray, pandas
#        (the netCDF/xarray readers the tests check logs against, and python/geodim_log's frames);
#   apt: netcdf-bin (ncdump, which the tests run on a log)
#   apt: slurm-wlm and munge, without recommends (scripts/slurm/localhost_test.py, `make
#        slurm-test`, which the tests run, starts their daemons by hand on private ports with
#        its own slurm.conf and munge key in a temporary directory; nothing in /etc is set up)
# With --plots it also installs matplotlib and scipy from PyPI, for scripts/plot_run.py,
# scripts/reproduce.py and scripts/shallow_report.py (scipy: the reference smoothing spline):
#   bash scripts/setup.sh --plots
set -euo pipefail

plots=0
for argument in "$@"; do
  case "$argument" in
    --plots) plots=1 ;;
    *) echo "setup: unknown option $argument (the only option is --plots)" >&2; exit 64 ;;
  esac
done

apt_packages=(libopenblas-dev libhdf5-dev hdf5-tools zlib1g-dev pkg-config fflas-ffpack libgivaro-dev libgmp-dev dataset-fashion-mnist netcdf-bin)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing apt packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

slurm_packages=(slurm-wlm munge)
missing=()
for p in "${slurm_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing apt packages for the localhost Slurm test: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
fi

if ! python3 -c "import h5py, numpy" 2>/dev/null; then
  echo "setup: installing h5py and numpy from PyPI"
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore h5py numpy
fi

if ! python3 -c "import tensorboard" 2>/dev/null; then
  echo "setup: installing tensorboard from PyPI (its event reader checks geodim export --tensorboard)"
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore tensorboard
fi
if ! python3 -c "import netCDF4, h5netcdf, xarray, pandas" 2>/dev/null; then
  echo "setup: installing netCDF4, h5netcdf, xarray and pandas from PyPI"
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore netCDF4 h5netcdf xarray pandas
fi

if [ "$plots" -eq 1 ] && ! python3 -c "import matplotlib" 2>/dev/null; then
  echo "setup: installing matplotlib from PyPI (for scripts/plot_run.py, scripts/reproduce.py)"
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore matplotlib
fi
if [ "$plots" -eq 1 ] && ! python3 -c "import scipy.interpolate" 2>/dev/null; then
  echo "setup: installing scipy from PyPI (the reference smoothing spline of scripts/shallow_report.py and plot_run.py)"
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore scipy
fi
