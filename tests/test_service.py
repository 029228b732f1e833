"""The 6-hour service (``scan.py --every``): no tick's failure ends it, each tick is one line.

Each test's docstring says what it caught on the code before issue 11, where the
loop lived in scripts/scan.py and died on the first exception.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import io
import json
import os
import re
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

from bestcase_core.errors import ModelNotFoundError, ScanBusyError, StorageError, WorkspaceError
from bestcase_core.scan import ScanSummary
from bestcase_core.settings import load_settings
from bestcase_core.store import SCAN_LOCK_FILE, BestCaseStorage
from conftest import MODELS, REPO, TEST_MODEL

TICK = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ scan (\d+) (done|stopped|failed|skipped)\b")
DONE = re.compile(r"scan \d+ done: \d+ projects, \d+ scored, \d+ unchanged, \d+ failed, \d+ exemplars, \d+\.\d s$")


def test_a_tick_that_fails_in_any_way_is_one_line_and_the_loop_goes_on(tmp_path):
    """Before: the first exception of a tick (lock busy, root gone, model missing, database locked, ...)
    ended the process, and with it the schedule."""
    from bestcase_core.service import run_every

    faults: list[BaseException | None] = [
        WorkspaceError("Workspace root /ws is not a folder bestcase can read. Pass --root or set PROJECTS_PATH."),
        ScanBusyError("Another scan is writing to /store; wait for it to finish, or stop it, then run again."),
        ModelNotFoundError("Model x is not downloaded. Run: bestcase fetch x"),
        StorageError("Cannot write /store/a.json: No space left on device. Free disk space."),
        sqlite3.OperationalError("database is locked"),
        OSError(errno.ENOSPC, "No space left on device", "/store/index.sqlite"),
        RuntimeError("something nobody planned for\nwith a second line"),
        MemoryError(),
        None,
    ]
    stop = threading.Event()
    seen = []

    def scan(root, settings, **kw):
        assert kw["lock_wait"] == 0.005 and kw["progress"] is False
        fault = faults[len(seen)]
        if fault is not None:
            raise fault
        return ScanSummary(root=str(root), storage="s", model="m", projects=2, files_scored=1, files_unchanged=3)

    def on_tick(tick):
        seen.append(tick)
        if len(seen) == len(faults):
            stop.set()

    out = io.StringIO()
    code = run_every(
        tmp_path, load_settings(model=TEST_MODEL), 0.01, storage=tmp_path / "store", stop=stop,
        on_tick=on_tick, stream=out, scan=scan,
    )  # fmt: skip
    assert code == 0
    lines = out.getvalue().splitlines()
    ticks = [x for x in lines if TICK.match(x)]
    assert len(ticks) == len(faults) and lines[0].endswith(
        "one line per scan (also in " + str(tmp_path / "store" / "scan.log") + ")"
    )
    assert [TICK.match(x).group(2) for x in ticks] == ["failed", "skipped"] + ["failed"] * 6 + ["done"]
    assert "Pass --root" in ticks[0] and "wait for it to finish" in ticks[1] and "bestcase fetch" in ticks[2]
    assert "database is locked" in ticks[4] and "No space left" in ticks[5] and "internal error" in ticks[6]
    assert "out of memory" in ticks[7] and DONE.search(ticks[8])
    assert (tmp_path / "store" / "scan.log").read_text().splitlines() == lines


def test_wake_starts_the_next_tick_now_and_a_wake_during_a_tick_starts_another_right_after(tmp_path):
    """Before: the next scan came only at its time (6 h by default); nothing could ask for one now."""
    from bestcase_core.service import run_every

    stop, wake = threading.Event(), threading.Event()
    watchdog = threading.Timer(30, stop.set)  # without a working wake, the loop would sleep the hour
    watchdog.start()
    ticks: list[int] = []

    def scan(root, settings, **kw):
        ticks.append(len(ticks) + 1)
        if len(ticks) == 2:
            wake.set()  # asked for while tick 2 runs
        if len(ticks) == 3:
            stop.set()
        return ScanSummary(root=str(root), storage="s", model="m", projects=1)

    def on_tick(tick):
        if tick.number == 1:
            threading.Timer(0.2, wake.set).start()  # asked for while the loop sleeps

    try:
        code = run_every(
            tmp_path, load_settings(model=TEST_MODEL), 3600, storage=tmp_path / "store", stop=stop, wake=wake,
            on_tick=on_tick, stream=io.StringIO(), scan=scan,
        )  # fmt: skip
    finally:
        watchdog.cancel()
    assert code == 0 and ticks == [1, 2, 3]


# --- the soak: the real script, the real model, one fault per tick -------------------------------------


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class Soak:
    """Drives ``scripts/scan.py --every 1h``: changes the world, starts the next tick with SIGUSR1, reads its line.

    No tick comes by the clock, so a change is always made before the tick it is for, however slow this machine.
    """

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.root = tmp / "ws"
        self.store = tmp / "store"
        self.models = tmp / "models"
        self.models.mkdir()
        gguf = next(MODELS.glob("qwen2.5-coder-0.5b-*.gguf")).resolve()
        self.model = self.models / gguf.name
        self.real_model = gguf
        os.symlink(gguf, self.model)
        stamps = MODELS / ".verified.json"
        if stamps.exists():
            (self.models / ".verified.json").write_text(stamps.read_text())
        self.app = self.root / "app"
        (self.app / "utils").mkdir(parents=True)
        (self.app / "package.json").write_text(json.dumps({"dependencies": {"nuxt": "^3.12.0"}}))
        (self.app / "utils" / "a.ts").write_text("export const add = (a: number, b: number): number => a + b\n")
        (self.app / "utils" / "b.ts").write_text("export const upper = (s: string): string => s.toUpperCase()\n")
        self.args = ["--storage", str(self.store), "--model", TEST_MODEL, "--min-score", "100"]
        self.args += ["--every", "1h", "--lock-wait", "0.5s"]  # ticks come only by SIGUSR1 (scan_now)
        self.lines: list[str] = []
        self.proc: subprocess.Popen[str] | None = None
        self.lock_fh = None

    def start(self) -> None:
        env = {
            **os.environ,
            "BESTCASE_MODELS_DIR": str(self.models),
            "HF_HUB_CACHE": str(self.models / "hf"),  # a model taken out of models/ is not found in the hub's cache
            "BESTCASE_CTX": "4096",
            "BESTCASE_VRAM_MB": "0",
        }
        self.proc = subprocess.Popen(
            [sys.executable, str(REPO / "scripts" / "scan.py"), "--root", str(self.root), *self.args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=REPO,
        )

    def next_tick(self, timeout: float = 240) -> str:
        """The next tick line (other log lines are kept too)."""
        assert self.proc is not None and self.proc.stderr is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                raise AssertionError("the service exited:\n" + "".join(self.lines[-30:]))
            self.lines.append(line)
            if TICK.match(line):
                return line.rstrip("\n")
        raise AssertionError("no tick line in time")

    def scan_now(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGUSR1)

    def edit(self, rel: str, text: str) -> None:
        (self.app / rel).write_text(text)

    def scored(self) -> dict[str, str]:
        """Active index rows of app: path -> sha256 scored with the test model."""
        db = sqlite3.connect(f"file:{self.store / 'index.sqlite'}?mode=ro", uri=True)
        try:
            rows = db.execute(
                "SELECT path, sha256 FROM files WHERE project='app' AND active=1 AND model=?", (TEST_MODEL,)
            ).fetchall()
        finally:
            db.close()
        return dict(rows)


@pytest.mark.model  # the service subprocess loads the real 0.5B
def test_soak_twenty_ticks_one_fault_each_the_loop_survives_and_every_good_file_is_scored(tmp_path):
    """Before: the loop died at the first fault (here: the root missing at tick 3), and a FIFO hung it for good.

    Faults are real: a renamed root, a lock held by this process, the model file removed or replaced by junk,
    a file-size limit of 0 set on the running service (prlimit) so every write to the store fails, garbage
    written over index.sqlite, a project deleted while the scan runs, a file replaced by a FIFO, a .gitignore
    with invalid lines, links to /dev/zero and /etc/passwd, and package.json replaced by a FIFO.
    """
    s = Soak(tmp_path)
    s.start()
    expect: dict[int, str] = {}
    lines: dict[int, str] = {}

    def tick(n: int, status: str, *, started: bool = False) -> str:
        if n > 1 and not started:
            s.scan_now()
        line = s.next_tick()
        got = TICK.match(line)
        assert got and int(got.group(1)) == n, line
        assert got.group(2) == status, line
        lines[n] = line
        expect[n] = status
        return line

    try:
        tick(1, "done")  # a.ts and b.ts scored (the model loads once, here)
        assert set(s.scored()) == {"utils/a.ts", "utils/b.ts"}
        # 2: the root is missing for a moment
        s.root.rename(tmp_path / "ws-away")
        assert "is not a folder" in tick(2, "failed")
        (tmp_path / "ws-away").rename(s.root)
        tick(3, "done")
        # 4: another scan holds the lock
        s.lock_fh = open(s.store / SCAN_LOCK_FILE, "a+b")  # noqa: SIM115
        fcntl.flock(s.lock_fh, fcntl.LOCK_EX)
        assert "Another scan is writing" in tick(4, "skipped")
        s.lock_fh.close()
        # 5: the model file is missing while a file changed
        s.model.unlink()
        s.edit("utils/a.ts", "export const add = (a: number, b: number): number => b + a\n")
        assert "bestcase fetch" in tick(5, "failed")
        os.symlink(s.real_model, s.model)
        tick(6, "done")
        # 7: the model file is corrupt while a file changed
        s.model.unlink()
        s.model.write_bytes(b"GGUF" + b"\0" * 4096)
        s.edit("utils/b.ts", "export const upper = (s: string): string => s.toLocaleUpperCase()\n")
        assert "bestcase fetch" in tick(7, "failed")
        s.model.unlink()
        os.symlink(s.real_model, s.model)
        tick(8, "done")
        # 9: the storage is full: every write to a file fails (EFBIG) while the limit holds
        assert s.proc is not None
        soft, hard = resource.prlimit(s.proc.pid, resource.RLIMIT_FSIZE)
        resource.prlimit(s.proc.pid, resource.RLIMIT_FSIZE, (0, hard))
        full = tick(9, "failed")
        resource.prlimit(s.proc.pid, resource.RLIMIT_FSIZE, (soft, hard))
        assert "index.sqlite" in full or "free" in full
        tick(10, "done")
        # 11: the index is damaged
        (s.store / "index.sqlite").write_bytes(b"\x13garbage, not SQLite" * 500)
        tick(11, "done")
        assert list(s.store.glob("index.sqlite.corrupt-*"))
        # 12: a project is deleted while the scan runs (it has a file to score)
        gone = s.root / "gone"
        (gone / "utils").mkdir(parents=True)
        (gone / "package.json").write_text(json.dumps({"devDependencies": {"nuxt": "^3"}}))
        (gone / "utils" / "g.ts").write_text("export const g = 1\n")
        s.edit("utils/a.ts", "export const add = (x: number, y: number): number => x + y\n")
        s.scan_now()
        store = BestCaseStorage(s.store)
        deadline = time.monotonic() + 30
        while not store.scan_running() and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.2)
        shutil.rmtree(gone)
        tick(12, "done", started=True)
        # 13: a file is replaced by a FIFO
        (s.app / "utils" / "b.ts").unlink()
        os.mkfifo(s.app / "utils" / "b.ts")
        tick(13, "done")
        (s.app / "utils" / "b.ts").unlink()
        s.edit("utils/b.ts", "export const upper = (t: string): string => t.toUpperCase()\n")
        tick(14, "done")
        # 15: a .gitignore with invalid lines (the valid one still applies)
        s.edit(".gitignore", "!\ncache\\\n\\\nutils/ignored.ts\n")
        s.edit("utils/ignored.ts", "export const ignored = true\n")
        tick(15, "done")
        # 16: links to a device and out of the project
        os.symlink("/dev/zero", s.app / "utils" / "zero.ts")
        os.symlink("/etc/passwd", s.app / "utils" / "leak.ts")
        tick(16, "done")
        # 17: package.json replaced by a FIFO
        pkg = (s.app / "package.json").read_text()
        (s.app / "package.json").unlink()
        os.mkfifo(s.app / "package.json")
        tick(17, "done")
        (s.app / "package.json").unlink()
        (s.app / "package.json").write_text(pkg)
        # 18: the root is missing again, and the model too
        s.root.rename(tmp_path / "ws-away")
        s.model.unlink()
        tick(18, "failed")
        (tmp_path / "ws-away").rename(s.root)
        os.symlink(s.real_model, s.model)
        tick(19, "done")
        tick(20, "done")
        s.proc.send_signal(signal.SIGTERM)
        assert s.proc.wait(timeout=60) == 0
    finally:
        if s.proc is not None and s.proc.poll() is None:
            s.proc.kill()
            s.proc.wait()
    rest = s.proc.stderr.read() if s.proc.stderr else ""
    print("".join(s.lines) + rest)  # the service's log, shown when the test fails (or with -s)
    assert "stopped after 20 scan(s)" in rest, rest[-2000:]
    # every good file is scored, as it is now, and nothing else
    final = s.scored()
    assert final == {rel: _sha(s.app / rel) for rel in ("utils/a.ts", "utils/b.ts")}
    for line in (lines[1], lines[6], lines[8], lines[14]):
        assert DONE.search(line), line
    assert int(re.search(r"(\d+) scored", lines[6]).group(1)) == 1
    assert int(re.search(r"(\d+) scored", lines[8]).group(1)) == 1
    records = BestCaseStorage(s.store).list()
    assert records and all("root:" not in f.content for r in records for f in r.files)
    assert {r.projectName for r in records} <= {"app", "gone"}
    # the same lines are in the store's log (but tick 9's: nothing could be written then)
    logged = (s.store / "scan.log").read_text().splitlines()
    assert [x for x in logged if TICK.match(x) and " scan 9 " not in x] == [lines[n] for n in sorted(lines) if n != 9]
