"""Thin re-export of the geodim_log package (python/geodim_log), so scripts and tests that put
scripts/ on PYTHONPATH keep `import geodim_log` working without installing the package.
The one implementation lives in python/geodim_log."""
import os
import sys

_package_root = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "python")
if os.path.isdir(_package_root) and _package_root not in sys.path:
    sys.path.insert(0, _package_root)
sys.modules.pop(__name__, None)
import geodim_log as _package  # noqa: E402  (the package, now first on the path)

sys.modules[__name__] = _package
