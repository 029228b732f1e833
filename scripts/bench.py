#!/usr/bin/env python3
"""bestcase against the seed's method, side by side, on real Nuxt code from npm.

    python scripts/bench.py [run] [--model qwen2.5-coder:1.5b] [--files 40] [--no-quality] [--no-seed]
                            [--doc docs/benchmarks.md] [--json PATH] [--key NAME]
                            [--seed-tokens N]      # random-weight runs: fix (a)'s output length
    python scripts/bench.py quality [--judges static,hybrid:qwen2.5-coder:1.5b,...] [--per-package 2]
                            [--repos DIR] [--ctx 4096] [--known-max-files 12] [--no-known]
                            # judges side by side on synthetic, natural and known-group suites
    python scripts/bench.py fit [--judge static|hybrid:MODEL] [--per-package 2] [--repos DIR] [--ctx 4096]
                            # fit the judge's weights on the fit split, into judge_weights.json
    python scripts/bench.py scale [--model qwen2.5-coder:0.5b] [--files 8] [--actors 1,2,4] [--ctx 3072]
                            # files/s with 1, 2, 4 Ray actors, and N actors x T threads against 1 x N*T

The npm packages are fetched once into .cache/npm (never committed). Speed is
measured in one process, on the same files, model and machine; the results go
to the terminal and to a section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

import _common
from _common import REPO


def main() -> int:
    from bestcase_core.bench.markdown import render, save_json, write_section
    from bestcase_core.bench.run import run_benchmark
    from bestcase_core.settings import load_settings

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("action", nargs="?", choices=["run", "quality", "fit", "scale"], default="run")
    ap.add_argument(
        "--judges",
        default="static,hybrid:qwen2.5-coder:0.5b,hybrid:qwen2.5-coder:1.5b,r2:qwen2.5-coder:1.5b,seed:qwen2.5-coder:1.5b",
        help="quality: judges to compare (static, hybrid:MODEL, r2:MODEL = rubric 2026.11-r2, seed:MODEL)",
    )
    ap.add_argument("--judge", default="static", help="fit: static or hybrid:MODEL")
    ap.add_argument("--actors", default="1,2,4", help="scale: actor counts to run side by side (one thread each)")
    ap.add_argument("--per-package", type=int, default=2, help="synthetic suite: corpus files per npm package")
    ap.add_argument("--repos", type=Path, help="folder with the natural and known-group repositories (else cloned)")
    ap.add_argument("--ctx", type=int, default=3072, help="context for the model judges in quality and fit")
    ap.add_argument("--known-max-files", type=int, default=12, help="known groups: files per project")
    ap.add_argument("--no-known", action="store_true", help="quality: skip the known-groups suite")
    ap.add_argument(
        "--cached-only",
        action="store_true",
        help="quality, fit: only pairs and files whose model answers are cached (no model run)",
    )
    ap.add_argument("--model", help="registry name or .gguf path (default: LLM_MODEL, else qwen2.5-coder:1.5b)")
    ap.add_argument("--files", type=int, help="use only this many files (round-robin over the projects)")
    ap.add_argument("--max-files", type=int, default=50, help="files per project, as the scan (default 50)")
    ap.add_argument("--no-quality", action="store_true", help="skip the original-vs-degraded quality block")
    ap.add_argument("--no-seed", action="store_true", help="skip run (a)")
    ap.add_argument("--no-2000", action="store_true", help="skip the 2,000-file warm rescan")
    ap.add_argument("--seed-tokens", type=int, help="fix (a)'s generated length (random-weight models)")
    ap.add_argument("--threshold", type=float, help="exemplar threshold for (b) (default 85)")
    ap.add_argument("--work", type=Path, help="scratch folder (default: a temporary one)")
    ap.add_argument("--doc", type=Path, default=REPO / "docs" / "benchmarks.md")
    ap.add_argument("--key", help="section name in the doc (default: the model's file name)")
    ap.add_argument("--json", type=Path, help="also write the raw figures as JSON here")
    ns = ap.parse_args()
    settings = load_settings(model=ns.model, max_files=ns.max_files, exemplar_threshold=ns.threshold)
    command = "python scripts/bench.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    work = ns.work or Path(tempfile.mkdtemp(prefix="bestcase-bench-"))

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    if ns.action == "scale":
        from bestcase_core.bench.scale import render_scale, run_scale

        settings = settings.model_copy(update={"n_ctx": ns.ctx, "vram_mb": 0})
        actors = tuple(int(a) for a in ns.actors.split(","))
        scale = run_scale(settings, work, command.strip(), files=ns.files or 8, actors=actors, log=log)
        text = render_scale(scale)
        print(text)
        write_section(ns.doc, "scale", text, "# Benchmarks\n")
        if ns.json:
            ns.json.write_text(json.dumps(asdict(scale), indent=1), "utf-8")
        print(f"wrote {ns.doc} (section scale)", file=sys.stderr)
        return 0

    if ns.action in ("quality", "fit"):
        from bestcase_core.bench.report import fit_command, quality_command

        settings = settings.model_copy(update={"n_ctx": ns.ctx, "vram_mb": settings.vram_mb})
        run = fit_command if ns.action == "fit" else quality_command
        return run(ns, settings, work, command.strip(), log)

    result = run_benchmark(
        settings,
        files=ns.files,
        work=work,
        command=command.strip(),
        quality=not ns.no_quality,
        seed_run=not ns.no_seed,
        fixed_seed_tokens=ns.seed_tokens,
        rescan_2000=not ns.no_2000,
        log=log,
    )
    if ns.seed_tokens:
        result.notes.append(
            f"(a) generated exactly {ns.seed_tokens} tokens per file (EOS ignored), the median "
            "measured with the real weights: timings per token are real, the text is not."
        )
    text = render(result)
    print(text)
    key = ns.key or Path(settings.model_name()).name.replace(":", "-")
    header = (
        "# Benchmarks\n\nEach section is written by `scripts/bench.py` and says the machine, the date and the "
        "command. Figures are medians unless a column says otherwise; ratios compare runs made side by side "
        "in one process.\n"
    )
    write_section(ns.doc, key, text, header)
    if ns.json:
        save_json(result, ns.json)
    print(f"wrote {ns.doc} (section {key})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    _common.run_cli(main)
