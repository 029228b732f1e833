"""``bestcase score``: score single files with the judge."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..settings import setting_help


def add(sub: Any) -> None:
    p = sub.add_parser(
        "score",
        help="score single files",
        description="Score source files. The role of each file comes from its path relative to --root "
        "(default: the current folder), e.g. composables/useCart.ts is a composable.",
    )
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument("--model", help=setting_help("model"))
    p.add_argument("--root", type=Path, help="the project the files belong to (default: the current folder)")
    p.add_argument("--threshold", type=float, help=setting_help("exemplar_threshold"))
    p.add_argument("--judge", choices=["static", "hybrid"], help=setting_help("judge"))
    p.add_argument("--json", action="store_true", help="one FileScore JSON per line")
    p.set_defaults(run=run)


def run(ns: argparse.Namespace) -> int:
    from ..errors import InputFileError
    from ..scorer import Scorer
    from ..settings import load_settings

    settings = load_settings(model=ns.model, exemplar_threshold=ns.threshold, judge=ns.judge)
    scorer = Scorer(settings=settings)
    root = (ns.root or Path.cwd()).resolve()
    failed = 0
    if not ns.json:
        print(f"{'overall':>7}  {'role':12} file", file=sys.stdout)
    for f in ns.files:
        try:
            rel = f.resolve().relative_to(root).as_posix()
        except ValueError:
            rel = f.name
        try:
            result = scorer.score_file(f, rel)
        except InputFileError as exc:
            failed += 1
            print(f"skipped: {exc}", file=sys.stderr)
            continue
        if ns.json:
            print(result.model_dump_json())
        else:
            mark = " *exemplar*" if result.exemplar else ""
            print(f"{result.overall:7.1f}  {result.role.value:12} {rel}{mark}")
            dims = "  ".join(f"{k} {v:.0f}" for k, v in result.dimensions.items())
            print(f"{'':7}  {'':12} {dims}  ({result.seconds:.1f} s)")
            if result.reasons:
                print(f"{'':7}  {'':12} {result.reasons.summary}")
    return 1 if failed else 0
