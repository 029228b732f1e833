#!/usr/bin/env python3
"""bestcase against the seed's method, side by side, on real Nuxt code from npm.

    python scripts/bench.py [run] [--model qwen2.5-coder:1.5b] [--files 40] [--no-quality] [--no-seed]
                            [--doc docs/benchmarks.md] [--json PATH] [--key NAME]
                            [--seed-tokens N]      # random-weight runs: fix (a)'s output length
    python scripts/bench.py calibrate [--model NAME] [--files 45]
                            # fit the model's score calibration on the corpus, into models/registry.json

The npm packages are fetched once into .cache/npm (never committed). Speed is
measured in one process, on the same files, model and machine; the results go
to the terminal and to a section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import tempfile
from pathlib import Path

import _common
from _common import REPO


def main() -> int:
    from bestcase_core.bench.markdown import render, save_json, write_section
    from bestcase_core.bench.run import run_benchmark
    from bestcase_core.settings import load_settings

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("action", nargs="?", choices=["run", "calibrate"], default="run")
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

    if ns.action == "calibrate":
        from bestcase_core.bench.calibration import fit_calibration

        cal = fit_calibration(settings, files=ns.files or 45, work=work, command=command.strip(), log=log)
        print(
            f"{settings.model_name()}: raw median {cal.p50}, 90th percentile {cal.p90} over {cal.files} files "
            f"(rubric {cal.rubric_version}); written to models/registry.json"
        )
        return 0

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
