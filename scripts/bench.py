#!/usr/bin/env python3
"""``python scripts/bench.py ...`` is ``bestcase bench ...`` (see ``bestcase bench --help``)."""

from __future__ import annotations

import _common

if __name__ == "__main__":
    _common.run_subcommand("bench")
