"""The ``quality`` and ``fit`` actions of ``bestcase bench``: run, print, and write the benchmarks document."""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

from ..settings import Settings
from .judges import StaticJudge, cache_key
from .markdown import write_section
from .quality import (
    build_pairs,
    fit_judge,
    known_groups,
    make_judge,
    misses,
    render_known,
    render_quality,
    score_pairs,
    select_pairs,
)
from .run import machine
from .suites import corpus_files

HEADER = (
    "# Benchmarks\n\nEach section is written by `scripts/bench.py` and says the machine, the date and the "
    "command. Figures are medians unless a column says otherwise; ratios compare runs made side by side "
    "in one process.\n"
)


def static_throughput(per_package: int = 40) -> tuple[int, float, float]:
    """Files, median ms per file and files/s of the static layer (parse + facts) on corpus files."""
    from ..analysis import analyze

    files = corpus_files(per_package, max_bytes=256 * 1024)
    times = []
    started = time.perf_counter()
    for _, rel, text in files:
        t = time.perf_counter()
        analyze(text, rel)
        times.append(time.perf_counter() - t)
    total = time.perf_counter() - started
    return len(files), statistics.median(times) * 1000, len(files) / total


def quality_command(ns: Any, settings: Settings, work: Path, command: str, log: Any) -> int:
    natural_tsv = getattr(ns, "natural_tsv", None)
    pairs = select_pairs(build_pairs(ns.per_package, ns.repos, log, natural_tsv), getattr(ns, "pairs", "all"))
    log(f"{len(pairs)} pairs")
    judges = [make_judge(spec.strip(), settings) for spec in ns.judges.split(",") if spec.strip()]
    results = []
    for j in judges:
        log(f"{j.name} ...")
        results.append(score_pairs(j, pairs, log, cached_only=ns.cached_only))
    date = time.strftime("%Y-%m-%d")
    text = render_quality(results, pairs, command, machine(), date)
    n, ms, fps = static_throughput()
    text += (
        f"\n\nStatic layer (parse and facts): {ms:.1f} ms per file (median) over {n} corpus files, {fps:,.0f} files/s."
    )
    for j in judges:
        if not isinstance(j, StaticJudge):
            seen = {cache_key(p.path, t) for p in pairs for t in (p.better, p.worse) if j.has(p.path, t)}
            ctx = getattr(j, "settings", settings).n_ctx
            text += f"\n\n{j.name}: a {ctx}-token context; {len(j.cut & seen)} of {len(seen)} files cut to fit."
    for r in results:
        missed = misses(r)
        if missed and not r.judge.startswith("seed"):
            text += f"\n\nNatural pairs {r.judge} got wrong: " + "; ".join(missed) + "."
    if not ns.no_known:
        known: dict[str, list[Any]] = {}
        known_tsv = getattr(ns, "known_tsv", None)
        known_dest = work / ("known" if known_tsv is None else f"known-{known_tsv.stem}")
        for j in judges:
            if j.name.startswith("seed"):
                continue
            if ns.cached_only and not isinstance(j, StaticJudge):
                continue  # a model judge on the known groups needs its answers for every file
            log(f"known groups: {j.name} ...")
            known[j.name] = known_groups(j, settings, known_dest, ns.repos, ns.known_max_files, log, known_tsv)
        text += "\n\n" + render_known(known, ns.known_max_files, settings.exemplar_threshold)
    print(text)
    write_section(ns.doc, "quality", text + "\n", HEADER)
    log(f"wrote {ns.doc} (section quality)")
    return 0


def fit_command(ns: Any, settings: Settings, work: Path, command: str, log: Any) -> int:
    pairs = build_pairs(ns.per_package, ns.repos, log, getattr(ns, "natural_tsv", None))
    key, acc, n = fit_judge(
        ns.judge, settings, pairs, command, log, cached_only=ns.cached_only, keep_weights=ns.keep_weights
    )
    if ns.keep_weights:
        print(f"{key}: weights kept, calibrated again on the current facts; written to judge_weights.json")
    elif acc is None:  # no weight of this fit was kept
        print(f"{key}: the static judge's weights, every model answer 0 ({n} fit pairs); written to judge_weights.json")
    else:
        print(f"{key}: fitted on {n} pairs, training accuracy {acc:.1%}; written to judge_weights.json")
    return 0
