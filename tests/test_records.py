"""Records and the store over months: ids for any name, saves that never overwrite, hand-saved records
kept apart, a bounded cache, leftovers of killed writes, restore, and the scan lock's probe.

Real JSON files, SQLite and MCP sessions; a stand-in only for the model. Each test's docstring says
what it caught on the code before issue 11.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import anyio
import pytest
from mcp import Client

from bestcase_core import store as store_mod
from bestcase_core.errors import InvalidIdError, ScanBusyError
from bestcase_core.index import INDEX_FILE, ScanIndex
from bestcase_core.mcp import build_server
from bestcase_core.report import render_report
from bestcase_core.scan import run_scan
from bestcase_core.store import BestCaseStorage, id_prefix, new_record_id, validate_id
from conftest import REPO, run_script
from reliability_helpers import (
    NAMES,
    FakeScorer,
    fake_score,
    no_model,
    nuxt_project,
    saved_record,
    scan_record,
    settings,
)


@pytest.mark.model  # a stand-in scores, but the scan checks the real GGUF before any work
def test_the_record_quotes_the_bytes_that_were_scored_not_a_later_read(tmp_path):
    """Before: the record was built by reading each exemplar again, without a size limit, after scoring;
    a file changed (or swapped for a link) in between went into the record instead."""
    root = tmp_path / "ws"
    proj = nuxt_project(root / "app", {"utils/a.ts": "export const scored = 1\n"})

    def change_it(project: str, rel: str, score: float) -> None:
        (proj / rel).write_text("export const changed = 2\n")

    summary = run_scan(
        root, settings(), storage=tmp_path / "store", progress=False, scorer_factory=FakeScorer, on_file=change_it
    )
    assert summary.files_scored == 2
    record = BestCaseStorage(tmp_path / "store").latest("app")
    quoted = {f.path: f.content for f in record.files}
    assert quoted["utils/a.ts"] == "export const scored = 1\n"


# --- record ids -----------------------------------------------------------------------------------


def test_any_project_name_gives_a_valid_unique_stable_id_and_the_record_keeps_the_name(tmp_path):
    """Before: '프론트엔드' sanitized to '_____' and '_private', 'a..b' or '..' raised InvalidIdError."""
    store = BestCaseStorage(tmp_path / "store")
    prefixes = {}
    for name in NAMES:
        for category in (None, "composables", "a..b", "자동"):
            rid = new_record_id(name, category, 1_700_000_000_000)
            assert validate_id(rid) == rid and rid == new_record_id(name, category, 1_700_000_000_000)
            prefixes.setdefault(id_prefix(name, category), set()).add((name, category))
    assert all(len(v) == 1 for v in prefixes.values()), [v for v in prefixes.values() if len(v) > 1]
    assert id_prefix("shop-nuxt3") == "shop-nuxt3"  # a name that is already an id stays readable
    assert id_prefix("00.common/shop-nuxt3").startswith("00.common-shop-nuxt3-")
    for i, name in enumerate(NAMES):
        record = scan_record(name, 1_700_000_000_000 + i)
        _, path = store.create(lambda ms, name=name: scan_record(name, ms), 1_700_000_000_000 + i)
        assert path.parent == store.path
        assert store.load(path.stem).projectName == name and store.latest(name).id == path.stem
        assert record.projectName == name


def test_ids_written_before_still_load_validate_and_list(tmp_path):
    """Ids of the old scheme (sanitized name, category, milliseconds) stay valid records."""
    store = BestCaseStorage(tmp_path / "store")
    old = scan_record("00.common/shop-nuxt3", 1_732_000_000_000).model_dump()
    for rid in ("00.common-shop-nuxt3-1732000000000", "50.dktechin-frontend-composables-1732000000001"):
        (store.path).mkdir(exist_ok=True)
        (store.path / f"{rid}.json").write_text(json.dumps({**old, "id": rid}))
        assert store.load(rid).id == rid
    assert len(store.list()) == 2


def test_an_id_with_a_trailing_newline_is_refused():
    """Before: _ID_RE ended in '$', which also matches before a final newline, so 'abc\\n' was a valid id."""
    for bad in ("abc\n", "abc\r", "abc\n\n", "\nabc"):
        with pytest.raises(InvalidIdError):
            validate_id(bad)


def test_400_concurrent_saves_make_400_records(tmp_path):
    """Before: ids were unique only to the millisecond and saves overwrote: 400 saves left about 365 files."""
    store = tmp_path / "store"
    server = build_server(settings(), store)
    answers: list = []

    async def go():
        async with Client(server) as client:

            async def one(i: int):
                r = await client.call_tool(
                    "save_bestcase",
                    {
                        "projectName": "x/y" if i % 2 else "x-y",
                        "category": "composables",
                        "description": f"save {i}",
                        "files": [{"path": "a.ts", "content": f"export const n = {i}\n"}],
                    },
                )
                answers.append(r)

            async with anyio.create_task_group() as tg:
                for i in range(400):
                    tg.start_soon(one, i)

    anyio.run(go)
    assert all(not r.is_error for r in answers)
    ids = {r.structured_content["id"] for r in answers}
    assert len(ids) == 400 and len(list(store.glob("*.json"))) == 400
    texts = {json.loads(p.read_text())["description"] for p in store.glob("*.json")}
    assert len(texts) == 400


def test_save_bestcase_takes_any_project_name_and_keeps_it(tmp_path):
    """Before: save_bestcase refused '프론트엔드', '_private', 'a..b' and the like with an id error."""
    server = build_server(settings(), tmp_path / "store")
    names = [n for n in NAMES if n.strip() and len(n) <= 200]  # the tool takes names of 1-200 characters

    async def go():
        async with Client(server) as client:
            out = []
            for name in names:
                r = await client.call_tool(
                    "save_bestcase",
                    {
                        "projectName": name,
                        "category": "c",
                        "description": "d",
                        "files": [{"path": "a.ts", "content": "x"}],
                    },
                )
                assert not r.is_error, (name, r.content[0].text)
                loaded = await client.call_tool("load_bestcase", {"id": r.structured_content["id"]})
                out.append(loaded.structured_content["projectName"])
            return out

    assert anyio.run(go) == names


def test_threads_creating_records_in_one_millisecond_never_overwrite(tmp_path):
    """Before: there was no exclusive create; a save replaced whatever had its id."""
    store = BestCaseStorage(tmp_path / "store")
    paths: list[Path] = []
    go = threading.Barrier(40)

    def save(i: int) -> None:
        go.wait()
        paths.append(store.create(lambda ms: saved_record("p", ms, content=str(i)), 1_700_000_000_000)[1])

    threads = [threading.Thread(target=save, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(paths)) == 40 and len(list(store.path.glob("*.json"))) == 40


# --- hand-saved records --------------------------------------------------------------------------


def test_retention_keeps_hand_saved_records_and_they_never_hide_the_scan(tmp_path):
    """Before: retention deleted saved records, and a newer saved record replaced the scan's in load and search."""
    store = BestCaseStorage(tmp_path / "store")
    base = 1_700_000_000_000
    store.create(lambda ms: saved_record("shop", ms), base)
    store.create(lambda ms: saved_record("shop", ms, category="auto-scan"), base + 1)  # a client may pick any name
    for i in range(4):
        store.create(lambda ms, i=i: scan_record("shop", ms, content=f"SCAN_CODE_{i}"), base + 10 + i)
    store.create(lambda ms: saved_record("shop", ms), base + 100)  # newest of all
    gone = store.apply_retention("shop", keep=2)
    assert len(gone) == 2
    left = store.list()
    assert sum(r.from_scan for r in left) == 2 and sum(not r.from_scan for r in left) == 3
    latest = store.latest("shop")
    assert latest.from_scan and latest.files[0].content == "SCAN_CODE_3"
    assert [r.id for r in store.latest_per_project()] == [latest.id]
    hits = store.search("a")
    assert hits and all(h.id == latest.id for h in hits)
    assert store.latest("shop", "composables").files[0].content == "CLIENT_SUPPLIED_CODE"


def test_a_hand_saved_record_never_shows_in_the_report_as_an_exemplar(tmp_path):
    """Before: report.html quoted the newest record of a project, a client's save included, as its exemplar."""
    store = BestCaseStorage(tmp_path / "store")
    store.create(lambda ms: scan_record("shop", ms, content="SCAN_CODE"), 1_700_000_000_000)
    store.create(lambda ms: saved_record("shop", ms, content="<b>CLIENT_SUPPLIED_CODE</b>"), 1_700_000_000_100)
    with ScanIndex(store.path) as index:
        index.record("shop", "f" * 64, 10, fake_score("utils/a.ts"))
        index.mark_seen("shop", "/nowhere", ["utils/a.ts"])
        html = render_report(store, index, None, 85.0)
    assert "SCAN_CODE" in html and "CLIENT_SUPPLIED_CODE" not in html


def test_list_shows_hand_saved_records_apart_and_load_by_project_gives_the_scan(tmp_path):
    """Before: a save was the project's newest record, so list and load_bestcase(projectName) hid the scan."""
    store = BestCaseStorage(tmp_path / "store")
    scan = store.create(lambda ms: scan_record("shop", ms, content="SCAN_CODE"), 1_700_000_000_000)[0]
    saved = store.create(lambda ms: saved_record("shop", ms), 1_700_000_000_100)[0]
    server = build_server(settings(), store.path)

    async def go():
        async with Client(server) as client:
            listed = await client.call_tool("list_bestcases", {})
            loaded = await client.call_tool("load_bestcase", {"projectName": "shop"})
            found = await client.call_tool("search_bestcases", {"query": "a"})
            return listed.structured_content, loaded.structured_content, found.structured_content

    listed, loaded, found = anyio.run(go)
    assert [r["id"] for r in listed["records"]] == [scan.id]
    assert [(r["id"], r["saved"]) for r in listed["saved"]] == [(saved.id, True)]
    assert loaded["id"] == scan.id
    assert found["results"] and {h["id"] for h in found["results"]} == {scan.id}


@pytest.mark.model  # a stand-in scores, but the scan checks the real GGUF before any work
def test_a_project_with_only_a_hand_saved_record_still_gets_its_scan_record(tmp_path):
    """Before this was fixed, a hand-saved record counted as the project's record, so a scan whose
    files were unchanged wrote none for it and the project had no scan results to load."""
    root = tmp_path / "ws"
    nuxt_project(root / "app", {"utils/a.ts": "export const a = 1\n"})
    storage = tmp_path / "store"
    run_scan(root, settings(), storage=storage, progress=False, scorer_factory=FakeScorer)
    store = BestCaseStorage(storage)
    for r in store.list():
        store.delete(r.id)
    store.create(lambda ms: saved_record("app", ms))
    again = run_scan(root, settings(), storage=storage, progress=False, scorer_factory=no_model)
    assert again.files_scored == 0 and len(again.bestcases_written) == 1
    assert store.latest("app").from_scan and len(store.saved()) == 1


# --- the store over months --------------------------------------------------------------------


def test_the_record_cache_is_bounded(tmp_path):
    """Before: the parsed-record cache of a long-running MCP server only ever grew."""
    limit = getattr(store_mod, "CACHE_RECORDS", 256)
    store = BestCaseStorage(tmp_path / "store")
    for i in range(limit + 60):
        store.create(lambda ms, i=i: saved_record(f"p{i}", ms), 1_700_000_000_000 + i)
    assert len(store.list()) == limit + 60
    assert len(store._cache) <= limit
    for p in list(store.path.glob("*.json"))[:100]:
        p.unlink()
    store.list()
    assert len(store._cache) <= limit + 60 - 100


def test_temp_files_left_by_a_killed_write_are_removed_when_the_store_opens(tmp_path):
    """Before: a write killed between its temporary file and the rename left the .tmp file for ever."""
    folder = tmp_path / "store"
    folder.mkdir()
    code = (
        "import os, sys; from pathlib import Path; from bestcase_core.store import atomic_write; import os as o\n"
        "o.replace = lambda *a: o.kill(o.getpid(), 9)\n"  # killed right before the rename
        "atomic_write(Path(sys.argv[1]) / 'x-1700000000000.json', b'{}')\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(folder)], cwd=REPO, timeout=60)
    assert out.returncode == -9
    left = list(folder.glob(".*.tmp"))
    assert len(left) == 1
    os.utime(left[0], (time.time() - 3600, time.time() - 3600))
    fresh = folder / ".y-1700000000001.json.abcd.tmp"
    fresh.write_text("{}")  # a write in flight right now: kept
    BestCaseStorage(folder)
    assert not left[0].exists() and fresh.exists()


def _backup(tmp_path: Path, bad: bool = True) -> tuple[Path, list[str]]:
    src = BestCaseStorage(tmp_path / "src")
    ids = [src.create(lambda ms, i=i: scan_record(f"p{i}", ms), 1_700_000_000_000 + i)[0].id for i in range(3)]
    with ScanIndex(src.path):
        pass
    backup = tmp_path / "backup"
    src.backup(backup)
    if bad:  # sorts between the good ones
        (backup / "p0-1700000000005.json").write_text('{"id": "p0-1700000000005", "projectName": ')
    return backup, ids


def test_restore_skips_a_corrupt_file_with_a_report_instead_of_stopping_halfway(tmp_path):
    """Before: restore raised on the first corrupt file, leaving the files after it unrestored."""
    backup, ids = _backup(tmp_path)
    target = BestCaseStorage(tmp_path / "target")
    report = target.restore(backup)
    assert sorted(r.id for r in target.list()) == sorted(ids)
    assert [p.file for p in report.skipped] == ["p0-1700000000005.json"]
    assert (target.path / INDEX_FILE).exists()
    out = run_script("scan.py", "restore", str(backup), "--storage", str(tmp_path / "cli"))
    assert out.returncode == 1 and "skipped" in out.stdout and "p0-1700000000005.json" in out.stdout
    assert len(list((tmp_path / "cli").glob("*.json"))) == 3


def test_restore_refuses_while_a_scan_holds_the_store(tmp_path):
    """Before: restore took no scan lock and replaced records and the index under a running scan."""
    backup, _ = _backup(tmp_path, bad=False)
    target = BestCaseStorage(tmp_path / "target")
    target.path.mkdir()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, sys, time; f = open(sys.argv[1], 'a+b'); fcntl.flock(f, fcntl.LOCK_EX); "
            "print('held', flush=True); time.sleep(60)",
            str(target.path / store_mod.SCAN_LOCK_FILE),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(ScanBusyError, match="Another scan"):
            target.restore(backup)
        assert list(target.path.glob("*.json")) == []
    finally:
        holder.kill()
        holder.wait()


# --- scan_status and the scan lock ----------------------------------------------------------------


def test_scan_status_probing_at_the_moment_a_scan_starts_never_fails_the_scan(tmp_path, monkeypatch):
    """Before: scan_running took a shared lock on the scan lock, so a scan starting just then failed with
    'Another scan is writing'. The probe is slowed down here (a fake delay inside flock) to make "just then" sure."""
    root = tmp_path / "ws"
    root.mkdir()
    storage = tmp_path / "store"
    run_scan(root, settings(), storage=storage, progress=False, scorer_factory=no_model)
    real_flock = fcntl.flock
    probing = threading.Event()

    def slow_flock(fh, op):
        real_flock(fh, op)
        if op & fcntl.LOCK_SH and not op & fcntl.LOCK_UN:
            probing.set()
            time.sleep(0.6)

    monkeypatch.setattr(fcntl, "flock", slow_flock)
    store = BestCaseStorage(storage)
    probe = threading.Thread(target=store.scan_running)
    probe.start()
    assert probing.wait(5)
    summary = run_scan(root, settings(), storage=storage, progress=False, scorer_factory=no_model)
    probe.join()
    assert summary.finished_at


def test_scan_status_sees_a_running_scan(tmp_path):
    """The probe still answers: True while a scan holds the store, False after."""
    root = tmp_path / "ws"
    root.mkdir()
    store = BestCaseStorage(tmp_path / "store")
    with store.scan_lock():
        assert store.scan_running() is True
        with pytest.raises(ScanBusyError):
            run_scan(root, settings(), storage=store.path, progress=False, scorer_factory=no_model)
    assert store.scan_running() is False
