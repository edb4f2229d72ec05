"""A benchmark script (``benchmarks/NAME.py``, not a package) loaded as a module, for the tests that run one small."""

from __future__ import annotations

import importlib.util

from artcore.config import PROJECT_ROOT


def load(name: str):
    spec = importlib.util.spec_from_file_location(name, PROJECT_ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
