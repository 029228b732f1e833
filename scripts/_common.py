"""Shared by the scripts in this folder: find the package, turn errors into one clean line."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO / "src") not in sys.path:  # run from a checkout without an install
    sys.path.insert(0, str(REPO / "src"))


def run_cli(main: Callable[[], int | None]) -> None:
    """Run ``main``; a bestcase error or a bad argument prints one line and exits non-zero."""
    from bestcase_core.errors import BestcaseError, CLIError

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s", stream=sys.stderr)
    logging.getLogger("huggingface_hub").setLevel(logging.ERROR)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        code = main()
    except CLIError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    except BestcaseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    sys.exit(code or 0)
