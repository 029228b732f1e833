"""``bestcase backup`` and ``bestcase restore``: the store copied out, and back in."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .scan import add_store_options


def add(sub: Any) -> None:
    b = sub.add_parser(
        "backup",
        help="copy the store out, consistently (even during a scan)",
        description="Copy every record and the index of the store to DEST, consistently, even during a scan.",
    )
    b.add_argument("target", type=Path, metavar="DEST", help="backup destination folder")
    add_store_options(b)
    b.set_defaults(run=run_backup)
    r = sub.add_parser(
        "restore",
        help="copy a backup back into the store",
        description="Check every file of the backup at SRC, then restore the good ones into the store. "
        "A damaged file is skipped and listed (exit status 1). Refuses while a scan holds the store.",
    )
    r.add_argument("target", type=Path, metavar="SRC", help="a folder written by bestcase backup")
    add_store_options(r)
    r.set_defaults(run=run_restore)


def _store(ns: argparse.Namespace) -> Any:
    from ..settings import load_settings
    from ..store import BestCaseStorage

    settings = load_settings(projects_path=ns.root, storage_path=ns.storage)
    return BestCaseStorage(settings.storage_for(settings.projects_path))


def run_backup(ns: argparse.Namespace) -> int:
    print(f"backup: {len(_store(ns).backup(ns.target))} file(s) to {ns.target}")
    return 0


def run_restore(ns: argparse.Namespace) -> int:
    report = _store(ns).restore(ns.target)
    print(f"restore: {len(report.restored)} file(s) from {ns.target}")
    for problem in report.skipped:
        print(f"  skipped          {problem.file}: {problem.reason}")
    return 1 if report.skipped else 0
