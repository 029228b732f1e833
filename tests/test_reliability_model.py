"""Reliability with the real qwen2.5-coder:0.5b: one engine per process, and a scan of hostile project names.

Each test's docstring says what it caught on the code before issue 11.
"""

from __future__ import annotations

import shutil

import pytest

from bestcase_core import gpu
from bestcase_core.index import INDEX_FILE, ScanIndex
from bestcase_core.scan import run_scan
from bestcase_core.scorer import Scorer
from bestcase_core.store import BestCaseStorage, validate_id

pytestmark = pytest.mark.model

#: Folder names a team really uses; "x/y" is a depth-2 project beside the depth-1 "x-y".
HOSTILE = ["프론트엔드", "_private", "-dash", "a..b", "my app", "x-y", "x/y", "emoji😀"]


def no_model():
    raise AssertionError("the model was loaded although nothing needed scoring")


# --- one engine per process ------------------------------------------------------------------------


def test_a_second_scorer_reuses_the_engine_and_its_plan(settings_05b):
    """Every Scorer with the same model and settings shares one engine and one plan (held before on the CPU too)."""
    a = Scorer(settings=settings_05b, exemplar_threshold=101)
    b = Scorer(settings=settings_05b, exemplar_threshold=101)
    assert a.engine is b.engine and a.plan == b.plan and not a.engine.closed


def test_changing_settings_frees_the_old_engine_before_loading(settings_05b):
    """Before: other settings loaded a second engine beside the first, which was never freed."""
    a = Scorer(settings=settings_05b, exemplar_threshold=101)
    old = a.engine
    b = Scorer(settings=settings_05b.model_copy(update={"n_ctx": 2048}), exemplar_threshold=101)
    assert old.closed and old.llm is None and b.engine is not old
    # the first scorer still scores: it loads its own engine again, which frees the other
    result = a.score_text("export const twice = (n: number): number => n * 2\n", "utils/twice.ts")
    assert 0 <= result.overall <= 100 and b.engine.closed and not a.engine.closed


def test_fake_gpu_plan_is_made_once_while_our_engine_holds_the_memory(settings_05b, monkeypatch):
    """Before: every scan planned from the GPU's *free* memory while our previous engine held it, so the first
    put all layers on the GPU, the next none, and a second engine loaded beside the first.

    The GPU is a fake (its free memory drops once our engine is loaded); llama.cpp itself runs on the CPU.
    """
    calls: list[int | None] = []

    def fake_budget(setting_mb):
        calls.append(setting_mb)
        return gpu.VramBudget(6144 if len(calls) == 1 else 400, "nvml", "Fake GPU 6 GB")

    monkeypatch.setattr(gpu, "detect_vram_budget", fake_budget)
    monkeypatch.setattr(gpu, "gpu_offload_supported", lambda: True)
    settings = settings_05b.model_copy(update={"vram_mb": None})
    first = Scorer(settings=settings, exemplar_threshold=101)
    second = Scorer(settings=settings, exemplar_threshold=101)
    assert len(calls) == 1
    assert second.engine is first.engine and not first.engine.closed
    assert first.plan.full_offload and second.plan == first.plan


# --- a workspace of hostile names ---------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_scan(tmp_path_factory, cascade_05b):
    """A real scan of one tiny project per hostile name: (root, storage, summary)."""
    base = tmp_path_factory.mktemp("hostile")
    root = base / "ws"
    for name in HOSTILE:
        folder = root / name
        folder.mkdir(parents=True)
        (folder / "nuxt.config.ts").write_text(f"// {name}\nexport default defineNuxtConfig({{ ssr: false }})\n")
    storage = base / "store"
    settings = cascade_05b.model_copy(update={"exemplar_threshold": 100.0})
    summary = run_scan(root, settings, storage=storage, progress=False)
    return root, storage, summary, settings


def test_a_scan_of_korean_dotted_and_punctuated_project_names_writes_every_record(hostile_scan):
    """Before: the first such project raised InvalidIdError, the scan failed and no report was written."""
    _, storage, summary, _ = hostile_scan
    assert summary.projects == len(HOSTILE) and summary.files_scored == len(HOSTILE)
    assert not summary.files_failed and summary.report
    records = BestCaseStorage(storage).list()
    assert sorted(r.projectName for r in records) == sorted(HOSTILE)
    assert len({r.id for r in records}) == len(HOSTILE) and all(validate_id(r.id) for r in records)
    html = (storage / "report.html").read_text()
    assert "프론트엔드" in html and "emoji😀" in html


def test_a_damaged_index_is_rebuilt_from_the_records_without_scoring_again(hostile_scan, tmp_path):
    """Before: a damaged index.sqlite failed every scan; now it is moved aside and the records' file scores
    (with the sha256 of what was scored) fill the new one, so nothing unchanged is scored again."""
    root, storage, _, settings = hostile_scan
    copy = shutil.copytree(storage, tmp_path / "store")
    (copy / INDEX_FILE).write_bytes(b"\0garbage" * 4096)
    for side in ("-wal", "-shm"):
        (copy / (INDEX_FILE + side)).unlink(missing_ok=True)
    again = run_scan(root, settings, storage=copy, progress=False, scorer_factory=no_model)
    assert (again.files_scored, again.files_unchanged) == (0, len(HOSTILE))
    assert again.bestcases_written == [] and len(list(copy.glob(f"{INDEX_FILE}.corrupt-*"))) == 1
    assert len(BestCaseStorage(copy).list()) == len(HOSTILE)
    with ScanIndex(copy) as index:
        assert sorted(index.active_projects()) == sorted(HOSTILE)
