"""The scan on a real local Ray cluster with the real 0.5B: same scores, killed actors, a killed driver.

The cluster is started here with ``ray.init`` (two CPUs, no dashboard); the
driver-kill test also runs ``scripts/scan.py --ray``, which starts its own.
Each actor runs llama.cpp on one thread with a small context, on a copy of the
example workspace cut to two files per project, so the module stays short.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bestcase_core.errors import ConfigError
from bestcase_core.index import INDEX_FILE, ScanIndex
from bestcase_core.ray_scan import RayOptions, RayScoring, run_ray_scan
from bestcase_core.scan import run_scan
from conftest import REPO, TEST_MODEL, copy_example

#: What differs between two scorings of the same file: how long they took, and how much of the
#: prompt the model had in its cache (the rubric prefix, after an actor's first file).
COSTS = {"seconds", "static_seconds", "cached_tokens"}


def scores(storage: Path) -> dict[tuple[str, str], dict]:
    with ScanIndex(storage) as idx:
        return {
            (p, f.path): f.score.model_dump(mode="json", exclude=COSTS)
            for p in idx.active_projects()
            for f in idx.active_files(p)
        }


def records(storage: Path) -> dict[str, dict]:
    """Each project's newest record, less its timestamps and id."""
    from bestcase_core.store import BestCaseStorage

    out = {}
    for rec in BestCaseStorage(storage).list():
        data = rec.model_dump(mode="json", exclude={"id", "metadata"})
        data["patterns"].pop("scannedAt")
        out[rec.projectName] = data
    return out


@pytest.fixture(scope="module")
def small(tmp_path_factory, model_05b):
    """(workspace, settings, in-process baseline store): 2 files per project, 1 thread, 2k context."""
    from bestcase_core.settings import load_settings

    base = tmp_path_factory.mktemp("ray")
    root = copy_example(base / "ws")
    settings = load_settings(
        model=TEST_MODEL, n_ctx=2048, n_threads=1, vram_mb=0, max_files=2, exemplar_threshold=100.0, model_reads="all"
    )
    summary = run_scan(root, settings, storage=base / "baseline", progress=False)
    assert summary.files_scored == 4 and not summary.files_failed
    return root, settings, base / "baseline"


@pytest.fixture(scope="module")
def ray():
    return pytest.importorskip("ray", reason='the Ray tests need the ray extra: pip install -e ".[dev]"')


@pytest.fixture(scope="module")
def cluster(ray):
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.mark.model
def test_two_actors_give_the_in_process_scores_and_records(small, cluster, tmp_path):
    root, settings, baseline = small
    summary = run_ray_scan(root, settings, RayOptions(actors=2), storage=tmp_path / "store", progress=False)
    assert summary.files_scored == 4 and not summary.files_failed and not summary.stopped
    assert summary.gpu_layers == "0/25"
    assert scores(tmp_path / "store") == scores(baseline)
    assert records(tmp_path / "store") == records(baseline)
    # a rerun plans from the index: nothing left to score, no actor started
    again = run_ray_scan(root, settings, RayOptions(actors=2), storage=tmp_path / "store", progress=False)
    assert again.files_scored == 0 and again.files_unchanged == 4 and again.gpu_layers is None


@pytest.mark.model
def test_a_killed_actor_loses_nothing_and_scores_nothing_twice(small, cluster, ray, tmp_path):
    root, settings, baseline = small
    made: list[RayScoring] = []
    committed: list[tuple[str, str]] = []

    def backend() -> RayScoring:
        made.append(RayScoring(settings, RayOptions(actors=2)))
        return made[-1]

    def on_file(project: str, path: str, overall: float) -> None:
        committed.append((project, path))
        if len(committed) == 1:  # both actors are busy now: the pool gave this one its next file
            ray.kill(made[0].actors[0])

    summary = run_scan(
        root, settings, storage=tmp_path / "store", progress=False, backend_factory=backend, on_file=on_file
    )
    assert made[0].lost >= 1 and made[0].replacements == 1  # a file really was lost and sent again
    assert summary.files_scored == 4 and not summary.files_failed and not summary.stopped
    assert sorted(committed) == sorted(set(committed)) and len(committed) == 4
    assert scores(tmp_path / "store") == scores(baseline)
    assert len(records(tmp_path / "store")) == 2


def _session_pids(sid: int) -> list[int]:
    out = subprocess.run(["ps", "-eo", "pid=,sid="], capture_output=True, text=True).stdout
    return [int(p) for p, s in (line.split() for line in out.splitlines()) if int(s) == sid]


@pytest.mark.model
def test_a_killed_driver_keeps_what_it_committed_and_a_rerun_resumes(small, cluster, tmp_path):
    root, settings, baseline = small
    storage = tmp_path / "store"
    env = dict(
        os.environ,
        BESTCASE_THREADS="1",
        BESTCASE_CTX="2048",
        BESTCASE_VRAM_MB="0",
        BESTCASE_MAX_FILES="2",
        BESTCASE_EXEMPLAR_THRESHOLD="100",
        BESTCASE_MODEL_READS="all",  # the actors run the model, so the scan is still running when killed
        PYTHONPATH=os.pathsep.join([str(REPO / "src"), *filter(None, [os.environ.get("PYTHONPATH")])]),
    )
    args = ["--root", str(root), "--storage", str(storage), "--model", TEST_MODEL, "--no-progress"]
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "scripts" / "scan.py"), *args, "--ray", "--actors", "2"],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own session: the local cluster it starts goes down with it below
    )
    done = 0
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and proc.poll() is None:
            if (storage / INDEX_FILE).exists():
                try:
                    db = sqlite3.connect(f"file:{storage / INDEX_FILE}?mode=ro", uri=True, timeout=30)
                    done = db.execute("SELECT COUNT(*) FROM files").fetchone()[0]
                    db.close()
                except sqlite3.Error:  # the file is there before its tables are: poll again
                    done = 0
                if done:
                    break
            time.sleep(0.2)
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        assert done >= 1, "no file was committed in time"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
    finally:
        for pid in _session_pids(proc.pid):  # the driver's cluster: gone with its machine
            os.kill(pid, signal.SIGKILL)
        proc.wait(30)
    with sqlite3.connect(storage / INDEX_FILE) as db:
        kept = db.execute("SELECT COUNT(*) FROM files").fetchone()[0]
    assert 1 <= kept < 4
    summary = run_ray_scan(root, settings, RayOptions(actors=2), storage=storage, progress=False)
    assert summary.files_unchanged == kept and summary.files_scored == 4 - kept and not summary.files_failed
    assert scores(storage) == scores(baseline)
    assert records(storage) == records(baseline)


def test_without_ray_the_flag_says_how_to_install_it(tmp_path):
    """--ray with ray hidden from the interpreter: one line naming the extra."""
    blocker = tmp_path / "noray"
    blocker.mkdir()
    (blocker / "ray.py").write_text("raise ImportError('hidden for this test')\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(blocker), str(REPO / "src")]))
    proc = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "scan.py"), "--root", str(tmp_path), "--ray"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0
    assert proc.stderr.strip().splitlines() == [
        'error: Ray is not installed; --ray needs it: pip install "bestcase[ray]"'
    ]


def test_the_pool_is_sized_from_the_cluster_resources():
    from bestcase_core.ray_scan import pool_shape
    from bestcase_core.settings import load_settings

    s = load_settings(model=TEST_MODEL)
    assert pool_shape(RayOptions(), s, {"CPU": 32.0}) == (8, 4)  # 4 threads each by default
    assert pool_shape(RayOptions(actors=2), s, {"CPU": 32.0}) == (2, 16)
    assert pool_shape(RayOptions(threads=1), s, {"CPU": 6.0}) == (6, 1)
    assert pool_shape(RayOptions(), s.model_copy(update={"n_threads": 2}), {"CPU": 6.0}) == (3, 2)
    assert pool_shape(RayOptions(gpus_per_actor=0.25), s, {"CPU": 16.0, "GPU": 2.0}) == (8, 2)
    with pytest.raises(ConfigError, match="no GPUs"):
        pool_shape(RayOptions(gpus_per_actor=1), s, {"CPU": 16.0})


def test_ray_options_come_from_the_flags_or_the_environment(monkeypatch):
    import argparse

    from bestcase_core.ray_scan import add_ray_arguments
    from bestcase_core.settings import load_settings

    ap = argparse.ArgumentParser()
    options = add_ray_arguments(ap)
    s = load_settings(model=TEST_MODEL)
    assert options(ap.parse_args([]), s) is None
    with pytest.raises(ConfigError, match="go with --ray"):
        options(ap.parse_args(["--actors", "2"]), s)
    pytest.importorskip("ray")
    assert options(ap.parse_args(["--ray"]), s) == RayOptions(address="local")
    assert options(ap.parse_args(["--ray", "auto", "--actors", "3"]), s) == RayOptions(address="auto", actors=3)
    monkeypatch.setenv("BESTCASE_RAY_ADDRESS", "10.0.0.1:6379")
    from_env = load_settings(model=TEST_MODEL)
    assert options(ap.parse_args([]), from_env) == RayOptions(address="10.0.0.1:6379")
    assert options(ap.parse_args(["--ray", "auto"]), from_env) == RayOptions(address="auto")
