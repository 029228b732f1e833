#!/usr/bin/env python3
"""Score source files with the local model.

    python scripts/score.py FILE... [--model NAME] [--root DIR] [--threshold N] [--json]

The role of each file comes from its path relative to --root (default: the
current folder), e.g. composables/useCart.ts is a composable.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import _common


def main() -> int:
    from bestcase_core.errors import InputFileError
    from bestcase_core.scorer import Scorer
    from bestcase_core.settings import load_settings

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="+", type=Path)
    ap.add_argument("--model")
    ap.add_argument("--root", type=Path, default=Path.cwd())
    ap.add_argument("--threshold", type=float, help="exemplar threshold (default 85)")
    ap.add_argument("--json", action="store_true", help="one FileScore JSON per line")
    ns = ap.parse_args()
    settings = load_settings(model=ns.model, exemplar_threshold=ns.threshold)
    scorer = Scorer(settings=settings)
    failed = 0
    if not ns.json:
        print(f"{'overall':>7}  {'role':12} file", file=sys.stdout)
    for f in ns.files:
        try:
            rel = f.resolve().relative_to(ns.root.resolve()).as_posix()
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


if __name__ == "__main__":
    _common.run_cli(main)
