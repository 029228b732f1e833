"""A scan: find the work, score what changed, commit results as they come.

Three steps kept apart, so a different executor can replace the middle one:

1. :func:`plan_scan` discovers projects and files, hashes each file and keeps
   the ones whose content, model or rubric changed (or all, with ``force``).
2. The work units are scored by a :class:`ScoringBackend`: in this process, one
   file at a time behind the model's lock (with ``CONCURRENCY > 1`` threads read
   and hash ahead while the model is busy), or by a pool of Ray actors
   (:mod:`bestcase_core.ray_scan`) that get only each file's text, path and role.
3. Each result is committed to the index the moment it exists; each changed
   project then gets a new BestCase record, and the HTML report is rewritten.

A project whose files did not change costs only the hashing and gets no new
record. The model is loaded only when there is something to score.
"""

from __future__ import annotations

import hashlib
import logging
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel, Field

from .clock import iso, now_iso, now_ms
from .discovery import Problem, Project, SourceFile, find_projects, looks_generated, select_files, walk_files
from .errors import BestcaseError, InputFileError, StorageError, WorkspaceError
from .fetch import resolve_model
from .gpu_monitor import GpuReport, GpuSampler, layers_offloaded
from .index import ScanIndex
from .judge import TEACHING_MIN
from .practices import Practice, practices_of
from .practices import code_score as score_code
from .practices import project_score as score_project
from .record import (
    SCAN_CATEGORY,
    Exemplar,
    FailedEntry,
    FileScoreSummary,
    Patterns,
    ProjectRecord,
    RecordFile,
    RecordMetadata,
)
from .registry import is_file_model
from .roles import role_for_path
from .rubric import EXEMPLAR_THRESHOLD, RUBRIC_VERSION, grade, tier
from .schema import FileScore
from .settings import Settings
from .sourcefile import decode_source, read_capped
from .store import BestCaseStorage, new_record_id

log = logging.getLogger(__name__)


class FailedFile(BaseModel):
    project: str
    path: str
    reason: str


class ScanSummary(BaseModel):
    """What a scan did; ``bestcase scan --json`` prints this."""

    root: str
    storage: str
    model: str
    judge: str = "hybrid"
    rubric_version: str = RUBRIC_VERSION
    projects: int = 0
    projects_scanned: int = 0
    files_scored: int = 0
    files_unchanged: int = 0
    files_failed: list[FailedFile] = Field(default_factory=list)
    files_read_by_model: int = Field(0, description="of the files scored, those the model read (hybrid's contenders)")
    skipped: list[FailedFile] = Field(default_factory=list)
    exemplars: int = 0
    exemplar_threshold: float = EXEMPLAR_THRESHOLD
    closest: str | None = Field(
        None, description="with no exemplar: the best-scoring file with something to teach, `project/path (score)`"
    )
    seconds: float = 0.0
    seconds_per_file: float | None = None
    median_seconds_per_file: float | None = None
    files_per_second: float | None = None
    prompt_tokens: int = 0
    cached_tokens: int = 0
    generated_tokens: int = 0
    gpu_layers: str | None = None
    gpu: GpuReport | None = None  # the GPU, this process's VRAM and the utilisation sampled during the scan
    bestcases_written: list[str] = Field(default_factory=list)
    projects_removed: list[str] = Field(default_factory=list)
    report: str | None = None
    stopped: bool = False
    started_at: str = ""
    finished_at: str = ""


@dataclass
class WorkUnit:
    file: SourceFile
    sha256: str
    data: bytes


@dataclass
class ProjectPlan:
    project: Project
    selected: list[SourceFile]
    work: list[WorkUnit] = field(default_factory=list)
    unchanged: int = 0
    failed: list[FailedFile] = field(default_factory=list)
    # (sha256, bytes) of the exemplars: the record quotes exactly what was scored, never a re-read
    contents: dict[str, tuple[str, bytes]] = field(default_factory=dict)


@dataclass
class ScanPlan:
    root: Path
    projects: list[ProjectPlan]
    problems: list[Problem]

    @property
    def work_count(self) -> int:
        return sum(len(p.work) for p in self.projects)


def model_label(settings: Settings) -> str:
    """What the index records as a file's model: ``static`` for the static judge, else the model's name."""
    if settings.judge == "static":
        return "static"
    name = settings.model_name()
    return Path(name).name if is_file_model(name) else name


def _hash_file(f: SourceFile, inside: Path, max_bytes: int) -> tuple[SourceFile, bytes | None, str | None, str | None]:
    """Read (only a regular file inside its project, at most ``max_bytes``) and hash."""
    try:
        data = read_capped(f.path, max_bytes=max_bytes, inside=inside, display=f.rel)
    except InputFileError as exc:
        return f, None, None, exc.reason
    return f, data, hashlib.sha256(data).hexdigest(), None


def plan_scan(
    root: Path, index: ScanIndex, settings: Settings, *, force: bool = False, all_projects: bool = False
) -> ScanPlan:
    """Discover and hash; keep as work only what needs scoring."""
    found = find_projects(root, all_projects=all_projects, max_bytes=settings.max_file_bytes)
    problems = list(found.problems)
    model = model_label(settings)
    plans: list[ProjectPlan] = []
    workers = max(1, settings.concurrency)
    with ThreadPoolExecutor(max_workers=min(8, workers * 2)) as pool:
        for project in found.projects:
            files, file_problems = walk_files(project, max_bytes=settings.max_file_bytes, root=root)
            problems.extend(file_problems)
            plan = ProjectPlan(project, select_files(files, settings.max_files))
            read = partial(_hash_file, inside=project.path, max_bytes=settings.max_file_bytes)
            for f, data, sha, err in pool.map(read, plan.selected):
                if data is None or sha is None:
                    plan.failed.append(FailedFile(project=project.name, path=f.rel, reason=err or "unreadable"))
                    continue
                row = index.lookup(project.name, f.rel)
                if not force and _is_done(row, sha, model, settings):
                    plan.unchanged += 1
                    if row is not None and row.score.exemplar_at(settings.exemplar_threshold):
                        plan.contents[f.rel] = (sha, data)
                    continue
                plan.work.append(WorkUnit(f, sha, data))
            plans.append(plan)
    return ScanPlan(root, plans, problems)


def _is_done(row: Any, sha: str, model: str, settings: Settings) -> bool:
    """Scored with this content, model (or static judge) and rubric."""
    return row is not None and (row.sha256, row.model, row.rubric_version) == (sha, model, RUBRIC_VERSION)


class _Progress:
    """A progress bar with files/s and an ETA on stderr, only when it is a terminal."""

    def __init__(self, total: int, enabled: bool | None = None) -> None:
        on = sys.stderr.isatty() if enabled is None else enabled
        self.bar: Any = None
        if on and total:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="file", file=sys.stderr, dynamic_ncols=True, smoothing=0.1)

    def update(self, label: str) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(label[-40:], refresh=False)
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def run_scan(
    root: Path,
    settings: Settings,
    *,
    storage: Path | None = None,
    force: bool = False,
    all_projects: bool = False,
    stop: threading.Event | None = None,
    progress: bool | None = None,
    scorer_factory: Callable[[], Any] | None = None,
    on_file: Callable[[str, str, float], None] | None = None,
    lock_wait: float = 0.0,
    backend_factory: Callable[[], ScoringBackend] | None = None,
) -> ScanSummary:
    """Scan a workspace once. Safe to stop (``stop.set()``) or kill at any point and run again.

    The files are scored in this process (by ``scorer_factory()``'s scorer, else a
    :class:`~bestcase_core.scorer.Scorer`), or by ``backend_factory()``'s backend
    (:mod:`bestcase_core.ray_scan` scores on a Ray cluster); either way this process
    alone reads the workspace and writes the index, records and report.

    Another scan of the same store is waited for up to ``lock_wait`` seconds, then
    :class:`~bestcase_core.errors.ScanBusyError`.
    """
    root = Path(root).resolve()
    if not root.is_dir() or not os.access(root, os.R_OK | os.X_OK):
        raise WorkspaceError(
            f"Workspace root {root} is not a folder bestcase can read. Pass --root or set PROJECTS_PATH."
        )
    store = BestCaseStorage(storage or settings.storage_for(root))
    store._ensure_dir()
    started = time.perf_counter()
    model = model_label(settings)
    summary = ScanSummary(
        root=str(root), storage=str(store.path), model=model, judge=settings.judge, started_at=now_iso()
    )
    stop = stop or threading.Event()
    with store.scan_lock(wait=lock_wait, stop=stop):  # noqa: SIM117 - the body keeps its indentation
        with ScanIndex(store.path, repair=True) as index:
            if index.rebuilt:
                index.rebuild_from_records(store.list())
            scan_id = index.begin_scan(str(root), model)
            gpu = GpuSampler()
            try:
                make_backend = backend_factory or partial(_default_backend, settings, scorer_factory)
                with gpu:
                    _scan(
                        root,
                        settings,
                        store,
                        index,
                        summary,
                        force,
                        all_projects,
                        stop,
                        progress,
                        make_backend,
                        on_file,
                    )
            except BaseException:
                summary.stopped = True
                _finish(summary, started, gpu)
                index.finish_scan(scan_id, "failed", summary.model_dump_json())
                raise
            _finish(summary, started, gpu)
            index.finish_scan(scan_id, "stopped" if summary.stopped else "done", summary.model_dump_json())
    return summary


def _finish(summary: ScanSummary, started: float, gpu: GpuSampler) -> None:
    summary.seconds = round(time.perf_counter() - started, 3)
    summary.gpu = gpu.report(summary.gpu_layers)
    summary.finished_at = now_iso()
    handled = summary.files_scored + summary.files_unchanged
    if handled and summary.seconds > 0:
        summary.files_per_second = round(handled / summary.seconds, 2)


def failure_reason(exc: BaseException, label: str) -> str:
    """What the index records for a file whose scoring raised ``exc`` (an unexpected one is logged in full)."""
    if isinstance(exc, InputFileError):
        return exc.reason
    if isinstance(exc, BestcaseError):
        return str(exc)
    log.error("scoring %s failed", label, exc_info=exc)
    return f"internal error: {exc!r}"


@dataclass(frozen=True, eq=False)
class ScoreJob:
    """One file to score. Only ``text``, ``path`` and ``role`` go to a scorer; the rest stays with the writer."""

    project: int  # index into the plan's projects
    unit: WorkUnit
    text: str

    @property
    def path(self) -> str:
        return self.unit.file.rel

    @property
    def role(self) -> str:
        return role_for_path(self.path).value


#: What scoring a job gave: its score, or why it failed (the text the index records).
Outcome = tuple[ScoreJob, FileScore | str]


class ScoringBackend(Protocol):
    """The scan's middle step: jobs in, outcomes out (in any order), each job exactly once unless stopped."""

    gpu_layers: str | None

    def score(self, jobs: Iterator[ScoreJob], stop: threading.Event) -> Iterator[Outcome]: ...

    def close(self) -> None: ...


class InProcessScoring:
    """One scorer in this process, one file at a time, in order."""

    def __init__(self, scorer: Any) -> None:
        self.scorer = scorer
        rep = getattr(scorer, "load_report", None)
        self.gpu_layers = layers_offloaded(rep)

    def score(self, jobs: Iterator[ScoreJob], stop: threading.Event) -> Iterator[Outcome]:
        for job in jobs:
            if stop.is_set():
                return
            try:
                result: FileScore | str = self.scorer.score_text(job.text, job.path)
            except StorageError:
                raise
            except Exception as exc:  # one file must not end the scan; the log keeps the traceback
                result = failure_reason(exc, job.path)
            yield job, result

    def close(self) -> None:
        pass


def _default_backend(settings: Settings, scorer_factory: Callable[[], Any] | None) -> ScoringBackend:
    if scorer_factory is not None:
        return InProcessScoring(scorer_factory())
    from .scorer import Scorer

    return InProcessScoring(Scorer(settings=settings))


def _scan(
    root: Path,
    settings: Settings,
    store: BestCaseStorage,
    index: ScanIndex,
    summary: ScanSummary,
    force: bool,
    all_projects: bool,
    stop: threading.Event,
    progress: bool | None,
    make_backend: Callable[[], ScoringBackend],
    on_file: Callable[[str, str, float], None] | None,
) -> None:
    plan = plan_scan(root, index, settings, force=force, all_projects=all_projects)
    summary.projects = len(plan.projects)
    summary.skipped = [FailedFile(project="", path=p.path, reason=p.reason) for p in plan.problems]
    backend: ScoringBackend | None = None
    if plan.work_count:
        if settings.judge == "hybrid":
            resolve_model(settings.model_name(), settings.models_dir)  # a clear error before any work
        backend = make_backend()
        summary.gpu_layers = backend.gpu_layers
    bar = _Progress(plan.work_count, progress)
    timings: list[float] = []
    pending = [len(pp.work) for pp in plan.projects]
    closed = 0  # projects before this one have been closed (records written), in plan order

    def fail(i: int, unit: WorkUnit, reason: str) -> None:
        name = plan.projects[i].project.name
        index.record_failure(name, unit.file.rel, unit.sha256, reason)
        summary.files_failed.append(FailedFile(project=name, path=unit.file.rel, reason=reason))
        pending[i] -= 1
        bar.update(unit.file.rel)

    def jobs() -> Iterator[ScoreJob]:
        """The driver reads: decode each file, and keep generated code from the model."""
        for i, pp in enumerate(plan.projects):
            for unit in pp.work:
                try:
                    text = decode_source(unit.data, f"{pp.project.name}/{unit.file.rel}")
                    if looks_generated(text[:4000]):
                        raise InputFileError(f"{pp.project.name}/{unit.file.rel}", "minified or generated; skipped")
                except InputFileError as exc:
                    fail(i, unit, exc.reason)
                    continue
                yield ScoreJob(i, unit, text)

    def close_ready() -> None:
        nonlocal closed
        while closed < len(plan.projects) and pending[closed] == 0:
            _close_project(plan.projects[closed], settings, store, index, summary)
            closed += 1

    try:
        for pp in plan.projects:
            summary.files_unchanged += pp.unchanged
            for failure in pp.failed:
                index.record_failure(failure.project, failure.path, None, failure.reason)
                summary.files_failed.append(failure)
        close_ready()
        if backend is not None:
            for job, result in backend.score(jobs(), stop):
                pp, unit = plan.projects[job.project], job.unit
                if isinstance(result, str):
                    fail(job.project, unit, result)
                else:
                    with store.write_lock():
                        index.record(pp.project.name, unit.sha256, unit.file.size, result)
                    if result.exemplar_at(settings.exemplar_threshold):
                        pp.contents[job.path] = (unit.sha256, unit.data)
                    summary.files_scored += 1
                    summary.files_read_by_model += result.answers is not None
                    summary.prompt_tokens += result.prompt_tokens
                    summary.cached_tokens += result.cached_tokens
                    summary.generated_tokens += result.generated_tokens
                    timings.append(result.seconds)
                    pending[job.project] -= 1
                    if on_file is not None:
                        on_file(pp.project.name, job.path, result.overall)
                    bar.update(job.path)
                close_ready()
        close_ready()
        summary.stopped = closed < len(plan.projects)
        if not summary.stopped:
            summary.projects_removed = index.retire_projects([p.project.name for p in plan.projects])
    finally:
        bar.close()
        if backend is not None:
            backend.close()
    active = [(name, f) for name in index.active_projects() for f in index.active_files(name)]
    summary.exemplar_threshold = settings.exemplar_threshold
    summary.exemplars = sum(1 for _, f in active if f.score.exemplar_at(settings.exemplar_threshold))
    teachers = [(name, f) for name, f in active if f.score.teaching >= TEACHING_MIN]
    if not summary.exemplars and teachers:
        name, best = max(teachers, key=lambda t: t[1].score.overall)
        summary.closest = f"{name}/{best.path} ({best.score.overall:.1f})"
    if timings:
        summary.seconds_per_file = round(sum(timings) / len(timings), 3)
        summary.median_seconds_per_file = round(statistics.median(timings), 3)
    from .report import write_report

    summary.report = str(write_report(store, index, summary, settings.exemplar_threshold))


def _close_project(
    pp: ProjectPlan, settings: Settings, store: BestCaseStorage, index: ScanIndex, summary: ScanSummary
) -> None:
    """All of a project's files are handled: note what is gone, write a record if anything changed."""
    summary.projects_scanned += 1
    if not pp.project.path.is_dir():
        summary.skipped.append(
            FailedFile(
                project=pp.project.name,
                path=pp.project.name,
                reason="project folder disappeared during the scan",
            )
        )
        return
    kept = [f.rel for f in pp.selected if f.rel not in {x.path for x in pp.failed}]
    removed = index.mark_seen(pp.project.name, str(pp.project.path), kept)
    latest = store.latest(pp.project.name, SCAN_CATEGORY)
    practices = practices_of(pp.project)
    stale = (
        latest is None
        or latest.patterns.exemplarThreshold != settings.exemplar_threshold
        or latest.patterns.practices != practices
    )
    if pp.work or removed or stale:
        try:
            path = _write_record(store, index, pp.project, settings, pp.contents, practices)
        except StorageError:
            raise
        except BestcaseError as exc:  # one project's record must not cost the others theirs
            summary.skipped.append(
                FailedFile(project=pp.project.name, path=pp.project.name, reason=f"no record written: {exc}")
            )
            return
        if path is not None:
            summary.bestcases_written.append(str(path))
            store.apply_retention(pp.project.name, settings.keep)
            store.sync_search(index)


def build_record(
    project: Project,
    files: list[Any],
    failures: list[tuple[str, str, str]],
    settings: Settings,
    read: Callable[[str], str | None],
    ms: int,
    practices: list[Practice] | None = None,
) -> ProjectRecord | None:
    """The seed-compatible record of one project from its active index rows (and its practices, if read)."""
    if not files:
        return None
    scores = [f.score for f in files]
    sha = {f.score.path: getattr(f, "sha256", None) for f in files}
    scored = [(s.overall, s.code_lines) for s in scores]
    code_score = score_code(scored)
    project_score = score_project(scored, practices)
    exemplars = sorted((s for s in scores if s.exemplar_at(settings.exemplar_threshold)), key=lambda s: -s.overall)
    dims: dict[str, list[float]] = {}
    for s in scores:
        for k, v in s.dimensions.items():
            dims.setdefault(k, []).append(v)
    record_files = []
    for s in exemplars:
        content = read(s.path)
        if content is not None:
            record_files.append(
                RecordFile(path=s.path, content=content, purpose=s.reasons.summary if s.reasons else s.role.value)
            )
    t = tier(project_score)
    patterns = Patterns(
        projectScore=project_score,
        codeScore=code_score,
        practices=practices or [],
        tier=t,
        grade=grade(project_score),
        model=scores[0].model,
        judge=scores[0].judge,
        rubricVersion=RUBRIC_VERSION,
        scannedAt=iso(ms),
        exemplarThreshold=settings.exemplar_threshold,
        dimensionAverages={k: round(sum(v) / len(v), 1) for k, v in dims.items()},
        fileScores=[
            FileScoreSummary(
                path=s.path,
                role=s.role.value,
                overall=s.overall,
                grade=grade(s.overall),
                dimensions=s.dimensions,
                exemplar=s.exemplar_at(settings.exemplar_threshold),
                teaching=s.teaching,
                judge=s.judge,
                parse=s.parse,
                truncated=s.truncated,
                sha256=sha.get(s.path),  # what was scored; lets a damaged index be rebuilt
                codeLines=s.code_lines,
            )
            for s in sorted(scores, key=lambda s: (-s.overall, s.path))
        ],
        exemplars=[
            Exemplar(
                path=s.path,
                role=s.role.value,
                overall=s.overall,
                dimensions=s.dimensions,
                teaching=s.teaching,
                judge=s.judge,
                reasons=s.reasons,
                facts=s.facts.patterns if s.facts else [],
            )
            for s in exemplars
        ],
        failed=[FailedEntry(path=p, reason=r) for _, p, r in failures],
    )
    roles = sorted({s.role.value for s in exemplars})
    return ProjectRecord(
        id=new_record_id(project.name, None, ms),
        projectName=project.name,
        category=SCAN_CATEGORY,
        description=(
            f"Best files of {project.name}: {len(exemplars)} exemplar(s) of {len(scores)} scored, "
            f"project score {project_score} (tier {t})."
        ),
        files=record_files,
        patterns=patterns,
        metadata=RecordMetadata(
            createdAt=iso(ms),
            updatedAt=iso(ms),
            tags=["bestcase", "nuxt" if project.nuxt else "js", f"tier-{t}", *roles],
        ),
    )


def _write_record(
    store: BestCaseStorage,
    index: ScanIndex,
    project: Project,
    settings: Settings,
    contents: dict[str, tuple[str, bytes]],
    practices: list[Practice] | None = None,
) -> Path | None:
    files = index.active_files(project.name)
    sha = {f.path: f.sha256 for f in files}

    def read(rel: str) -> str | None:
        """The text that was scored (this scan's bytes of it, if they are what the index scored)."""
        got = contents.get(rel)
        if got is None or got[0] != sha.get(rel):
            return None
        try:
            return decode_source(got[1], rel)
        except BestcaseError:
            return None

    ms = now_ms()
    latest = store.latest(project.name)
    if latest is not None and latest.created_ms >= ms:
        ms = latest.created_ms + 1  # ids stay ordered within one millisecond
    failures = index.failures(project.name)

    def make(stamp: int) -> ProjectRecord:
        record = build_record(project, files, failures, settings, read, stamp, practices)
        assert record is not None  # only None without files
        return record

    if not files:
        return None
    return store.create(make, ms)[1]
