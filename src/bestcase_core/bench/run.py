"""bestcase against the seed's method, side by side, in one process, on the same files.

Runs (all on the same files, model and machine):

* (a) the seed's method (:mod:`.seed_method`), each file from an empty context;
* (b) a cold bestcase scan of those files (rubric prefix evaluated once, then reused; the
  model reads the contenders only);
* (b') the same with the model reading every file (``model_reads=all``), what the cascade saves;
* (c) a warm rescan with nothing changed;
* (d) a rescan after 5% of the files changed;

plus the prompt-processing ceiling of the model on this machine, a warm rescan
of a 2,000-file workspace, and the quality block (original vs degraded copies).
"""

from __future__ import annotations

import hashlib
import math
import os
import platform
import random
import shutil
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..discovery import find_projects, select_files, walk_files
from ..index import ScanIndex
from ..rubric import RUBRIC_VERSION
from ..scan import run_scan
from ..schema import FileScore
from ..scorer import Scorer
from ..settings import Settings
from .corpus import build_workspace
from .seed_method import SeedMethod, SeedResult

# --- measuring -------------------------------------------------------------------------------


def _rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


@contextmanager
def peak_rss() -> Iterator[list[float]]:
    """Samples resident memory every 20 ms; the yielded list ends holding the peak in MiB."""
    peak = [_rss_mb()]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.02):
            peak[0] = max(peak[0], _rss_mb())

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    try:
        yield peak
    finally:
        done.set()
        t.join()
        peak[0] = max(peak[0], _rss_mb())


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from ..gpu import nvidia_smi

    names = nvidia_smi("name")
    gpu = names[0][0] if names else ""
    return f"{cpu}, {os.cpu_count()} cores" + (f", {gpu}" if gpu else ", no GPU")


@dataclass
class RunFigures:
    name: str
    files: int
    seconds_total: float
    per_file: list[float] = field(default_factory=list)
    prompt_tokens: list[int] = field(default_factory=list)
    generated_tokens: list[int] = field(default_factory=list)
    peak_rss_mb: float = 0.0
    note: str = ""

    @property
    def median(self) -> float | None:
        return statistics.median(self.per_file) if self.per_file else None

    @property
    def mean(self) -> float | None:
        """Seconds per scored file on average: with the cascade, few files cost most of the time."""
        return statistics.fmean(self.per_file) if self.per_file else None

    @property
    def files_per_second(self) -> float:
        return self.files / self.seconds_total if self.seconds_total > 0 else float("inf")


# --- the workspace ---------------------------------------------------------------------------


def bench_workspace(dest: Path, n_files: int | None, max_files: int) -> tuple[Path, list[tuple[str, str]]]:
    """The npm corpus laid out like the seed's workspace, trimmed to ``n_files`` (round-robin over projects).

    Returns the workspace and its files as (project, rel) in a fixed order.
    """
    full = dest / "full"
    if full.exists():
        shutil.rmtree(full)
    build_workspace(full)
    per_project: list[list[tuple[str, str]]] = []
    for proj in find_projects(full).projects:
        files, _ = walk_files(proj, max_bytes=256 * 1024, root=full)
        per_project.append([(proj.name, f.rel) for f in select_files(files, max_files)])
    order: list[tuple[str, str]] = []
    for i in range(max(len(p) for p in per_project)):
        order += [p[i] for p in per_project if i < len(p)]
    chosen = order[:n_files] if n_files else order
    trimmed = dest / "workspace"
    if trimmed.exists():
        shutil.rmtree(trimmed)
    for project in {p for p, _ in chosen}:
        # a marker that makes it a Nuxt project without adding a scannable file
        (trimmed / project).mkdir(parents=True, exist_ok=True)
        (trimmed / project / "package.json").write_text('{"private": true, "devDependencies": {"nuxt": "*"}}\n')
    for project, rel in chosen:
        (trimmed / project / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(full / project / rel, trimmed / project / rel)
    return trimmed, chosen


# --- the runs --------------------------------------------------------------------------------


def prompt_ceiling(scorer: Scorer, repeats: int = 3, n: int = 512, depth: int = 0) -> float:
    """Prompt-processing speed here: tokens/s evaluating ``n`` tokens after ``depth`` tokens already
    in the context (median of ``repeats``). ``depth=0`` is llama-bench's pp512; the rubric's length is
    where a scan's file tokens really start.
    """
    eng = scorer.engine
    assert eng is not None, "the prompt ceiling needs the hybrid judge's model"
    text = (Path(__file__).parent.parent / "scorer.py").read_text() * 8
    tokens = eng.tokenize(text)
    before, body = tokens[:depth], tokens[depth : depth + n]
    rates = []
    with eng.lock:
        for _ in range(repeats):
            eng.reset()
            if before:
                eng.sync([before])
            t = time.perf_counter()
            eng.sync([before, body] if before else [body])
            rates.append(len(body) / (time.perf_counter() - t))
        eng.reset()
    return statistics.median(rates)


def run_seed(
    method: SeedMethod,
    root: Path,
    files: list[tuple[str, str]],
    fixed_tokens: int | None = None,
    texts: dict[tuple[str, str], str] | None = None,
) -> tuple[RunFigures, list[SeedResult]]:
    results = []
    with peak_rss() as peak:
        started = time.perf_counter()
        for i, (project, rel) in enumerate(files):
            text = texts[(project, rel)] if texts else (root / project / rel).read_text("utf-8")
            results.append(method.score(rel, text, fixed_tokens=fixed_tokens, seed=i))
        total = time.perf_counter() - started
    fig = RunFigures(
        "(a) seed's method",
        len(files),
        total,
        [r.seconds for r in results],
        [r.prompt_tokens for r in results],
        [r.generated_tokens for r in results],
        peak[0],
    )
    return fig, results


def run_legacy(scorer: Scorer, root: Path, files: list[tuple[str, str]]) -> RunFigures:
    """The scorer this judge replaced (rubric 2026.11-r2: the model's digits alone), on the same files."""
    from .legacy_r2 import LegacyR2

    assert scorer.engine is not None
    legacy = LegacyR2(scorer.engine)
    seconds = []
    with peak_rss() as peak:
        started = time.perf_counter()
        for project, rel in files:
            seconds.append(legacy.score(rel, (root / project / rel).read_text("utf-8"))[1])
        total = time.perf_counter() - started
    return RunFigures("(r2) rubric 2026.11-r2 scorer", len(files), total, seconds, peak_rss_mb=peak[0])


def run_bestcase(
    scorer: Scorer, root: Path, storage: Path, settings: Settings, name: str, force: bool = False
) -> tuple[RunFigures, Any]:
    timings: list[float] = []
    prompt: list[int] = []
    gen: list[int] = []
    with peak_rss() as peak:
        started = time.perf_counter()
        summary = run_scan(root, settings, storage=storage, force=force, progress=False, scorer_factory=lambda: scorer)
        total = time.perf_counter() - started
    with ScanIndex(storage) as idx:
        for pname in idx.active_projects():
            for f in idx.active_files(pname):
                if f.scored_at >= summary.started_at:
                    timings.append(f.score.seconds)
                    prompt.append(f.score.prompt_tokens - f.score.cached_tokens)
                    gen.append(f.score.generated_tokens)
    files = summary.files_scored + summary.files_unchanged
    fig = RunFigures(
        name,
        files,
        total,
        timings,
        prompt,
        gen,
        peak[0],
        note=f"{summary.files_scored} scored, {summary.files_unchanged} unchanged"
        + (f", {summary.files_read_by_model} read by the model" if summary.judge == "hybrid" else ""),
    )
    return fig, summary


def scores_by_file(storage: Path) -> dict[tuple[str, str], FileScore]:
    with ScanIndex(storage) as idx:
        return {(p, f.path): f.score for p in idx.active_projects() for f in idx.active_files(p)}


def warm_rescan_2000(dest: Path, settings: Settings, target: int = 2000) -> RunFigures:
    """A warm rescan of a ~2,000-file workspace (the corpus copied until it is that big).

    The index is filled by the benchmark itself (no model: what it holds does not
    matter to a rescan, which only hashes and looks up), then a real scan runs.
    """
    base = dest / "rescan2000"
    if base.exists():
        shutil.rmtree(base)
    full = dest / "full"
    projects = find_projects(full).projects
    root = base / "workspace"
    copies = 0
    count = 0
    while count < target:
        copies += 1
        for p in projects:
            shutil.copytree(p.path, root / f"copy{copies:02d}" / p.name.replace("/", "-"))
            files, _ = walk_files(p, max_bytes=256 * 1024, root=full)
            count += len(select_files(files, settings.max_files))
    storage = base / "store"
    model = settings.model_name()
    with ScanIndex(storage) as idx:
        for project in find_projects(root).projects:
            files, _ = walk_files(project, max_bytes=settings.max_file_bytes, root=root)
            for f in select_files(files, settings.max_files):
                sha = hashlib.sha256(f.path.read_bytes()).hexdigest()
                idx.record(
                    project.name,
                    sha,
                    f.size,
                    FileScore(
                        path=f.rel,
                        role=f.role,
                        overall=50.0,
                        dimensions={"structure": 50.0},
                        exemplar=False,
                        model=model,
                        rubric_version=RUBRIC_VERSION,
                        prompt_tokens=0,
                        generated_tokens=0,
                        seconds=0,
                    ),
                )
            idx.mark_seen(project.name, str(project.path), [f.rel for f in select_files(files, settings.max_files)])

    def no_model() -> Any:
        raise AssertionError("a warm rescan must not load the model")

    with peak_rss() as peak:
        started = time.perf_counter()
        summary = run_scan(root, settings, storage=storage, progress=False, scorer_factory=no_model)
        total = time.perf_counter() - started
    return RunFigures(
        "(c') warm rescan, 2,000-file workspace",
        summary.files_unchanged,
        total,
        peak_rss_mb=peak[0],
        note=f"{summary.projects} projects; index pre-filled without a model",
    )


def change_files(root: Path, files: list[tuple[str, str]], share: float, seed: int = 7) -> list[tuple[str, str]]:
    """Append a line to ``share`` of the files (at least one); returns which."""
    rng = random.Random(seed)
    picked = rng.sample(files, max(1, math.ceil(len(files) * share)))
    for project, rel in picked:
        path = root / project / rel
        marker = "<!-- changed by bench -->\n" if rel.endswith(".vue") else "// changed by bench\n"
        path.write_text(path.read_text("utf-8") + marker, "utf-8")
    return picked


# --- quality ---------------------------------------------------------------------------------


@dataclass
class Quality:
    method: str
    pairs: int
    original_higher: int
    ties: int
    tie_rate: float
    spread: float
    seconds_per_file: float
    detail: list[tuple[str, float, float]] = field(default_factory=list)  # (file, original, degraded)

    @property
    def accuracy(self) -> float:
        return self.original_higher / self.pairs if self.pairs else 0.0


def tie_rate(scores: list[float], ndigits: int = 1) -> float:
    """Share of files whose score equals another file's (rounded to ``ndigits``)."""
    rounded = [round(s, ndigits) for s in scores]
    return sum(1 for s in rounded if rounded.count(s) > 1) / len(rounded) if rounded else 0.0


def quality_block(
    method: str, originals: list[float], degraded: list[float], seconds: list[float], names: list[str] | None = None
) -> Quality:
    higher = sum(1 for o, d in zip(originals, degraded, strict=True) if o > d)
    ties = sum(1 for o, d in zip(originals, degraded, strict=True) if o == d)
    return Quality(
        method,
        len(originals),
        higher,
        ties,
        tie_rate(originals),
        statistics.pstdev(originals) if len(originals) > 1 else 0.0,
        statistics.median(seconds) if seconds else 0.0,
        list(zip(names or [], originals, degraded, strict=False)),
    )


def run_quality(
    scorer: Scorer,
    method: SeedMethod | None,
    root: Path,
    files: list[tuple[str, str]],
    bestcase_scores: dict[tuple[str, str], FileScore],
    seed_scores: dict[tuple[str, str], float | None],
) -> tuple[list[Quality], int]:
    """Score degraded copies with both methods and compare with the originals' scores."""
    from .degrade import degrade

    originals = {f"{p}/{r}": (root / p / r).read_text("utf-8") for p, r in files}
    worse = degrade(list(originals.items()))
    # the same pairs for both methods: files both scored, whose degraded copy differs
    pairs = [
        (p, r)
        for p, r in files
        if worse.get(f"{p}/{r}") and worse[f"{p}/{r}"] != originals[f"{p}/{r}"] and (p, r) in bestcase_scores
    ]
    names = [f"{p}/{r}" for p, r in pairs]
    out = []
    b_orig: list[float] = []
    b_deg: list[float] = []
    b_sec: list[float] = []
    for p, r in pairs:
        res = scorer.score_text(worse[f"{p}/{r}"] or "", r)
        b_orig.append(bestcase_scores[(p, r)].overall)
        b_deg.append(res.overall)
        b_sec.append(res.seconds)
    out.append(quality_block("bestcase", b_orig, b_deg, b_sec, names))
    if method is not None:
        s_orig: list[float] = []
        s_deg: list[float] = []
        s_sec: list[float] = []
        for i, (p, r) in enumerate(pairs):
            before = seed_scores.get((p, r))
            seed_res = method.score(r, worse[f"{p}/{r}"] or "", seed=i)
            s_orig.append(before if before is not None else -1.0)
            s_deg.append(seed_res.score if seed_res.score is not None else -1.0)
            s_sec.append(seed_res.seconds)
        out.append(quality_block("seed's method", s_orig, s_deg, s_sec, names))
    return out, len(pairs)


# --- the whole benchmark ---------------------------------------------------------------------


@dataclass
class BenchResult:
    model: str
    machine: str
    date: str
    command: str
    runs: list[RunFigures]
    seed_parsed: float | None
    pp_tokens_per_s: float
    ceiling_seconds: float
    pp_at_depth_tokens_per_s: float
    ceiling_at_depth_seconds: float
    prefix_tokens: int
    prefix_reused: bool
    changed_files: int
    changed_seconds_in_b: float
    quality: list[Quality] = field(default_factory=list)
    quality_pairs: int = 0
    rescan_2000: RunFigures | None = None
    gpu_layers: str | None = None
    notes: list[str] = field(default_factory=list)


def run_benchmark(
    settings: Settings,
    *,
    files: int | None,
    work: Path,
    command: str,
    quality: bool = True,
    seed_run: bool = True,
    fixed_seed_tokens: int | None = None,
    rescan_2000: bool = True,
    all_reads: bool = True,
    log: Any = print,
) -> BenchResult:
    root, chosen = bench_workspace(work, files, settings.max_files)
    scorer = Scorer(settings=settings)
    rep = scorer.load_report
    log(f"model {scorer.model_name}: {rep.gpu_layers}/{rep.total_layers} layers on the GPU; {len(chosen)} files")
    runs: list[RunFigures] = []
    seed_results: list[SeedResult] = []
    method = SeedMethod(scorer.engine) if seed_run and scorer.engine is not None else None
    if method is not None:
        log("(a) seed's method ...")
        fig_a, seed_results = run_seed(method, root, chosen, fixed_tokens=fixed_seed_tokens)
        runs.append(fig_a)
    if scorer.engine is not None:
        log("(r2) the scorer of rubric 2026.11-r2 ...")
        runs.append(run_legacy(scorer, root, chosen))
    storage = work / "store"
    if storage.exists():
        shutil.rmtree(storage)
    log("(b) cold bestcase scan ...")
    fig_b, sum_b = run_bestcase(scorer, root, storage, settings, "(b) bestcase, cold scan")
    runs.append(fig_b)
    b_scores = scores_by_file(storage)
    if all_reads and scorer.engine is not None and settings.model_reads == "contenders":
        log("(b') cold bestcase scan, the model reading every file ...")
        every = settings.model_copy(update={"model_reads": "all"})
        shutil.rmtree(work / "store-all", ignore_errors=True)
        cascade_settings, scorer.settings = scorer.settings, every
        try:
            fig_all, _ = run_bestcase(
                scorer, root, work / "store-all", every, "(b') bestcase, cold scan, model reads all"
            )
        finally:
            scorer.settings = cascade_settings
        runs.append(fig_all)
    log("(c) warm rescan ...")
    fig_c, _ = run_bestcase(scorer, root, storage, settings, "(c) bestcase, warm rescan")
    runs.append(fig_c)
    changed = change_files(root, chosen, 0.05)
    log(f"(d) rescan after {len(changed)} changed files ...")
    fig_d, _ = run_bestcase(scorer, root, storage, settings, "(d) bestcase, 5% changed")
    runs.append(fig_d)
    pp = prompt_ceiling(scorer)
    pp_depth = prompt_ceiling(scorer, depth=scorer.prefix_tokens)
    evaluated = sum(fig_b.prompt_tokens)
    result = BenchResult(
        model=scorer.model_name,
        machine=machine(),
        date=time.strftime("%Y-%m-%d"),
        command=command,
        runs=runs,
        seed_parsed=(sum(r.parsed for r in seed_results) / len(seed_results)) if seed_results else None,
        pp_tokens_per_s=pp,
        ceiling_seconds=evaluated / pp if pp else 0.0,
        prefix_tokens=scorer.prefix_tokens,
        pp_at_depth_tokens_per_s=pp_depth,
        ceiling_at_depth_seconds=evaluated / pp_depth if pp_depth else 0.0,
        prefix_reused=sum_b.cached_tokens >= scorer.prefix_tokens * max(0, sum_b.files_read_by_model - 1),
        changed_files=len(changed),
        changed_seconds_in_b=sum(b_scores[f].seconds for f in changed if f in b_scores),
        gpu_layers=f"{rep.gpu_layers}/{rep.total_layers}",
    )
    if rescan_2000:
        log("(c') warm rescan of a 2,000-file workspace ...")
        result.rescan_2000 = warm_rescan_2000(work, settings)
    if quality:
        log("quality: degraded copies ...")
        seed_scores = {f: r.score for f, r in zip(chosen, seed_results, strict=False)}
        # the originals' scores are (b)'s, from before the 5% change
        result.quality, result.quality_pairs = run_quality(scorer, method, work / "full", chosen, b_scores, seed_scores)
    return result
