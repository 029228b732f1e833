"""The index over months: 0600, migrations that commit whole or not at all, damage survived.

Real SQLite files. Each test's docstring says what it caught on the code before issue 11.
"""

from __future__ import annotations

import sqlite3

import pytest

from bestcase_core.index import INDEX_FILE, ScanIndex
from bestcase_core.scan import run_scan
from bestcase_core.store import BestCaseStorage
from reliability_helpers import no_model, scan_record, settings

# --- the index ----------------------------------------------------------------------------------------


def test_the_index_is_0600_like_the_records(tmp_path):
    """Before: index.sqlite was created 0644 (world-readable) while records are 0600."""
    folder = tmp_path / "store"
    with ScanIndex(folder):
        pass
    assert (folder / INDEX_FILE).stat().st_mode & 0o777 == 0o600
    (folder / INDEX_FILE).chmod(0o644)  # one made by an older version
    with ScanIndex(folder):
        pass
    assert (folder / INDEX_FILE).stat().st_mode & 0o777 == 0o600
    BestCaseStorage(folder).backup(tmp_path / "backup")
    assert (tmp_path / "backup" / INDEX_FILE).stat().st_mode & 0o777 == 0o600


def test_a_migration_that_fails_halfway_leaves_nothing_behind(tmp_path, monkeypatch):
    """Before: executescript committed each statement, so a failure halfway left a table that made
    the migration fail again on every later open: the index could never be opened again."""
    folder = tmp_path / "store"
    real_connect = sqlite3.connect

    def deny_index(action, arg1, *rest):
        if action == sqlite3.SQLITE_CREATE_INDEX and arg1 == "files_active":
            return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK

    def connect(*a, **kw):
        db = real_connect(*a, **kw)
        db.set_authorizer(deny_index)  # the second statement of m002 fails, after its first one ran
        return db

    monkeypatch.setattr(sqlite3, "connect", connect)
    with pytest.raises(Exception, match="not authorized"):
        ScanIndex(folder)
    monkeypatch.setattr(sqlite3, "connect", real_connect)
    with ScanIndex(folder) as index:  # opens, and runs m002 whole this time
        index.record_failure("p", "a.ts", None, "why")
        assert index.failures("p") == [("p", "a.ts", "why")]
        names = {r[0] for r in index.db.execute("SELECT name FROM _migrations")}
        assert names == {"m001_initial", "m002_failures", "m003_search"}


def test_a_damaged_index_is_moved_aside_and_the_scan_still_runs(tmp_path, caplog):
    """Before: a damaged index.sqlite made every scan fail with 'file is not a database'."""
    root = tmp_path / "ws"
    root.mkdir()
    storage = tmp_path / "store"
    store = BestCaseStorage(storage)
    rid = store.create(lambda ms: scan_record("gone-project", ms), 1_700_000_000_000)[0].id
    with ScanIndex(storage):
        pass
    (storage / INDEX_FILE).write_bytes(b"this is not a database at all" * 100)
    summary = run_scan(root, settings(), storage=storage, progress=False, scorer_factory=no_model)
    assert summary.report and not summary.stopped
    aside = list(storage.glob(f"{INDEX_FILE}.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"this is not a database")
    assert any("is damaged" in r.getMessage() for r in caplog.records)
    assert [r.id for r in store.list()] == [rid]  # no record lost
    with ScanIndex(storage) as index:
        assert index.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
