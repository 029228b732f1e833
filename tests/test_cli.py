"""The ``bestcase`` command: its subcommands, help read from the settings model, status = MCP's scan_status."""

from __future__ import annotations

import json
from pathlib import Path

import anyio
import pytest
from mcp import Client

from bestcase_core.cli import main
from bestcase_core.settings import Settings, load_settings
from conftest import REPO, copy_example, run_script

SUBCOMMANDS = ("scan", "score", "fetch", "doctor", "mcp", "bench", "backup", "restore", "status")


def _help(capsys, *argv: str) -> str:
    with pytest.raises(SystemExit) as done:
        main([*argv, "--help"])
    assert done.value.code == 0
    return capsys.readouterr().out


def test_bestcase_lists_every_subcommand_and_each_has_its_own_help(capsys):
    top = _help(capsys)
    for command in SUBCOMMANDS:
        assert command in top
        assert _help(capsys, command).startswith(f"usage: bestcase {command}")


def test_help_defaults_come_from_the_settings_model_not_a_second_copy(capsys, monkeypatch):
    scan_help = " ".join(_help(capsys, "scan").split())
    assert "(env BESTCASE_MAX_FILES; default 50)" in scan_help
    assert "(env BESTCASE_EXEMPLAR_THRESHOLD; default 80)" in scan_help
    monkeypatch.setattr(Settings.model_fields["max_files"], "default", 77)
    monkeypatch.setattr(Settings.model_fields["n_ctx"], "default", 1234)
    for command in ("scan", "bench"):
        assert "(env BESTCASE_MAX_FILES; default 77)" in " ".join(_help(capsys, command).split())
    assert "(env BESTCASE_CTX; default 1234)" in " ".join(_help(capsys, "doctor").split())


def test_scripts_are_shims_of_the_same_command():
    for script, command in (("scan.py", "scan"), ("doctor.py", "doctor"), ("fetch_model.py", "fetch")):
        out = run_script(script, "--help")
        assert out.returncode == 0 and out.stdout.startswith(f"usage: bestcase {command}"), out.stderr
        text = (REPO / "scripts" / script).read_text()
        assert "argparse" not in text and len(text.splitlines()) < 20


def test_a_user_mistake_is_one_error_line_naming_the_next_bestcase_command(capsys, monkeypatch):
    monkeypatch.delenv("PROJECTS_PATH", raising=False)
    monkeypatch.delenv("BESTCASE_STORAGE_PATH", raising=False)
    assert main(["scan"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: No workspace root") and "bestcase scan --root DIR" in err


def test_status_prints_what_the_mcp_tool_scan_status_returns(tmp_path, capsys):
    from bestcase_core.mcp.server import build_server
    from bestcase_core.scan import run_scan

    root = copy_example(tmp_path / "ws")
    run_scan(root, load_settings(judge="static", projects_path=root), progress=False)

    async def tool() -> dict:
        async with Client(build_server(load_settings(projects_path=root))) as client:
            return (await client.call_tool("scan_status", {})).structured_content

    from_mcp = anyio.run(tool)
    assert main(["status", "--root", str(root)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["last_scan"]["status"] == "done" and printed["store"]["records"] >= 1
    # the store's size counts SQLite's -wal/-shm files, which opening the index changes
    assert printed["store"].pop("bytes") > 0 and from_mcp["store"].pop("bytes") > 0
    assert printed == from_mcp


def test_bestcase_home_moves_the_models_folder_and_the_caches(tmp_path, monkeypatch):
    from bestcase_core.bench.corpus import cache_dir
    from bestcase_core.paths import REPO_ROOT, cache_home, in_checkout

    assert in_checkout() and REPO_ROOT == REPO
    monkeypatch.delenv("BESTCASE_MODELS_DIR", raising=False)
    monkeypatch.delenv("BESTCASE_HOME", raising=False)
    assert load_settings().models_dir == REPO / "models" and cache_home() == REPO / ".cache"  # a checkout as before
    monkeypatch.setenv("BESTCASE_HOME", str(tmp_path))
    assert load_settings().models_dir == tmp_path / "models"
    assert cache_dir() == tmp_path / "npm"
    monkeypatch.setenv("BESTCASE_MODELS_DIR", str(tmp_path / "elsewhere"))
    assert load_settings().models_dir == Path(tmp_path / "elsewhere")
