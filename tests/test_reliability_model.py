"""Reliability with the real qwen2.5-coder:0.5b: a scan of hostile project names.

Each test's docstring says what it caught on the code before issue 11.
"""

from __future__ import annotations

import shutil

import pytest

from bestcase_core.index import INDEX_FILE, ScanIndex
from bestcase_core.scan import run_scan
from bestcase_core.store import BestCaseStorage, validate_id

pytestmark = pytest.mark.model

#: Folder names a team really uses; "x/y" is a depth-2 project beside the depth-1 "x-y".
HOSTILE = ["프론트엔드", "_private", "-dash", "a..b", "my app", "x-y", "x/y", "emoji😀"]


def no_model():
    raise AssertionError("the model was loaded although nothing needed scoring")


# --- a workspace of hostile names ---------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_scan(tmp_path_factory, settings_05b):
    """A real scan of one tiny project per hostile name: (root, storage, summary)."""
    base = tmp_path_factory.mktemp("hostile")
    root = base / "ws"
    for name in HOSTILE:
        folder = root / name
        folder.mkdir(parents=True)
        (folder / "nuxt.config.ts").write_text(f"// {name}\nexport default defineNuxtConfig({{ ssr: false }})\n")
    storage = base / "store"
    settings = settings_05b.model_copy(update={"exemplar_threshold": 100.0})
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
