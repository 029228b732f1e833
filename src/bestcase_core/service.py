"""The scan on a schedule (``bestcase scan --every 6h``): a loop that nothing it meets can end.

Each tick is one :func:`~bestcase_core.scan.run_scan`. Whatever goes wrong in a
tick (the root gone for a moment, the model missing, the disk full, the index
damaged, another scan holding the lock) ends that tick only: it is logged as one
line that says what to do, and the next tick comes at its time. Only a signal
(SIGINT, SIGTERM, or ``stop.set()``) ends the loop, between two files. ``wake``
(SIGUSR1 in ``bestcase scan --every``) starts the next tick now instead of at
its time; one that arrives during a tick starts another right after it.

Every tick writes exactly one line, to stderr and to ``<store>/scan.log``::

    2025-06-01T06:00:00Z scan 12 done: 14 projects, 3 scored, 497 unchanged, 1 failed, 38 exemplars, 41.2 s
    2025-06-01T12:00:00Z scan 13 failed after 0.1 s: Workspace root /srv/ws is not a folder ... Pass --root ...
    2025-06-01T18:00:00Z scan 14 skipped after 600.0 s: Another scan is writing to /srv/ws/.bestcases ...
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sqlite3
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal, TextIO

from .errors import BestcaseError, ScanBusyError
from .scan import ScanSummary, run_scan
from .settings import Settings

log = logging.getLogger(__name__)

#: The tick log, in the storage folder.
TICK_LOG = "scan.log"
#: Past this size the tick log is renamed to ``scan.log.1`` (one generation kept).
TICK_LOG_MAX_BYTES = 1024 * 1024
#: The longest a tick waits for another scan of the same store before it is skipped.
MAX_LOCK_WAIT = 600.0


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _one_line(text: str) -> str:
    first = " ".join(str(text).split("\n", 1)[0].split())
    return first[:600]


@dataclass
class Tick:
    """What one tick did."""

    number: int
    at: str
    status: Literal["done", "stopped", "skipped", "failed"]
    seconds: float
    summary: ScanSummary | None = None
    message: str = ""

    def line(self) -> str:
        s = self.summary
        if s is not None:
            return (
                f"{self.at} scan {self.number} {self.status}: {s.projects} projects, {s.files_scored} scored, "
                f"{s.files_unchanged} unchanged, {len(s.files_failed)} failed, {s.exemplars} exemplars, "
                f"{self.seconds:.1f} s"
            )
        return f"{self.at} scan {self.number} {self.status} after {self.seconds:.1f} s: {self.message}"


def explain(exc: BaseException) -> str:
    """One line for a tick that failed: what went wrong and what to do (bestcase's own errors say both)."""
    if isinstance(exc, BestcaseError):
        return _one_line(str(exc)) + " (the next scan tries again)"
    if isinstance(exc, sqlite3.Error):
        return (
            f"index error: {_one_line(str(exc))}; another program may hold index.sqlite, or the disk is full. "
            "The next scan tries again (a damaged index is moved aside and rebuilt)."
        )
    if isinstance(exc, MemoryError):
        return "out of memory; pick a smaller model or lower BESTCASE_CTX. The next scan tries again."
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        return (
            f"{exc.strerror or exc}{where}; check that the disk has room and the folders can be read and written. "
            "The next scan tries again."
        )
    return (
        f"internal error {exc!r}; the next scan tries again. If it repeats, report it with the traceback logged above."
    )


class TickLog:
    """One line per tick, to a stream and appended to a file; neither failing stops anything."""

    def __init__(self, path: Path | None, stream: TextIO | None) -> None:
        self.path = path
        self.stream = stream

    def write(self, line: str) -> None:
        """The file first, then the stream: whoever sees the line on the stream finds it in the file."""
        if self.path is not None:
            self._append(line)
        if self.stream is not None:
            with contextlib.suppress(OSError, ValueError):
                print(line, file=self.stream, flush=True)

    def _append(self, line: str) -> None:
        assert self.path is not None
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self.path.stat().st_size > TICK_LOG_MAX_BYTES:
                os.replace(self.path, self.path.with_name(self.path.name + ".1"))
        with contextlib.suppress(OSError):
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, (line + "\n").encode("utf-8", "replace"))
            finally:
                os.close(fd)


def run_tick(
    number: int,
    root: Path,
    settings: Settings,
    *,
    storage: Path | None = None,
    force: bool = False,
    all_projects: bool = False,
    stop: threading.Event | None = None,
    lock_wait: float = 0.0,
    scan: Callable[..., ScanSummary] = run_scan,
) -> Tick:
    """One scan; never raises (except KeyboardInterrupt/SystemExit)."""
    at = _now()
    started = time.perf_counter()

    def took() -> float:
        return round(time.perf_counter() - started, 3)

    try:
        summary = scan(
            root,
            settings,
            storage=storage,
            force=force,
            all_projects=all_projects,
            stop=stop,
            progress=False,
            lock_wait=lock_wait,
        )
    except ScanBusyError as exc:
        return Tick(number, at, "skipped", took(), message=_one_line(str(exc)))
    except Exception as exc:
        if not isinstance(exc, BestcaseError):
            log.error("scan %d failed", number, exc_info=exc)
        return Tick(number, at, "failed", took(), message=explain(exc))
    return Tick(number, at, "stopped" if summary.stopped else "done", took(), summary=summary)


def run_every(
    root: Path,
    settings: Settings,
    interval: float,
    *,
    storage: Path | None = None,
    force: bool = False,
    all_projects: bool = False,
    stop: threading.Event | None = None,
    wake: threading.Event | None = None,
    lock_wait: float | None = None,
    on_tick: Callable[[Tick], Any] | None = None,
    stream: TextIO | None = sys.stderr,
    scan: Callable[..., ScanSummary] = run_scan,
) -> int:
    """Scan now, then every ``interval`` seconds, until ``stop`` is set; returns 0.

    Setting ``wake`` starts the next scan at once (it is cleared when a scan starts).
    ``lock_wait`` (default: half the interval, at most 10 minutes) is how long a
    tick waits for another scan of the same store before it is skipped.
    """
    stop = stop or threading.Event()
    wake = wake or threading.Event()
    wait = min(interval / 2, MAX_LOCK_WAIT) if lock_wait is None else lock_wait
    try:
        store_path: Path | None = Path(storage) if storage else settings.storage_for(root)
    except BestcaseError:
        store_path = None
    ticks = TickLog(store_path / TICK_LOG if store_path is not None else None, stream)
    _survive_file_size_limits()
    ticks.write(
        f"{_now()} scanning {root} every {_duration(interval)}, one line per scan"
        + (f" (also in {store_path / TICK_LOG})" if store_path is not None else "")
    )
    number = 0
    while not stop.is_set():
        number += 1
        wake.clear()
        tick = run_tick(
            number,
            Path(root),
            settings,
            storage=storage,
            force=force and number == 1,
            all_projects=all_projects,
            stop=stop,
            lock_wait=wait,
            scan=scan,
        )
        ticks.write(tick.line())
        if on_tick is not None:
            try:
                on_tick(tick)
            except Exception:
                log.exception("reporting scan %d failed", number)
        if _sleep(interval, stop, wake):
            break
    ticks.write(f"{_now()} stopped after {number} scan(s)")
    return 0


def _sleep(interval: float, stop: threading.Event, wake: threading.Event) -> bool:
    """Wait until the next tick is due or ``wake`` is set; True if ``stop`` was set meanwhile."""
    end = time.monotonic() + interval
    while not stop.is_set() and not wake.is_set():
        left = end - time.monotonic()
        if left <= 0:
            break
        stop.wait(min(left, 0.2))  # two events cannot be waited on at once: look at both five times a second
    return stop.is_set()


def _duration(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def _survive_file_size_limits() -> None:
    """A file-size limit (RLIMIT_FSIZE, a quota) must fail the write, not kill the process with SIGXFSZ."""
    sig = getattr(signal, "SIGXFSZ", None)
    if sig is None or threading.current_thread() is not threading.main_thread():
        return
    with contextlib.suppress(ValueError, OSError):
        signal.signal(sig, signal.SIG_IGN)
