"""``bestcase status``: what the MCP tool ``scan_status`` returns, from the same function."""

from __future__ import annotations

import argparse
from typing import Any

from ..settings import setting_help
from .scan import add_store_options


def add(sub: Any) -> None:
    p = sub.add_parser(
        "status",
        help="the last scan, whether one runs now, the store's size (as MCP's scan_status)",
        description="Print, as one JSON object, what the MCP tool scan_status returns: the last scan's "
        "summary and time, the model, whether a scan runs now, and the store's size.",
    )
    add_store_options(p)
    p.add_argument("--model", help=setting_help("model"))
    p.set_defaults(run=run)


def run(ns: argparse.Namespace) -> int:
    from ..settings import load_settings
    from ..status import scan_status
    from ..store import BestCaseStorage

    settings = load_settings(model=ns.model, projects_path=ns.root, storage_path=ns.storage)
    store = BestCaseStorage(settings.storage_for(settings.projects_path))
    print(scan_status(settings, store).model_dump_json(indent=2))
    return 0
