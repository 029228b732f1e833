#!/usr/bin/env python3
"""Scan a workspace of Nuxt projects and keep each project's best files in .bestcases/.

    python scripts/scan.py [--root DIR] [--model NAME] [--storage DIR] [--min-score N]
                           [--max-files N] [--keep N] [--force] [--all-projects] [--json]
                           [--every 6h] [--ray [ADDRESS] [--actors N] [--gpus-per-actor F]]
    python scripts/scan.py backup DEST [--root DIR | --storage DIR]
    python scripts/scan.py restore SRC [--root DIR | --storage DIR]

Only files whose content, model or rubric changed are scored again. --every
keeps scanning on that schedule until SIGINT/SIGTERM; the file being scored is
finished, nothing is left half-written. A scan that fails there ends that scan
only: each one logs a line (to stderr and <store>/scan.log) and the next comes
at its time. --ray scores on a Ray cluster (docs/scale.md); this process still
reads the workspace and writes the store.
"""

from __future__ import annotations

import argparse
import json
import re
import signal
import sys
import threading
from functools import partial
from pathlib import Path

import _common


def parse_duration(text: str) -> float:
    """'6h', '30m', '90s', '1d', '1h30m' -> seconds."""
    from bestcase_core.errors import CLIError

    parts = re.findall(r"(\d+(?:\.\d+)?)\s*([dhms])", text.strip().lower())
    if not parts or "".join(n + u for n, u in parts) != re.sub(r"\s+", "", text.strip().lower()):
        raise CLIError(f"--every takes a duration such as 6h, 30m or 1h30m; got {text!r}")
    seconds = sum(float(n) * {"d": 86400, "h": 3600, "m": 60, "s": 1}[u] for n, u in parts)
    if seconds < 1:
        raise CLIError("--every must be at least one second")
    return seconds


def print_summary(s) -> None:  # type: ignore[no-untyped-def]
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


def main() -> int:
    from bestcase_core.errors import CLIError
    from bestcase_core.ray_scan import add_ray_arguments, run_ray_scan
    from bestcase_core.scan import run_scan
    from bestcase_core.settings import load_settings
    from bestcase_core.store import BestCaseStorage

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("action", nargs="?", choices=["backup", "restore"], help="copy the store out or back in")
    ap.add_argument("target", nargs="?", type=Path, help="backup destination or restore source")
    ap.add_argument("--root", type=Path, help="workspace root (default: PROJECTS_PATH)")
    ap.add_argument("--model", help="registry name or .gguf path (default: LLM_MODEL, else qwen2.5-coder:1.5b)")
    ap.add_argument(
        "--storage", type=Path, help="store folder (default: BESTCASE_STORAGE_PATH, else <root>/.bestcases)"
    )
    ap.add_argument("--min-score", type=float, help="exemplar threshold, 0-100 (default 85)")
    ap.add_argument("--max-files", type=int, help="files per project (default 50)")
    ap.add_argument("--keep", type=int, help="records kept per project (default 3)")
    ap.add_argument(
        "--judge",
        choices=["static", "hybrid"],
        help="static: parser facts only, no model (thousands of files/s); hybrid: facts and the model (default)",
    )
    ap.add_argument("--force", action="store_true", help="score every file again")
    ap.add_argument("--all-projects", action="store_true", help="also scan JS/TS projects without Nuxt")
    ap.add_argument("--every", help="keep scanning on this schedule (6h, 30m, ...) until stopped")
    ap.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    ap.add_argument("--no-progress", action="store_true", help="no progress bar even on a terminal")
    ray_options = add_ray_arguments(ap)
    ns = ap.parse_args()

    settings = load_settings(
        model=ns.model,
        projects_path=ns.root,
        storage_path=ns.storage,
        exemplar_threshold=ns.min_score,
        max_files=ns.max_files,
        keep=ns.keep,
        judge=ns.judge,
    )
    root = settings.projects_path
    if ns.action:
        if ns.target is None:
            raise CLIError(f"{ns.action} needs a folder: scan.py {ns.action} PATH")
        store = BestCaseStorage(settings.storage_for(root))
        if ns.action == "backup":
            print(f"backup: {len(store.backup(ns.target))} file(s) to {ns.target}")
            return 0
        report = store.restore(ns.target)
        print(f"restore: {len(report.restored)} file(s) from {ns.target}")
        for problem in report.skipped:
            print(f"  skipped          {problem.file}: {problem.reason}")
        return 1 if report.skipped else 0
    if root is None:
        raise CLIError("No workspace root: pass --root DIR or set PROJECTS_PATH.")

    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        print(f"\nreceived signal {signum}: finishing the current file, then stopping", file=sys.stderr)
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    ray = ray_options(ns, settings)
    scan = run_scan if ray is None else partial(run_ray_scan, options=ray)
    if ns.every:
        from bestcase_core.service import run_every

        def on_tick(tick) -> None:  # type: ignore[no-untyped-def]
            if ns.json and tick.summary is not None:
                print(json.dumps(tick.summary.model_dump(mode="json")), flush=True)

        return run_every(
            Path(root),
            settings,
            parse_duration(ns.every),
            force=ns.force,
            all_projects=ns.all_projects,
            stop=stop,
            on_tick=on_tick,
            scan=scan,
        )
    summary = scan(
        Path(root),
        settings,
        force=ns.force,
        all_projects=ns.all_projects,
        stop=stop,
        progress=False if ns.no_progress else None,
    )
    if ns.json:
        print(json.dumps(summary.model_dump(mode="json")), flush=True)
    else:
        print_summary(summary)
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    _common.run_cli(main)
