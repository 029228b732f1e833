#!/usr/bin/env python3
"""``python scripts/doctor.py ...`` is ``bestcase doctor ...`` (see ``bestcase doctor --help``)."""

from __future__ import annotations

import _common

if __name__ == "__main__":
    _common.run_subcommand("doctor")
