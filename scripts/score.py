#!/usr/bin/env python3
"""``python scripts/score.py ...`` is ``bestcase score ...`` (see ``bestcase score --help``)."""

from __future__ import annotations

import _common

if __name__ == "__main__":
    _common.run_subcommand("score")
