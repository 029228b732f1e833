"""The installed product: the wheel in a fresh venv, used from a folder outside the checkout.

llama-cpp-python takes minutes to compile, so it is not built again: the fresh venv gets the
built wheel of bestcase (``pip install --no-deps``) and a ``.pth`` line that puts this venv's
site-packages after its own, for the dependencies only. The editable install of bestcase in
this venv is not active there (a ``.pth`` named by path is not processed), and the test checks
that ``bestcase_core`` is imported from the fresh venv.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from conftest import EXAMPLE, REPO, TEST_MODEL


@pytest.fixture(scope="module")
def installed(tmp_path_factory, model_05b) -> dict[str, Path]:
    """A fresh venv with the built wheel installed, a BESTCASE_HOME whose models folder holds the 0.5B."""
    tmp = tmp_path_factory.mktemp("install")
    wheels = tmp / "wheels"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels), str(REPO)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = wheels.glob("bestcase-*.whl")

    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    purelib = Path(
        subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    installed_ok = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "--quiet", wheel],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert installed_ok.returncode == 0, installed_ok.stderr
    (purelib / "zz-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")

    home = tmp / "home"
    (home / "models").mkdir(parents=True)
    (home / "models" / model_05b.name).symlink_to(model_05b.resolve())  # pre-seeded: no download
    for notes in (".verified.json", ".gguf-info.json"):  # and what the checkout learnt of it: no re-hash, no re-parse
        if (model_05b.parent / notes).is_file():
            shutil.copy(model_05b.parent / notes, home / "models" / notes)
    elsewhere = tmp / "elsewhere"
    elsewhere.mkdir()
    return {"venv": venv, "python": python, "purelib": purelib, "home": home, "cwd": elsewhere, "tmp": tmp}


def _env(inst: dict[str, Path]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "BESTCASE_MODELS_DIR", "LLM_MODEL")}
    env.update(
        BESTCASE_HOME=str(inst["home"]),
        HF_HOME=str(inst["tmp"] / "hf"),  # an empty hub cache: the model must come from BESTCASE_HOME
        HF_HUB_OFFLINE="1",
        BESTCASE_CTX="4096",
        PATH=f"{inst['venv'] / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    return env


def _run(inst: dict[str, Path], *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(inst["venv"] / "bin" / "bestcase"), *args],
        capture_output=True,
        text=True,
        env=_env(inst),
        cwd=inst["cwd"],
        timeout=timeout,
    )


def test_installed_package_runs_from_the_venv_with_its_data_shipped_inside(installed):
    code = (
        "import json, bestcase_core, bestcase_core.paths as p, bestcase_core.build as b, bestcase_core.registry as r;"
        "print(json.dumps({'file': bestcase_core.__file__, 'checkout': p.in_checkout(), 'presets': str(b.PRESETS_FILE),"
        "'npresets': len(b.load_presets()), 'registry': str(r.REGISTRY_FILE), 'models': len(r.list_models()),"
        "'llama': b.pinned_llama_version(), 'cache': str(p.cache_home())}))"
    )
    out = subprocess.run(
        [installed["python"], "-c", code], capture_output=True, text=True, env=_env(installed), cwd=installed["cwd"]
    )
    assert out.returncode == 0, out.stderr
    facts = json.loads(out.stdout)
    package = installed["purelib"] / "bestcase_core"
    assert Path(facts["file"]).parent == package and facts["checkout"] is False
    assert Path(facts["presets"]) == package / "CMakePresets.json" and facts["npresets"] >= 4
    assert Path(facts["registry"]) == package / "registry.json" and facts["models"] == 4
    assert facts["llama"] == "0.3.36" and facts["cache"] == str(installed["home"])
    helped = _run(installed, "--help")
    for command in ("scan", "score", "fetch", "doctor", "mcp", "bench", "backup", "restore", "status"):
        assert command in helped.stdout


def test_installed_doctor_json_finds_the_model_in_bestcase_home(installed):
    out = _run(installed, "doctor", "--model", TEST_MODEL, "--vram-mb", "2048", "--json")
    assert out.returncode == 0, out.stdout + out.stderr
    report = json.loads(out.stdout)
    assert report["sha256_ok"] is True and report["ok"] is True
    assert Path(report["path"]).parent == installed["home"] / "models"
    assert report["plan"]["n_layers"] == 25


def test_installed_scan_from_another_folder_scores_with_the_model_and_writes_nothing_in_the_package(installed):
    root = installed["tmp"] / "workspace"  # one project, one file: the model's fixed cost per process dominates
    shutil.copytree(EXAMPLE / "admin-dashboard", root / "admin-dashboard")
    package = installed["purelib"] / "bestcase_core"
    before = {p for p in package.rglob("*") if "__pycache__" not in p.parts}
    out = _run(installed, "scan", "--root", str(root), "--model", TEST_MODEL, "--max-files", "1", "--json", timeout=600)
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert summary["judge"] == "hybrid" and summary["model"] == TEST_MODEL
    assert summary["files_scored"] == 1 and not summary["files_failed"] and summary["gpu_layers"]
    assert len(list((root / ".bestcases").glob("*.json"))) == 1
    status = _run(installed, "status", "--root", str(root))
    assert json.loads(status.stdout)["last_scan"]["status"] == "done"
    after = {p for p in package.rglob("*") if "__pycache__" not in p.parts}
    assert after == before
    assert not list(installed["cwd"].iterdir())  # nothing written where it was run from
