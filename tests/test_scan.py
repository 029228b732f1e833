"""The scan on real files with the real 0.5B: records, incremental rescans, crashes, bad input."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bestcase_core.errors import StorageError
from bestcase_core.scan import run_scan
from bestcase_core.store import SCAN_LOCK_FILE, BestCaseStorage
from conftest import EXAMPLE, REPO, TEST_MODEL, copy_example, run_script

SEED_FIELDS = {"id", "projectName", "category", "description", "files", "patterns", "metadata"}


def scan_args(root: Path, storage: Path) -> list[str]:
    """scan.py's arguments for a workspace and store, with the test model."""
    return ["--root", str(root), "--storage", str(storage), "--model", TEST_MODEL]


def tree(root: Path) -> dict[str, str]:
    """Every file under root with its sha256 (what "nothing was written here" compares)."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def no_model():
    raise AssertionError("the model was loaded although nothing changed")


@pytest.fixture()
def mini(tmp_path, cascade_05b):
    """A copy of the example workspace scanned 2 files per project: (root, storage, settings)."""
    root = copy_example(tmp_path / "ws")
    settings = cascade_05b.model_copy(update={"max_files": 2, "exemplar_threshold": 100.0})
    return root, tmp_path / "store", settings


# --- what a scan writes ----------------------------------------------------------------------


def test_scan_writes_one_seed_compatible_record_per_project(example_scan):
    root, storage, summary, settings = example_scan
    assert summary.projects == 2 and not summary.files_failed
    assert summary.files_scored == 0 and summary.files_unchanged == 15  # the second pass only re-reads the index
    paths = sorted(storage.glob("*.json"))
    names = [p.name for p in paths]
    assert len(names) == 4  # two per project: the new threshold changed what each record holds
    first_bar = json.loads(paths[0].read_text())["patterns"]["exemplarThreshold"]
    assert first_bar != settings.exemplar_threshold
    assert names[0].startswith("00.common-shop-nuxt3-") and names[3].startswith("admin-dashboard-")
    for path in paths:
        data = json.loads(path.read_text())
        assert set(data) >= SEED_FIELDS and data["id"] == Path(path).stem
        assert {"createdAt", "updatedAt", "tags"} <= set(data["metadata"])
        p = data["patterns"]
        assert p["tier"] in "SABCD" and 0 <= p["projectScore"] <= 100
        assert p["model"] == TEST_MODEL and p["rubricVersion"] and p["scannedAt"]
        assert all({"path", "role", "overall", "dimensions"} <= set(f) for f in p["fileScores"])
        # each record keeps its own pass's bar: the default's, then the second pass's
        assert p["exemplarThreshold"] == (settings.exemplar_threshold if path in (paths[1], paths[3]) else first_bar)
        for ex in p["exemplars"]:
            assert ex["overall"] >= p["exemplarThreshold"] and ex["reasons"]["strengths"]
            assert ex["teaching"] >= 0.5 and ex["judge"] == "hybrid"
        # files[] holds the exemplars' real code
        project_dir = root / data["projectName"]
        assert [f["path"] for f in data["files"]] == [e["path"] for e in p["exemplars"]]
        for f in data["files"]:
            assert f["content"] == (project_dir / f["path"]).read_text()
    assert summary.exemplars == 2
    assert Path(summary.report).name == "report.html"


def test_scan_never_writes_inside_the_workspace(example_scan):
    root, _, _, _ = example_scan
    original = {k: v for k, v in tree(EXAMPLE).items() if not k.startswith(".bestcases/")}
    assert tree(root) == original


def test_rescan_of_an_unchanged_workspace_only_hashes(example_scan):
    root, storage, first, settings = example_scan
    again = run_scan(root, settings, storage=storage, progress=False, scorer_factory=no_model)
    assert (again.files_scored, again.files_unchanged) == (0, 15)
    assert again.bestcases_written == [] and again.gpu_layers is None
    assert again.exemplars == first.exemplars


def test_only_changed_files_are_scored_again_and_deleted_ones_leave(mini):
    root, storage, settings = mini
    first = run_scan(root, settings, storage=storage, progress=False)
    assert first.files_scored == 4
    target = root / "admin-dashboard" / "composables" / "useUsers.ts"
    target.write_text(target.read_text() + "\nexport const version = 2\n")
    second = run_scan(root, settings, storage=storage, progress=False)
    assert (second.files_scored, second.files_unchanged) == (1, 3)
    assert [Path(p).name.startswith("admin-dashboard-") for p in second.bestcases_written] == [True]

    (root / "00.common" / "shop-nuxt3" / "stores" / "cart.ts").unlink()
    shutil.rmtree(root / "admin-dashboard")
    third = run_scan(root, settings, storage=storage, progress=False)
    assert third.projects_removed == ["admin-dashboard"]
    latest = BestCaseStorage(storage).latest("00.common/shop-nuxt3")
    assert "stores/cart.ts" not in [f.path for f in latest.patterns.fileScores]


def test_force_and_a_different_model_score_everything_again(mini, model_05b):
    root, storage, settings = mini
    run_scan(root, settings, storage=storage, progress=False)
    assert run_scan(root, settings, storage=storage, force=True, progress=False).files_scored == 4
    as_path = settings.model_copy(update={"model": str(model_05b)})  # same weights, another model name
    assert run_scan(root, as_path, storage=storage, progress=False).files_scored == 4


def test_retention_keeps_the_newest_records_per_project(mini):
    root, storage, settings = mini
    settings = settings.model_copy(update={"keep": 1})
    run_scan(root, settings, storage=storage, progress=False)
    run_scan(root, settings, storage=storage, force=True, progress=False)
    ids = [r.id for r in BestCaseStorage(storage).list()]
    assert len(ids) == 2 and len({i.rsplit("-", 1)[0] for i in ids}) == 2


# --- bad input -----------------------------------------------------------------------------


def test_bad_files_each_get_a_line_and_the_scan_goes_on(tmp_path, cascade_05b):
    root = tmp_path / "ws"
    proj = root / "app1"
    (proj / "utils").mkdir(parents=True)
    (proj / "nuxt.config.ts").write_text("export default defineNuxtConfig({})\n")
    (proj / "utils" / "image.ts").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00" + os.urandom(200))
    (proj / "utils" / "latin1.ts").write_bytes("export const s = 'caf\xe9'\n".encode("latin-1"))
    (proj / "utils" / "huge.ts").write_text("export const x = 1\n" * 300_000)
    (proj / "utils" / "bundle.js").write_text("var a=1;" * 400 + "\n")
    (proj / "utils" / "ok.ts").write_text("export const double = (n: number): number => n * 2\n")
    os.symlink(proj / "utils", proj / "utils" / "again")
    broken = root / "group" / "app2"
    (broken / "pages").mkdir(parents=True)
    (broken / "package.json").write_text("{ not json")
    (broken / "nuxt.config.js").write_text("export default {}\n")
    (broken / "pages" / "index.vue").write_text("<template><h1>Hi</h1></template>\n")
    summary = run_scan(root, cascade_05b, storage=tmp_path / "store", progress=False)
    failed = {f.path: f.reason for f in summary.files_failed}
    skipped = {f.path.rsplit("/", 1)[-1]: f.reason for f in summary.skipped}
    assert "binary content" in failed["utils/image.ts"]
    assert "not valid UTF-8" in failed["utils/latin1.ts"]
    assert "minified or generated" in failed["utils/bundle.js"]
    assert "over the 256 KiB limit" in skipped["huge.ts"]
    assert "symlink loop" in skipped["again"]
    assert "package.json is not valid JSON" in skipped["package.json"]
    assert summary.files_scored == 4  # ok.ts and nuxt.config.ts; app2's page and nuxt.config.js


def test_a_project_deleted_during_the_scan_is_reported(tmp_path, cascade_05b):
    root = copy_example(tmp_path / "ws")
    settings = cascade_05b.model_copy(update={"max_files": 2})

    def delete_other(project: str, path: str, score: float) -> None:
        shutil.rmtree(root / "admin-dashboard", ignore_errors=True)

    summary = run_scan(root, settings, storage=tmp_path / "store", progress=False, on_file=delete_other)
    assert any("disappeared during the scan" in s.reason for s in summary.skipped)


def test_a_read_only_workspace_scans_and_is_left_untouched(tmp_path, cascade_05b):
    root = copy_example(tmp_path / "ws")
    before = tree(root)
    for p in [root, *root.rglob("*")]:
        p.chmod(p.stat().st_mode & ~0o222)
    try:
        settings = cascade_05b.model_copy(update={"max_files": 1})
        summary = run_scan(root, settings, storage=tmp_path / "store", progress=False)
    finally:
        for p in [root, *root.rglob("*")]:
            p.chmod(p.stat().st_mode | 0o200)
    assert summary.files_scored == 2 and tree(root) == before


def test_storage_that_is_not_a_folder_is_a_clear_error(tmp_path, settings_05b):
    blocker = tmp_path / "store"
    blocker.write_text("a file where the store should be")
    with pytest.raises(StorageError, match="writable folder"):
        run_scan(copy_example(tmp_path / "ws"), settings_05b, storage=blocker, progress=False)


def test_full_storage_stops_with_a_message_and_corrupts_nothing(tmp_path, model_05b):
    root = copy_example(tmp_path / "ws")
    storage = tmp_path / "store"
    ok = run_script(
        "scan.py",
        *scan_args(root, storage),
        "--max-files",
        "1",
        "--min-score",
        "100",
        env={"BESTCASE_CTX": "4096"},
    )
    assert ok.returncode == 0, ok.stderr
    (root / "admin-dashboard" / "pages" / "index.vue").write_text(
        (root / "admin-dashboard" / "pages" / "index.vue").read_text() + "\n<!-- v2 -->\n"
    )

    def tiny_disk():  # every file write past 64 KiB fails with EFBIG, as on a full disk
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))

    out = subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "scan.py"),
            *scan_args(root, storage),
            "--force",
            "--min-score",
            "100",
        ],
        capture_output=True,
        text=True,
        preexec_fn=tiny_disk,
        env={**os.environ, "BESTCASE_CTX": "4096"},
        timeout=600,
    )
    assert out.returncode != 0
    assert "error:" in out.stderr and "Traceback" not in out.stderr
    for path in storage.glob("*.json"):
        json.loads(path.read_text())
    db = sqlite3.connect(storage / "index.sqlite")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# --- crashes, schedules, exit codes ------------------------------------------------------------


def test_kill_9_mid_scan_loses_nothing_already_scored(tmp_path, model_05b):
    root = copy_example(tmp_path / "ws")
    storage = tmp_path / "store"
    cmd = [
        sys.executable,
        str(REPO / "scripts" / "scan.py"),
        *scan_args(root, storage),
        "--min-score",
        "100",
        "--model-reads",
        "all",  # the model reads every file, so the scan is still running when it is killed
        "--no-progress",
    ]
    env = {**os.environ, "BESTCASE_CTX": "4096"}
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    scored = 0
    deadline = time.time() + 300
    while time.time() < deadline and scored < 3:
        time.sleep(0.5)
        try:
            db = sqlite3.connect(f"file:{storage / 'index.sqlite'}?mode=ro", uri=True)
            scored = db.execute("SELECT COUNT(*) FROM files").fetchone()[0]
            db.close()
        except sqlite3.Error:
            pass
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert 3 <= scored < 15
    for path in storage.glob("*.json"):
        json.loads(path.read_text())  # never a half-written record
    resume = [a for a in cmd if a not in ("--model-reads", "all")]  # the default cascade: what was scored stays
    again = subprocess.run([*resume, "--json"], capture_output=True, text=True, env=env, timeout=600)
    assert again.returncode == 0, again.stderr
    summary = json.loads(again.stdout)
    assert summary["files_unchanged"] >= scored
    assert summary["files_unchanged"] + summary["files_scored"] == 15


def test_every_keeps_scanning_until_sigterm_and_stops_cleanly(example_scan):
    root, storage, _, settings = example_scan
    proc = subprocess.Popen(
        [
            sys.executable,
            str(REPO / "scripts" / "scan.py"),
            *scan_args(root, storage),
            "--every",
            "1s",
            "--json",
            "--min-score",
            str(settings.exemplar_threshold),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines = [proc.stdout.readline(), proc.stdout.readline()]
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 0
    assert [json.loads(x)["files_unchanged"] for x in lines] == [15, 15]


def test_lock_wait_waits_for_the_scan_holding_the_store_and_gives_up_after_it_with_what_to_do(example_scan):
    """Before: a scan run by cron gave up at once while another held the store; nothing could make it wait."""
    root, storage, _, settings = example_scan
    cmd = [sys.executable, str(REPO / "scripts" / "scan.py"), *scan_args(root, storage), "--json"]
    cmd += ["--min-score", str(settings.exemplar_threshold)]
    with open(storage / SCAN_LOCK_FILE, "a+b") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        busy = subprocess.run([*cmd, "--lock-wait", "1s"], capture_output=True, text=True, timeout=300)
        assert busy.returncode != 0 and "Another scan is writing" in busy.stderr, busy.stderr
        assert "after waiting 1 s" in busy.stderr, busy.stderr
        waiting = subprocess.Popen(
            [*cmd, "--lock-wait", "5m"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        time.sleep(2)
    out, err = waiting.communicate(timeout=300)  # the lock is released: the waiting scan goes on
    assert waiting.returncode == 0, err
    assert json.loads(out)["files_unchanged"] == 15
    bad = run_script("scan.py", *scan_args(root, storage), "--lock-wait", "soon")
    assert bad.returncode != 0 and "--lock-wait takes a duration" in bad.stderr, bad.stderr


def test_summary_json_has_the_documented_keys(example_scan):
    root, storage, _, settings = example_scan
    out = run_script(
        "scan.py",
        *scan_args(root, storage),
        "--json",
        "--min-score",
        str(settings.exemplar_threshold),
    )
    data = json.loads(out.stdout)
    assert {
        "projects",
        "files_scored",
        "files_unchanged",
        "files_failed",
        "exemplars",
        "seconds",
        "files_per_second",
        "bestcases_written",
    } <= set(data)


def test_a_scan_with_no_exemplar_names_the_closest_file_and_the_bar(tmp_path):
    root = copy_example(tmp_path / "workspace")
    args = ["--root", str(root), "--storage", str(tmp_path / "store"), "--judge", "static"]
    out = run_script("scan.py", *args, "--min-score", "100")
    assert out.returncode == 0, out.stderr
    line = next(x for x in out.stdout.splitlines() if x.strip().startswith("closest"))
    assert "reached 100 (`--min-score` sets the bar)" in line
    best = json.loads(run_script("scan.py", *args, "--min-score", "100", "--json").stdout)["closest"]
    assert best in line and best.split(" (")[0].endswith((".ts", ".vue"))
    # with an exemplar there is nothing to point at
    assert json.loads(run_script("scan.py", *args, "--min-score", "1", "--json").stdout)["closest"] is None


def test_an_unusable_root_exits_non_zero_with_a_message(tmp_path):
    out = run_script("scan.py", "--root", str(tmp_path / "missing"))
    assert out.returncode != 0 and "is not a folder bestcase can read" in out.stderr and "Traceback" not in out.stderr


def test_a_missing_model_exits_non_zero_with_the_fetch_command(tmp_path):
    root = copy_example(tmp_path / "ws")
    out = run_script(
        "scan.py",
        "--root",
        str(root),
        "--storage",
        str(tmp_path / "s"),
        env={
            "BESTCASE_MODELS_DIR": str(tmp_path / "nomodels"),
            "HF_HUB_CACHE": str(tmp_path / "hf"),  # nor in the hub's cache
            "LLM_MODEL": "qwen2.5-coder:1.5b",
        },
    )
    assert out.returncode != 0 and "bestcase fetch qwen2.5-coder:1.5b" in out.stderr


# --- backup and the report -----------------------------------------------------------------------


def test_backup_while_a_scan_writes_is_consistent_and_restores(tmp_path, settings_05b):
    root = copy_example(tmp_path / "ws")
    storage = tmp_path / "store"
    settings = settings_05b.model_copy(update={"max_files": 3, "exemplar_threshold": 100.0})
    run_scan(root, settings.model_copy(update={"model_reads": "contenders"}), storage=storage, progress=False)
    # the model reads every file of the forced rescan, so it is still writing while the backups run
    scan = threading.Thread(
        target=run_scan, args=(root, settings), kwargs={"storage": storage, "force": True, "progress": False}
    )
    scan.start()
    backups = []
    while scan.is_alive() or not backups:
        dest = tmp_path / f"backup{len(backups)}"
        BestCaseStorage(storage).backup(dest)
        backups.append(dest)
        time.sleep(0.3)
    scan.join()
    for dest in backups:
        records = BestCaseStorage(dest).scan_records()
        assert records[1] == [] and records[0]
        db = sqlite3.connect(dest / "index.sqlite")
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    restored = tmp_path / "restored"
    out = run_script("scan.py", "restore", str(backups[-1]), "--storage", str(restored))
    assert out.returncode == 0, out.stderr
    assert {r.id for r in BestCaseStorage(restored).list()} == {r.id for r in BestCaseStorage(backups[-1]).list()}


def test_report_is_self_contained_html(example_scan):
    _, storage, _, _ = example_scan
    html = (storage / "report.html").read_text()
    assert "<svg" in html and "00.common/shop-nuxt3" in html and "Exemplars" in html
    for external in ("http://", "https://", "<script", "<link", "@import", "url("):
        assert external not in html


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed")
def test_report_renders_in_headless_chromium(example_scan, tmp_path):
    _, storage, _, _ = example_scan
    shot = tmp_path / "report.png"
    out = subprocess.run(
        [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'prof'}",
            "--window-size=1200,1600",
            f"--screenshot={shot}",
            (storage / "report.html").as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shot.exists(), out.stderr
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
