#!/usr/bin/env python3
"""Build llama-cpp-python from source with a CMakePresets.json preset and install it.

    python scripts/install_llama.py --preset cpu|cuda-pascal|cuda|auto [--cuda-arch 90]
        [--python .venv/bin/python] [--source SDIST] [--print-args]

Standard library only: it runs before the project's dependencies exist.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import _common
from _common import REPO


def main() -> int:
    from bestcase_core import build
    from bestcase_core.errors import CLIError, ConfigError
    from bestcase_core.paths import cache_home

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", default="auto", help="a configure preset of CMakePresets.json, or 'auto'")
    ap.add_argument("--cuda-arch", help="override CMAKE_CUDA_ARCHITECTURES (61, 86, 89, 90...)")
    ap.add_argument(
        "--python", type=Path, help="interpreter to install into (default: .venv/bin/python, else this one)"
    )
    ap.add_argument("--source", help="a llama-cpp-python sdist or folder to build instead of the PyPI release")
    ap.add_argument("--jobs", type=int, help="parallel compile jobs (default: all cores)")
    ap.add_argument("--force", action="store_true", help="rebuild even if a matching wheel is cached")
    ap.add_argument(
        "--offline",
        action="store_true",
        help="no package index: build with the scikit-build-core, cmake and ninja already installed",
    )
    ap.add_argument("--target", type=Path, help="install into this folder (for PYTHONPATH) instead of site-packages")
    ap.add_argument("--print-args", action="store_true", help="print the preset's CMAKE_ARGS and stop")
    ns = ap.parse_args()

    name = build.auto_preset() if ns.preset == "auto" else ns.preset
    try:
        preset = build.get_preset(name)
        args = build.cmake_args(preset, ns.cuda_arch)
    except ConfigError as exc:
        raise CLIError(str(exc)) from None
    if ns.print_args:
        build.check_buildable(preset, ns.cuda_arch)
        print(args)
        return 0
    venv_python = REPO / ".venv" / "bin" / "python"
    python = ns.python or (venv_python if venv_python.exists() else Path(sys.executable))
    build.install(
        name,
        python,
        cuda_arch=ns.cuda_arch,
        source=ns.source,
        jobs=ns.jobs,
        force=ns.force,
        offline=ns.offline,
        target=ns.target,
        wheel_cache=cache_home() / "wheels",
    )
    print(f"llama-cpp-python installed with preset {name} into {ns.target or python}")
    return 0


if __name__ == "__main__":
    _common.run_cli(main)
