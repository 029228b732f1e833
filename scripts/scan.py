#!/usr/bin/env python3
"""``python scripts/scan.py ...`` is ``bestcase scan ...``; ``scan.py backup|restore DIR`` is
``bestcase backup|restore DIR``. See ``bestcase scan --help``.
"""

from __future__ import annotations

import sys

import _common

if __name__ == "__main__":
    if sys.argv[1:2] in (["backup"], ["restore"]):
        _common.run_subcommand(sys.argv.pop(1))
    _common.run_subcommand("scan")
