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
