#!/usr/bin/env python3
"""``python scripts/fetch_model.py ...`` is ``bestcase fetch ...`` (see ``bestcase fetch --help``)."""

from __future__ import annotations

import _common

if __name__ == "__main__":
    _common.run_subcommand("fetch")
