"""Shared fixtures. Tests run the real thing: real GGUF files, real SQLite, real MCP sessions."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"
MODELS = REPO / "models"
TEST_MODEL = "qwen2.5-coder:0.5b"

#: A test that uses one of these fixtures, directly or through another fixture, needs the real GGUF
#: weights (marker ``model``) or npm packages (``network``): it is marked at collection, so
#: ``pytest -m "not model and not network"`` runs with neither. Tests that load a model otherwise
#: (a subprocess, ``getfixturevalue``) carry the marker themselves.
MODEL_FIXTURES = frozenset({"model_05b", "model_15b"})
NETWORK_FIXTURES = frozenset({"docus_package"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if used & MODEL_FIXTURES:
            item.add_marker(pytest.mark.model)
        if used & NETWORK_FIXTURES:
            item.add_marker(pytest.mark.network)


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def model_05b() -> Path:
    """The real qwen2.5-coder:0.5b (fetched once, then reused from models/)."""
    from bestcase_core.fetch import ensure_model

    return ensure_model(TEST_MODEL, MODELS)


@pytest.fixture(scope="session")
def model_15b() -> Path:
    """The real qwen2.5-coder:1.5b, for its metadata (fetched once, then reused)."""
    from bestcase_core.fetch import ensure_model

    return ensure_model("qwen2.5-coder:1.5b", MODELS)


@pytest.fixture(scope="session")
def shape_7b():
    from bestcase_core.gguf_info import GGUFInfo

    raw = json.loads((DATA / "qwen2.5-coder-7b-shape.json").read_text())
    raw.pop("_comment")
    each = raw.pop("block_bytes_each")
    return GGUFInfo(block_bytes=[each] * raw["block_count"], **raw)


def run_script(name: str, *args: str, env: dict[str, str] | None = None, timeout: float = 600):
    """Run scripts/<name> with this interpreter, as a user would."""
    import subprocess

    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, str(REPO / "scripts" / name), *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=REPO,
        timeout=timeout,
    )


@pytest.fixture(scope="session")
def settings_05b(model_05b, tmp_path_factory):
    """Settings for the real 0.5B with a 4k context (enough for the test files, quicker to allocate).

    The model reads every file (``model_reads=all``), for the tests about what it reads; scans
    whose subject is elsewhere use ``cascade_05b``. The cascade has its own test (test_scorer.py).
    """
    from bestcase_core.settings import load_settings

    return load_settings(model=TEST_MODEL, n_ctx=4096, vram_mb=0, model_reads="all")


@pytest.fixture(scope="session")
def cascade_05b(settings_05b):
    """The real 0.5B with the scan's default cascade (``model_reads=contenders``): the model reads
    only files that could become exemplars. For scans whose subject is storage, resumption or
    bad input rather than what the model reads, so they do not pay a prefill per file."""
    return settings_05b.model_copy(update={"model_reads": "contenders"})


@pytest.fixture(scope="session")
def scorer_05b(settings_05b):
    """One Scorer on the real 0.5B for the whole session (exemplar threshold off: 101)."""
    from bestcase_core.scorer import Scorer

    return Scorer(settings=settings_05b, exemplar_threshold=101)


@pytest.fixture(scope="session")
def docus_package() -> Path:
    """docus@5.12.3 from npm: real Nuxt code nobody here wrote (cached in .cache/npm)."""
    from bestcase_core.bench.corpus import fetch_package

    return fetch_package("docus@5.12.3")


@pytest.fixture(scope="session")
def real_nuxt_files(docus_package) -> list[tuple[Path, str]]:
    """24 real .vue/.ts files from docus, smallest first (so the suite stays quick)."""
    files = [
        p
        for p in docus_package.rglob("*")
        if p.suffix in (".vue", ".ts") and not p.name.endswith(".d.ts") and p.is_file() and p.stat().st_size > 200
    ]
    files.sort(key=lambda p: (p.stat().st_size, str(p)))
    return [(p, p.relative_to(docus_package).as_posix()) for p in files[:24]]


EXAMPLE = REPO / "examples" / "workspace"


def copy_example(dest: Path) -> Path:
    import shutil

    shutil.copytree(EXAMPLE, dest, ignore=shutil.ignore_patterns(".bestcases"))
    return dest


@pytest.fixture(scope="session")
def example_scan(tmp_path_factory, cascade_05b):
    """A real scan of a copy of the example workspace with the 0.5B: (root, storage, summary, settings).

    The first pass scores every file as a user's default scan does (the model reads the files
    that could become exemplars); the exemplar threshold is then set to the second-best score of
    the files with something to teach, and the second pass scores nothing again but writes new
    records with those two exemplars (what lowering --min-score does for a user).
    """
    from bestcase_core.judge import TEACHING_MIN
    from bestcase_core.scan import run_scan
    from bestcase_core.store import BestCaseStorage

    base = tmp_path_factory.mktemp("example")
    root = copy_example(base / "workspace")
    storage = base / "store"
    run_scan(root, cascade_05b, storage=storage, progress=False)
    scores = sorted(
        (
            f.overall
            for r in BestCaseStorage(storage).list()
            for f in r.patterns.fileScores
            if f.teaching >= TEACHING_MIN
        ),
        reverse=True,
    )
    settings = cascade_05b.model_copy(update={"exemplar_threshold": scores[1]})
    summary = run_scan(root, settings, storage=storage, progress=False)
    return root, storage, summary, settings
