"""Time as bestcase writes it: UTC, ISO 8601 with milliseconds and a ``Z`` (``2026-11-27T08:30:16.639Z``).

Records, the index and the MCP server all stamp times through these functions.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone


def now_ms() -> int:
    """Milliseconds since the epoch (what a record id ends with)."""
    return int(time.time() * 1000)


def iso(ms: int) -> str:
    """``ms`` since the epoch as ``YYYY-MM-DDTHH:MM:SS.mmmZ``."""
    return datetime.fromtimestamp(ms / 1000, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def now_iso() -> str:
    """Now, as :func:`iso` writes it."""
    return iso(now_ms())


def iso_ms(value: str) -> int:
    """An ISO 8601 time back to milliseconds since the epoch; 0 when it is not one."""
    try:
        stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return 0
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=timezone.utc)
    return int(stamp.timestamp() * 1000)
