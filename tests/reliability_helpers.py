"""Helpers shared by the reliability tests (test_reads, test_records, test_index): small real projects
and records, and a stand-in for the model where a test is about what happens to a result."""

from __future__ import annotations

from pathlib import Path

from bestcase_core.clock import iso
from bestcase_core.discovery import Project
from bestcase_core.index import IndexedFile
from bestcase_core.record import Patterns, ProjectRecord, RecordFile, RecordMetadata
from bestcase_core.roles import role_for_path
from bestcase_core.rubric import RUBRIC_VERSION
from bestcase_core.scan import build_record
from bestcase_core.schema import FileScore, Reasons
from bestcase_core.settings import load_settings
from bestcase_core.store import new_record_id
from conftest import TEST_MODEL

NAMES = [
    "프론트엔드",
    "프론트엔드/관리자",
    "_private",
    "-dash",
    "a..b",
    "..",
    ".hidden",
    "my app",
    "x/y",
    "x-y",
    "x\\y",
    "x_y",
    "a.b.c",
    "ü",
    "Ü",
    "emoji😀",
    "",
    " ",
    "a" * 300,
    "a" * 299 + "b",
    "index",
    "report",
    "line\nbreak",
    "tab\tname",
    "shop-nuxt3",
]


def settings(**kw):
    return load_settings(model=TEST_MODEL, **kw)


def nuxt_project(folder: Path, files: dict[str, str] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "nuxt.config.ts").write_text("export default defineNuxtConfig({})\n")
    for rel, text in (files or {}).items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text)
    return folder


def no_model():
    raise AssertionError("the model was loaded although nothing needed scoring")


def fake_score(path: str, overall: float = 95.0) -> FileScore:
    return FileScore(
        path=path,
        role=role_for_path(path),
        overall=overall,
        dimensions={"structure": overall},
        exemplar=True,
        teaching=1.0,
        reasons=Reasons(summary="a clear file", strengths=["clear names", "typed"], weaknesses=["no docs", "long"]),
        model=TEST_MODEL,
        rubric_version=RUBRIC_VERSION,
        prompt_tokens=1,
        generated_tokens=1,
        seconds=0.1,
    )


def scan_record(project: str, ms: int, path: str = "utils/a.ts", content: str = "export const a = 1\n"):
    row = IndexedFile(project, path, "f" * 64, TEST_MODEL, RUBRIC_VERSION, fake_score(path), "2025-01-01T00:00:00Z")
    return build_record(Project(project, Path("/nowhere"), True), [row], [], settings(), lambda rel: content, ms)


def saved_record(project: str, ms: int, category: str = "composables", content: str = "CLIENT_SUPPLIED_CODE"):
    stamp = iso(ms)
    return ProjectRecord(
        id=new_record_id(project, category, ms),
        projectName=project,
        category=category,
        description="saved by hand",
        files=[RecordFile(path="utils/a.ts", content=content, purpose="x")],
        patterns=Patterns(source="save_bestcase"),
        metadata=RecordMetadata(createdAt=stamp, updatedAt=stamp, tags=["hand"]),
    )


class FakeScorer:
    """Stands in for the model where the test is about what the scan does with a result, not the result."""

    load_report = type("LoadReport", (), {"gpu_layers": 0, "total_layers": 25})()

    def score_text(self, text: str, rel: str) -> FileScore:
        return fake_score(rel)
