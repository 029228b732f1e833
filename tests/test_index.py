"""The index over months: 0600, migrations that commit whole or not at all, damage survived.

Real SQLite files. Each test's docstring says what it caught on the code before issue 11.
"""

from __future__ import annotations

import sqlite3

import pytest

from bestcase_core.index import INDEX_FILE, ScanIndex
from bestcase_core.store import BestCaseStorage

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
        assert names == {"m001_initial", "m002_failures"}
