"""``bestcase bench``: bestcase against the seed's method, and the judges' quality, on real Nuxt code."""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ..settings import setting_help

HELP = """bestcase against the seed's method, side by side, on real Nuxt code from npm.

    bestcase bench [run] [--model NAME] [--files 40] [--no-quality] [--no-seed]
                   [--doc FILE] [--json PATH] [--key NAME]
                   [--seed-tokens N]      # random-weight runs: fix (a)'s output length
    bestcase bench quality [--judges static,hybrid:qwen2.5-coder:1.5b,...] [--per-package 2]
                   [--repos DIR] [--ctx N] [--known-max-files 12] [--no-known] [--pairs natural-test]
                   # judges side by side on synthetic, natural and known-group suites
    bestcase bench fit [--judge static|hybrid:MODEL] [--per-package 2] [--repos DIR] [--ctx N]
                   # fit the judge's weights on the fit split
    bestcase bench scale [--model qwen2.5-coder:0.5b] [--files 8] [--actors 1,2,4] [--ctx 3072]
                   # files/s with 1, 2, 4 Ray actors, and N actors x T threads against 1 x N*T
    bestcase bench search
                   # p50/p95 search time over 10,000 exemplars (the MCP tool's call)
    bestcase bench hits --fact KEY --repos DIR [--grep REGEX] [--match TEXT] [--sample 12] [--seed 0]
                   # where a weakness fires in the repositories' HEAD files, with a sample to read
    bestcase bench checks --repos DIR
                   # findings readers judged (bench/data/finding_checks.tsv): which the rules still raise;
                   # exemplars readers judged (bench/data/exemplar_checks.tsv): which are still exemplars

The npm packages are fetched once into bestcase's cache (never committed). Speed
is measured in one process, on the same files, model and machine; the results go
to the terminal and to a section of the benchmarks document. Fitted weights go to
src/bestcase_core/judge_weights.json in a checkout; an installed bestcase writes
them to its cache and says where to commit them.
"""


def default_doc() -> Path:
    """docs/benchmarks.md in a checkout; benchmarks.md in bestcase's cache otherwise."""
    from ..paths import REPO_ROOT, cache_home, in_checkout

    return REPO_ROOT / "docs" / "benchmarks.md" if in_checkout() else cache_home() / "benchmarks.md"


def add(sub: Any) -> None:
    p = sub.add_parser(
        "bench",
        help="speed and quality benchmarks",
        description=HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "action", nargs="?", choices=["run", "quality", "fit", "scale", "search", "hits", "checks"], default="run"
    )
    p.add_argument(
        "--judges",
        default="static,hybrid:qwen2.5-coder:0.5b,hybrid:qwen2.5-coder:1.5b,r2:qwen2.5-coder:1.5b,seed:qwen2.5-coder:1.5b",
        help="quality: judges to compare (static, hybrid:MODEL, r2:MODEL = rubric 2026.11-r2, seed:MODEL; "
        "MODEL@CTX gives that judge its own context)",
    )
    p.add_argument("--actors", default="1,2,4", help="scale: actor counts to run side by side (one thread each)")
    p.add_argument(
        "--judge",
        default="static",
        help="fit: static or hybrid:MODEL (default static); checks: hybrid:MODEL also shows the model's answers "
        "on the read exemplars",
    )
    p.add_argument("--per-package", type=int, default=2, help="synthetic suite: corpus files per npm package")
    p.add_argument("--repos", type=Path, help="folder with the natural and known-group repositories (else cloned)")
    p.add_argument(
        "--ctx",
        type=int,
        help="context for the model judges in quality and fit (default: the scan's, BESTCASE_CTX); "
        "a smaller one cuts long files, so the model judges less than the scan does",
    )
    p.add_argument("--known-max-files", type=int, default=12, help="known groups: files per project")
    p.add_argument("--no-known", action="store_true", help="quality: skip the known-groups suite")
    p.add_argument(
        "--pairs",
        choices=["all", "natural", "natural-test", "natural-fit", "synthetic", "synthetic-test", "synthetic-fit"],
        default="all",
        help="quality: the pairs to score (natural-test: natural pairs from held-out repositories, "
        "synthetic-test: synthetic pairs held out of fitting; *-fit: the pairs fitting uses; "
        "a slow model judge run on them fills its cache for a later --cached-only report)",
    )
    p.add_argument(
        "--natural-tsv",
        type=Path,
        help="quality, fit: natural pairs from this TSV (the columns of bench/data/natural_pairs.tsv: "
        "repo, commit, path, before_path, kind, reason) instead of the bundled ones, such as your team's history",
    )
    p.add_argument(
        "--known-tsv",
        type=Path,
        help="quality: known-group projects from this TSV (the columns of bench/data/known_groups.tsv: repo, "
        "commit, group, subdir, reviewer_picks, reason) instead of the bundled ones, such as your team's projects",
    )
    p.add_argument(
        "--keep-weights",
        action="store_true",
        help="fit (static): keep the weights written last and only calibrate them again on the current facts",
    )
    p.add_argument(
        "--cached-only",
        action="store_true",
        help="quality, fit, checks: only pairs and files whose model answers are cached (no model run)",
    )
    p.add_argument("--fact", help="hits: the weakness to look for (a finding's key, such as late_fetch)")
    p.add_argument("--grep", help="hits: read only files matching this extended regular expression")
    p.add_argument("--match", default="", help="hits: only findings whose text holds this")
    p.add_argument("--sample", type=int, default=12, help="hits: hits to show, one per repository")
    p.add_argument("--seed", type=int, default=0, help="hits: the sample's random seed")
    p.add_argument("--model", help=setting_help("model"))
    p.add_argument("--files", type=int, help="use only this many files (round-robin over the projects)")
    p.add_argument("--max-files", type=int, help=setting_help("max_files", "files per project, as the scan"))
    p.add_argument("--no-quality", action="store_true", help="skip the original-vs-degraded quality block")
    p.add_argument("--no-seed", action="store_true", help="skip run (a)")
    p.add_argument("--no-2000", action="store_true", help="skip the 2,000-file warm rescan")
    p.add_argument(
        "--no-all-reads", action="store_true", help="skip (b'), the cold scan with the model reading every file"
    )
    p.add_argument("--seed-tokens", type=int, help="fix (a)'s generated length (random-weight models)")
    p.add_argument("--threshold", type=float, help=setting_help("exemplar_threshold", "exemplar threshold for (b)"))
    p.add_argument("--work", type=Path, help="scratch folder (default: a temporary one)")
    p.add_argument("--doc", type=Path, help="the benchmarks document (default: docs/benchmarks.md in a checkout)")
    p.add_argument("--key", help="section name in the doc (default: the model's file name)")
    p.add_argument("--json", type=Path, help="also write the raw figures as JSON here")
    p.set_defaults(run=run)


def run(ns: argparse.Namespace) -> int:
    from ..bench.markdown import render, save_json, write_section
    from ..bench.report import HEADER
    from ..bench.run import run_benchmark
    from ..settings import load_settings

    ns.doc = ns.doc or default_doc()
    settings = load_settings(model=ns.model, max_files=ns.max_files, exemplar_threshold=ns.threshold)
    args = list(getattr(ns, "argv", []))
    args = args[1:] if args[:1] == ["bench"] else args
    command = ("bestcase bench " + " ".join(shlex.quote(a) for a in args)).strip()
    work = ns.work or Path(tempfile.mkdtemp(prefix="bestcase-bench-"))

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    if ns.action in ("quality", "fit"):
        from ..bench.report import fit_command, quality_command

        settings = settings.model_copy(update={"n_ctx": ns.ctx or settings.n_ctx, "vram_mb": settings.vram_mb})
        action = fit_command if ns.action == "fit" else quality_command
        return action(ns, settings, work, command, log)

    if ns.action == "hits":
        from ..bench.hits import find_hits, render_hits

        if not ns.fact or ns.repos is None:
            log("bench hits needs --fact KEY and --repos DIR (a folder of git repositories, owner+name/repo)")
            return 2
        hits = find_hits(ns.fact, ns.repos, grep=ns.grep, match=ns.match, log=log)
        print(render_hits(hits, hits.sample(ns.sample, ns.seed)))
        return 0

    if ns.action == "checks":
        from ..bench.checks import render_checks, render_exemplar_checks, run_checks, run_exemplar_checks

        if ns.repos is None:
            log("bench checks needs --repos DIR (a folder of git repositories, owner+name/repo)")
            return 2
        print(render_checks(run_checks(ns.repos)))
        print("\nExemplars readers judged (bench/data/exemplar_checks.tsv), each scored again alone:\n")
        print(render_exemplar_checks(run_exemplar_checks(ns.repos, threshold=settings.exemplar_threshold)))
        if ns.judge.startswith("hybrid:"):
            from ..bench.checks import exemplar_answers, render_exemplar_answers
            from ..bench.quality import make_judge

            judge = make_judge(ns.judge, settings.model_copy(update={"n_ctx": ns.ctx or settings.n_ctx}))
            rows = exemplar_answers(ns.repos, judge, cached_only=ns.cached_only)
            print("\nWhat the model says of the same files:\n")
            print(render_exemplar_answers(rows, ns.judge.partition(":")[2]))
        return 0

    if ns.action == "search":
        from ..bench.search import default_sources, run_search_bench
        from ..bench.search import render as render_search

        figures = run_search_bench(default_sources(), 10_000, 50, 300)
        text = render_search(figures, command)
        print(text)
        write_section(ns.doc, "search", text, HEADER)
        log(f"wrote {ns.doc} (section search)")
        return 0

    if ns.action == "scale":
        from ..bench.scale import render_scale, run_scale

        settings = settings.model_copy(update={"n_ctx": ns.ctx or 3072, "vram_mb": 0})
        actors = tuple(int(a) for a in ns.actors.split(","))
        scale = run_scale(settings, work, command, files=ns.files or 8, actors=actors, log=log)
        text = render_scale(scale)
        print(text)
        write_section(ns.doc, "scale", text, HEADER)
        if ns.json:
            ns.json.write_text(json.dumps(asdict(scale), indent=1), "utf-8")
        log(f"wrote {ns.doc} (section scale)")
        return 0

    result = run_benchmark(
        settings,
        files=ns.files,
        work=work,
        command=command,
        quality=not ns.no_quality,
        seed_run=not ns.no_seed,
        fixed_seed_tokens=ns.seed_tokens,
        rescan_2000=not ns.no_2000,
        all_reads=not ns.no_all_reads,
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
    ns.doc.parent.mkdir(parents=True, exist_ok=True)
    write_section(ns.doc, key, text, HEADER)
    if ns.json:
        save_json(result, ns.json)
    print(f"wrote {ns.doc} (section {key})", file=sys.stderr)
    return 0
