"""``bestcase``: one command with a subcommand per job.

    bestcase scan     --root DIR          score a workspace, keep each project's best files
    bestcase score    FILE...             score single files
    bestcase fetch    [NAME]              download a model (sha256-checked)
    bestcase doctor   [--load] [--json]   the build, the GPU, the model and the offload plan
    bestcase mcp      [--root DIR]        the MCP server for editors (stdio or --http)
    bestcase bench    [run|quality|fit]   speed and quality benchmarks
    bestcase backup   DEST                copy the store out, consistently
    bestcase restore  SRC                 copy a backup back in
    bestcase status                       the last scan, whether one runs, the store (as MCP's scan_status)

Each subcommand is a small module here that parses its options and calls the package.
Defaults shown by ``--help`` come from :class:`bestcase_core.settings.Settings`.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from importlib import import_module

#: The modules that each add one or more subcommands, in the order ``--help`` lists them. They are
#: imported when the parser is built: ``run_cli`` runs with the standard library alone (bootstrap's
#: llama-cpp-python build runs it before the dependencies are installed).
_MODULES = ("scan", "score", "fetch", "doctor", "mcp", "bench", "store", "status")


def build_parser(prog: str = "bestcase") -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog=prog,
        description="Find a team's best Nuxt/Vue/TypeScript files with a local model and serve them over MCP. "
        "Each command has its own --help.",
    )
    from .. import __version__

    ap.add_argument("--version", action="version", version=f"bestcase {__version__}")
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in _MODULES:
        import_module(f"{__name__}.{name}").add(sub)
    return ap


def run_cli(func: Callable[[], int | None]) -> int:
    """Run ``func``; a bestcase error or a bad argument is one ``error:`` line and a non-zero status."""
    from ..errors import BestcaseError, CLIError

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s", stream=sys.stderr)
    logging.getLogger("huggingface_hub").setLevel(logging.ERROR)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        return func() or 0
    except CLIError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BestcaseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (``bestcase status | head``): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


def main(argv: Sequence[str] | None = None, prog: str = "bestcase") -> int:
    """The ``bestcase`` command; ``argv`` defaults to ``sys.argv[1:]``. Returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    ns = build_parser(prog).parse_args(args)
    ns.argv = args
    return run_cli(lambda: ns.run(ns))
