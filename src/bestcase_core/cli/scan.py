"""``bestcase scan``: score a workspace and keep each project's best files in ``.bestcases/``."""

from __future__ import annotations

import argparse
import json
import re
import signal
import sys
import threading
from functools import partial
from pathlib import Path
from typing import Any

from ..settings import setting_help

HELP = """Scan a workspace of Nuxt projects and keep each project's best files in .bestcases/.

Only files whose content, model or rubric changed are scored again. --every
keeps scanning on that schedule until SIGINT/SIGTERM; the file being scored is
finished, nothing is left half-written. SIGUSR1 starts the next scan now. A
scan that fails there ends that scan only: each one logs a line (to stderr and
<store>/scan.log) and the next comes at its time. --ray scores on a Ray cluster
(docs/scale.md); this process still reads the workspace and writes the store.
"""


def add_store_options(p: argparse.ArgumentParser) -> None:
    """``--root`` and ``--storage``: which store a command works on."""
    p.add_argument("--root", type=Path, help=setting_help("projects_path"))
    p.add_argument("--storage", type=Path, help=setting_help("storage_path"))


def add(sub: Any) -> None:
    p = sub.add_parser(
        "scan",
        help="score a workspace, keep each project's best files",
        description=HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_store_options(p)
    p.add_argument("--model", help=setting_help("model"))
    p.add_argument("--min-score", type=float, help=setting_help("exemplar_threshold"))
    p.add_argument("--max-files", type=int, help=setting_help("max_files"))
    p.add_argument("--keep", type=int, help=setting_help("keep"))
    p.add_argument("--judge", choices=["static", "hybrid"], help=setting_help("judge"))
    p.add_argument("--model-reads", choices=["contenders", "all"], help=setting_help("model_reads"))
    p.add_argument("--force", action="store_true", help="score every file again")
    p.add_argument("--all-projects", action="store_true", help="also scan JS/TS projects without Nuxt")
    p.add_argument("--every", help="keep scanning on this schedule (6h, 30m, ...) until stopped")
    p.add_argument(
        "--lock-wait",
        metavar="DURATION",
        help="how long to wait for another scan holding the store before giving up "
        "(default: not at all; with --every, half the interval, at most 10m)",
    )
    p.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    p.add_argument("--no-progress", action="store_true", help="no progress bar even on a terminal")
    from ..ray_scan import add_ray_arguments

    p.set_defaults(run=run, ray_options=add_ray_arguments(p))


def parse_duration(text: str, option: str = "--every", minimum: float = 1.0) -> float:
    """'6h', '30m', '90s', '1d', '1h30m' -> seconds."""
    from ..errors import CLIError

    parts = re.findall(r"(\d+(?:\.\d+)?)\s*([dhms])", text.strip().lower())
    if not parts or "".join(n + u for n, u in parts) != re.sub(r"\s+", "", text.strip().lower()):
        raise CLIError(f"{option} takes a duration such as 6h, 30m or 1h30m; got {text!r}")
    seconds = sum(float(n) * {"d": 86400, "h": 3600, "m": 60, "s": 1}[u] for n, u in parts)
    if seconds < minimum:
        raise CLIError(f"{option} must be at least {minimum:g} second(s)")
    return seconds


def print_summary(s: Any) -> None:
    out = sys.stdout
    print(f"bestcase scan of {s.root}", file=out)
    print(
        f"  judge            {s.judge}: {s.model} (rubric {s.rubric_version}); "
        f"GPU layers {s.gpu_layers or 'not loaded'}",
        file=out,
    )
    print(f"  projects         {s.projects} found, {s.projects_scanned} scanned", file=out)
    print(
        f"  files            {s.files_scored} scored, {s.files_unchanged} unchanged, {len(s.files_failed)} failed",
        file=out,
    )
    if s.judge == "hybrid" and s.files_scored:
        print(
            f"  model read       {s.files_read_by_model} of {s.files_scored} files "
            "(the others could not be exemplars on their facts)",
            file=out,
        )
    if s.seconds_per_file is not None:
        print(
            f"  speed            {s.seconds_per_file:.2f} s/file (median {s.median_seconds_per_file:.2f}), "
            f"{s.files_per_second or 0:.2f} files/s, {s.seconds:.1f} s in all",
            file=out,
        )
    else:
        print(
            f"  speed            {s.seconds:.2f} s in all"
            + (f", {s.files_per_second:.0f} files/s checked" if s.files_per_second else ""),
            file=out,
        )
    print(f"  exemplars        {s.exemplars}", file=out)
    if s.closest:
        print(
            f"  closest          {s.closest}: no file with something to teach reached {s.exemplar_threshold:g}"
            " (`--min-score` sets the bar)",
            file=out,
        )
    if s.gpu is not None:
        print(f"  gpu              {s.gpu.line()}", file=out)
    for f in s.files_failed:
        print(f"  failed           {f.project}/{f.path}: {f.reason}", file=out)
    for f in s.skipped:
        print(f"  skipped          {f.path}: {f.reason}", file=out)
    for p in s.projects_removed:
        print(f"  removed          {p} (no longer in the workspace)", file=out)
    for p in s.bestcases_written:
        print(f"  wrote            {p}", file=out)
    if s.report:
        print(f"  report           {s.report}", file=out)
    if s.stopped:
        print("  stopped early; run again to resume (nothing scored is lost)", file=out)


def run(ns: argparse.Namespace) -> int:
    from ..errors import CLIError
    from ..scan import run_scan
    from ..settings import load_settings

    settings = load_settings(
        model=ns.model,
        projects_path=ns.root,
        storage_path=ns.storage,
        exemplar_threshold=ns.min_score,
        max_files=ns.max_files,
        keep=ns.keep,
        judge=ns.judge,
        model_reads=ns.model_reads,
    )
    root = settings.projects_path
    if root is None:
        raise CLIError("No workspace root: pass --root DIR or set PROJECTS_PATH (bestcase scan --root DIR).")
    ray = ns.ray_options(ns, settings)
    if ray is None:
        scan = run_scan
    else:
        from ..ray_scan import run_ray_scan

        scan = partial(run_ray_scan, options=ray)

    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        print(f"\nreceived signal {signum}: finishing the current file, then stopping", file=sys.stderr)
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    lock_wait = None if ns.lock_wait is None else parse_duration(ns.lock_wait, "--lock-wait", 0.0)
    if ns.every:
        from ..service import run_every

        wake = threading.Event()
        if hasattr(signal, "SIGUSR1"):  # not on Windows
            signal.signal(signal.SIGUSR1, lambda signum, frame: wake.set())

        def on_tick(tick: Any) -> None:
            if ns.json and tick.summary is not None:
                print(json.dumps(tick.summary.model_dump(mode="json")), flush=True)

        return run_every(
            Path(root),
            settings,
            parse_duration(ns.every),
            force=ns.force,
            all_projects=ns.all_projects,
            stop=stop,
            wake=wake,
            lock_wait=lock_wait,
            on_tick=on_tick,
            scan=scan,
        )
    summary = scan(
        Path(root),
        settings,
        force=ns.force,
        all_projects=ns.all_projects,
        stop=stop,
        lock_wait=lock_wait or 0.0,
        progress=False if ns.no_progress else None,
    )
    if ns.json:
        print(json.dumps(summary.model_dump(mode="json")), flush=True)
    else:
        print_summary(summary)
        sys.stdout.flush()
    return 0
