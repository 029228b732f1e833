"""The scale benchmark: the scan on a local Ray cluster with 1, 2, 4 ... actors, side by side in one run.

Every run is a cold scan of the same files into a fresh store, through
:func:`~bestcase_core.scan.run_scan` (so the figures include the
driver's reading and committing), with the Ray backend of
:mod:`bestcase_core.ray_scan`. Two rates are kept apart:

* **steady files/s**: files scored between the moment every actor had its
  model loaded and the rubric prefix evaluated (one small warm-up file each) and
  the last result, i.e. what a long scan sustains;
* **wall files/s**: the whole scan, actors' start and model load included.

Then N actors x T threads is set against 1 actor x N*T threads on the same
cores: llama.cpp does not scale linearly with threads, so several actors may
win even on one machine.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..index import ScanIndex
from ..ray_scan import RayOptions, RayScoring, import_ray
from ..scan import run_scan
from ..settings import Settings
from .run import bench_workspace, machine

#: What each actor scores once before the steady clock starts (it evaluates the rubric prefix).
WARM_UP = "export function add(a: number, b: number): number {\n  return a + b\n}\n"


@dataclass
class ScaleRun:
    actors: int
    threads: int
    files: int
    wall_seconds: float
    steady_seconds: float
    per_file: list[float] = field(default_factory=list)
    prompt_tokens: int = 0
    cached_tokens: int = 0  # of prompt_tokens, reused from the actor's cache (the rubric prefix)

    @property
    def steady_fps(self) -> float:
        return self.files / self.steady_seconds if self.steady_seconds > 0 else 0.0

    @property
    def wall_fps(self) -> float:
        return self.files / self.wall_seconds if self.wall_seconds > 0 else 0.0

    @property
    def median(self) -> float:
        return statistics.median(self.per_file) if self.per_file else 0.0


@dataclass
class ScaleResult:
    machine: str
    cores: int
    date: str
    command: str
    model: str
    n_ctx: int
    files: int
    runs: list[ScaleRun] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def shapes(cores: int, actors: tuple[int, ...]) -> list[tuple[int, int]]:
    """(actors, threads): 1, 2, 4 ... actors of one thread, then N x T against 1 x N*T for the machine's cores."""
    out = [(a, 1) for a in actors]
    t = 1
    while t <= cores:
        n = cores // t
        for shape in ((n, t), (1, n * t)):
            if shape not in out:
                out.append(shape)
        t *= 2
    return out


def scale_run(root: Path, settings: Settings, actors: int, threads: int, store: Path) -> ScaleRun:
    """One cold scan of ``root`` into ``store`` with ``actors`` x ``threads``."""
    ready: list[float] = []
    last: list[float] = []

    def backend() -> RayScoring:
        made = RayScoring(settings, RayOptions(actors=actors, threads=threads))
        # each actor evaluates the rubric prefix on its first file; do that before the clock starts
        made.ray.get([a.score.remote(-1, WARM_UP, "utils/warm.ts", "util") for a in made.actors])
        ready.append(time.perf_counter())
        return made

    def on_file(project: str, path: str, overall: float) -> None:
        last[:] = [time.perf_counter()]

    started = time.perf_counter()
    summary = run_scan(root, settings, storage=store, progress=False, backend_factory=backend, on_file=on_file)
    wall = time.perf_counter() - started
    with ScanIndex(store) as idx:
        per_file = [f.score.seconds for p in idx.active_projects() for f in idx.active_files(p)]
    return ScaleRun(
        actors=actors,
        threads=threads,
        files=summary.files_scored,
        wall_seconds=wall,
        steady_seconds=(last[0] - ready[0]) if ready and last else wall,
        per_file=per_file,
        prompt_tokens=summary.prompt_tokens,
        cached_tokens=summary.cached_tokens,
    )


def run_scale(
    settings: Settings,
    work: Path,
    command: str,
    *,
    files: int = 8,
    actors: tuple[int, ...] = (1, 2, 4),
    log: Callable[[str], None] = print,
) -> ScaleResult:
    """Each shape on the same files, one after another, on one local Ray cluster started here."""
    ray = import_ray()
    cores = os.cpu_count() or 1
    root, chosen = bench_workspace(work, files, settings.max_files)
    result = ScaleResult(
        machine=machine(),
        cores=cores,
        date=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        command=command,
        model=settings.model_name(),
        n_ctx=settings.n_ctx,
        files=len(chosen),
    )
    todo = shapes(cores, actors)
    # Ray places actors by declared CPUs; declaring at least as many as the largest shape needs
    # lets 4 one-thread actors run on a 2-core machine (oversubscribed, which the figures show).
    declared = max(cores, *(a * t for a, t in todo))
    ray.init(address="local", num_cpus=declared, include_dashboard=False, log_to_driver=False)
    try:
        for n, (a, t) in enumerate(todo):
            log(f"scale: {a} actor(s) x {t} thread(s) on {len(chosen)} files")
            run = scale_run(root, settings, a, t, work / f"store-{n}")
            log(f"  {run.steady_fps:.3f} files/s steady, {run.wall_fps:.3f} wall, median {run.median:.1f} s/file")
            result.runs.append(run)
    finally:
        ray.shutdown()
    if declared > cores:
        result.notes.append(f"The local cluster declared {declared} CPUs on {cores} cores: shapes over {cores} share.")
    return result


def render_scale(result: ScaleResult) -> str:
    """The markdown section."""
    lines = [
        f"## Scale: Ray actors on one machine ({result.model})",
        "",
        f"{result.machine}, {result.date}. `{result.command}`. "
        f"{result.files} files, a cold scan each, context {result.n_ctx}. Steady: from every actor loaded and "
        "its rubric prefix evaluated to the last result; wall: the whole scan, actors' start included.",
        "",
        "| actors x threads | CPUs declared | steady files/s | wall files/s | s/file/actor (median) "
        "| prompt tokens/file: evaluated of all |",
        "|---|---|---|---|---|---|",
    ]
    for r in result.runs:
        n = max(1, r.files)
        lines.append(
            f"| {r.actors} x {r.threads} | {r.actors * r.threads} | {r.steady_fps:.3f} | {r.wall_fps:.3f} "
            f"| {r.median:.1f} | {(r.prompt_tokens - r.cached_tokens) / n:.0f} of {r.prompt_tokens / n:.0f} |"
        )
    lines.append("")
    base = {(r.actors, r.threads): r for r in result.runs}
    for r in result.runs:
        wide = base.get((1, r.actors * r.threads))
        if r.actors > 1 and wide is not None and wide is not r and wide.steady_fps > 0:
            lines.append(
                f"- {r.actors} x {r.threads} against 1 x {r.actors * r.threads}: "
                f"{r.steady_fps / wide.steady_fps:.2f}x the files/s on the same {r.actors * r.threads} CPUs."
            )
    lines += [f"- {n}" for n in result.notes]
    return "\n".join(lines) + "\n"
