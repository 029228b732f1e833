#!/usr/bin/env python3
"""Set everything up in .venv/: llama-cpp-python (built from source), the package, a model.

    python3 scripts/bootstrap.py [--dev] [--preset auto|cpu|cpu-portable|cuda-pascal|cuda]
                                 [--model NAME | --no-model]

Safe to run again: each step is skipped when it is already done. Needs only
Python >= 3.10, a C/C++ compiler and cmake (plus nvcc for a CUDA preset).
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VENV = REPO / ".venv"
PY = VENV / "bin" / "python"


def step(msg: str) -> None:
    print(f"==> {msg}", file=sys.stderr, flush=True)


def run(cmd: list[str]) -> int:
    return subprocess.run(cmd, cwd=REPO).returncode


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dev", action="store_true", help="also install the test tools (pytest, ruff, mypy, ray)")
    ap.add_argument("--preset", default="auto", help="llama.cpp build preset from CMakePresets.json")
    ap.add_argument("--model", help="model to fetch (default: LLM_MODEL, else the registry default)")
    ap.add_argument("--no-model", action="store_true", help="do not fetch a model")
    ns = ap.parse_args()

    if sys.version_info < (3, 10):  # noqa: UP036 - this file runs under any python3
        print("error: bestcase needs Python 3.10 or newer.", file=sys.stderr)
        return 1
    if not PY.exists():
        step(f"creating {VENV}")
        venv.EnvBuilder(with_pip=True).create(VENV)

    step("llama-cpp-python (compiled from source the first time; cached afterwards)")
    preset = ns.preset
    if preset == "auto":
        sys.path.insert(0, str(REPO / "src"))
        from bestcase_core.build import auto_preset

        preset = auto_preset()
    rc = run([str(PY), "scripts/install_llama.py", "--preset", preset])
    if rc != 0 and ns.preset == "auto" and preset.startswith("cuda"):
        step(f"the {preset} build failed; falling back to the CPU build")
        rc = run([str(PY), "scripts/install_llama.py", "--preset", "cpu"])
    if rc != 0:
        return rc

    extra = ".[dev]" if ns.dev else "."
    stamp = VENV / f"bestcase-install{'-dev' if ns.dev else ''}.sha256"
    want = hashlib.sha256((REPO / "pyproject.toml").read_bytes()).hexdigest()
    if not (stamp.exists() and stamp.read_text().strip() == want):
        step(f"installing the package and its dependencies ({extra})")
        rc = run([str(PY), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", extra])
        if rc != 0:
            return rc
        stamp.write_text(want)

    if not ns.no_model:
        step("model weights (sha256-checked)")
        args = [str(PY), "scripts/fetch_model.py"] + ([ns.model] if ns.model else [])
        rc = run(args)
        if rc != 0:
            return rc
    step("ready")
    return 0


if __name__ == "__main__":
    sys.exit(main())
