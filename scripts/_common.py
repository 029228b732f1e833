"""Shared by the scripts in this folder: find the package in a checkout, run a ``bestcase`` subcommand."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO / "src") not in sys.path:  # run from a checkout without an install
    sys.path.insert(0, str(REPO / "src"))


def run_cli(main: Callable[[], int | None]) -> None:
    """Run ``main``; a bestcase error or a bad argument prints one line and exits non-zero."""
    from bestcase_core.cli import run_cli as run

    sys.exit(run(main))


def run_subcommand(*command: str) -> None:
    """``python scripts/X.py ARGS`` = ``bestcase COMMAND ARGS``: the script is a thin shim."""
    from bestcase_core.cli import main

    sys.exit(main([*command, *sys.argv[1:]]))
