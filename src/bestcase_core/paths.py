"""Where bestcase's own files are: the repository root and its ``models/`` folder."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
#: The checkout this package runs from (``src/bestcase_core`` -> repo root).
REPO_ROOT = PACKAGE_DIR.parents[1]
