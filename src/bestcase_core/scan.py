"""A scan: find the work, score what changed, commit results as they come.

Three steps kept apart, so a different executor can replace the middle one:

1. :func:`plan_scan` discovers projects and files, hashes each file and keeps
   the ones whose content, model or rubric changed (or all, with ``force``).
2. The work units are scored, one file at a time behind the model's lock (with
   ``CONCURRENCY > 1`` threads read and hash ahead while the model is busy).
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
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from .clock import iso, now_iso, now_ms
from .discovery import Problem, Project, SourceFile, find_projects, looks_generated, select_files, walk_files
from .errors import BestcaseError, InputFileError, StorageError, WorkspaceError
from .fetch import resolve_model
from .index import ScanIndex
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
from .rubric import RUBRIC_VERSION, grade, tier
from .settings import Settings
from .sourcefile import decode_source, read_capped
from .store import BestCaseStorage, new_record_id

log = logging.getLogger(__name__)


class FailedFile(BaseModel):
    project: str
    path: str
    reason: str


class ScanSummary(BaseModel):
    """What a scan did; ``scripts/scan.py --json`` prints this."""

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
    skipped: list[FailedFile] = Field(default_factory=list)
    exemplars: int = 0
    seconds: float = 0.0
    seconds_per_file: float | None = None
    median_seconds_per_file: float | None = None
    files_per_second: float | None = None
    prompt_tokens: int = 0
    cached_tokens: int = 0
    generated_tokens: int = 0
    gpu_layers: str | None = None
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
) -> ScanSummary:
    """Scan a workspace once. Safe to stop (``stop.set()``) or kill at any point and run again.

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
            try:
                _scan(
                    root, settings, store, index, summary, force, all_projects, stop, progress, scorer_factory, on_file
                )
            except BaseException:
                summary.stopped = True
                _finish(summary, started)
                index.finish_scan(scan_id, "failed", summary.model_dump_json())
                raise
            _finish(summary, started)
            index.finish_scan(scan_id, "stopped" if summary.stopped else "done", summary.model_dump_json())
    return summary


def _finish(summary: ScanSummary, started: float) -> None:
    summary.seconds = round(time.perf_counter() - started, 3)
    summary.finished_at = now_iso()
    handled = summary.files_scored + summary.files_unchanged
    if handled and summary.seconds > 0:
        summary.files_per_second = round(handled / summary.seconds, 2)


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
    scorer_factory: Callable[[], Any] | None,
    on_file: Callable[[str, str, float], None] | None,
) -> None:
    plan = plan_scan(root, index, settings, force=force, all_projects=all_projects)
    summary.projects = len(plan.projects)
    summary.skipped = [FailedFile(project="", path=p.path, reason=p.reason) for p in plan.problems]
    scorer = None
    if plan.work_count:
        if settings.judge == "hybrid":
            resolve_model(settings.model_name(), settings.models_dir)  # a clear error before any work
        if scorer_factory is not None:
            scorer = scorer_factory()
        else:
            from .scorer import Scorer

            scorer = Scorer(settings=settings)
        rep = scorer.load_report
        if rep is not None:
            summary.gpu_layers = f"{rep.gpu_layers}/{rep.total_layers}"
    bar = _Progress(plan.work_count, progress)
    timings: list[float] = []
    try:
        for pp in plan.projects:
            summary.files_unchanged += pp.unchanged
            for failure in pp.failed:
                index.record_failure(failure.project, failure.path, None, failure.reason)
                summary.files_failed.append(failure)
            changed = bool(pp.work)
            for unit in pp.work:
                if stop.is_set():
                    summary.stopped = True
                    break
                rel = unit.file.rel
                try:
                    text = decode_source(unit.data, f"{pp.project.name}/{rel}")
                    if looks_generated(text[:4000]):
                        raise InputFileError(f"{pp.project.name}/{rel}", "minified or generated; skipped")
                    assert scorer is not None
                    result = scorer.score_text(text, rel)
                except InputFileError as exc:
                    index.record_failure(pp.project.name, rel, unit.sha256, exc.reason)
                    summary.files_failed.append(FailedFile(project=pp.project.name, path=rel, reason=exc.reason))
                    bar.update(rel)
                    continue
                except StorageError:
                    raise
                except Exception as exc:  # one file must not end the scan; the log keeps the traceback
                    if not isinstance(exc, BestcaseError):
                        log.exception("scoring %s/%s failed", pp.project.name, rel)
                    reason = str(exc) if isinstance(exc, BestcaseError) else f"internal error: {exc!r}"
                    index.record_failure(pp.project.name, rel, unit.sha256, reason)
                    summary.files_failed.append(FailedFile(project=pp.project.name, path=rel, reason=reason))
                    bar.update(rel)
                    continue
                with store.write_lock():
                    index.record(pp.project.name, unit.sha256, unit.file.size, result)
                if result.exemplar_at(settings.exemplar_threshold):
                    pp.contents[rel] = (unit.sha256, unit.data)
                summary.files_scored += 1
                summary.prompt_tokens += result.prompt_tokens
                summary.cached_tokens += result.cached_tokens
                summary.generated_tokens += result.generated_tokens
                timings.append(result.seconds)
                if on_file is not None:
                    on_file(pp.project.name, rel, result.overall)
                bar.update(rel)
            if summary.stopped:
                break
            summary.projects_scanned += 1
            if not pp.project.path.is_dir():
                summary.skipped.append(
                    FailedFile(
                        project=pp.project.name,
                        path=pp.project.name,
                        reason="project folder disappeared during the scan",
                    )
                )
                continue
            kept = [f.rel for f in pp.selected if f.rel not in {x.path for x in pp.failed}]
            removed = index.mark_seen(pp.project.name, str(pp.project.path), kept)
            latest = store.latest(pp.project.name, SCAN_CATEGORY)
            stale = latest is None or latest.patterns.exemplarThreshold != settings.exemplar_threshold
            if changed or removed or stale:
                try:
                    path = _write_record(store, index, pp.project, settings, pp.contents)
                except StorageError:
                    raise
                except BestcaseError as exc:  # one project's record must not cost the others theirs
                    summary.skipped.append(
                        FailedFile(project=pp.project.name, path=pp.project.name, reason=f"no record written: {exc}")
                    )
                    continue
                if path is not None:
                    summary.bestcases_written.append(str(path))
                    store.apply_retention(pp.project.name, settings.keep)
                    store.sync_search(index)
        if not summary.stopped:
            summary.projects_removed = index.retire_projects([p.project.name for p in plan.projects])
    finally:
        bar.close()
    summary.exemplars = sum(
        1
        for name in index.active_projects()
        for f in index.active_files(name)
        if f.score.exemplar_at(settings.exemplar_threshold)
    )
    if timings:
        summary.seconds_per_file = round(sum(timings) / len(timings), 3)
        summary.median_seconds_per_file = round(statistics.median(timings), 3)
    from .report import write_report

    summary.report = str(write_report(store, index, summary, settings.exemplar_threshold))


def build_record(
    project: Project,
    files: list[Any],
    failures: list[tuple[str, str, str]],
    settings: Settings,
    read: Callable[[str], str | None],
    ms: int,
) -> ProjectRecord | None:
    """The seed-compatible record of one project from its active index rows."""
    if not files:
        return None
    scores = [f.score for f in files]
    sha = {f.score.path: getattr(f, "sha256", None) for f in files}
    project_score = round(sum(s.overall for s in scores) / len(scores), 1)
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
        record = build_record(project, files, failures, settings, read, stamp)
        assert record is not None  # only None without files
        return record

    if not files:
        return None
    return store.create(make, ms)[1]
