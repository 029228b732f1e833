"""The SQLite index in the storage folder: what was scored, with which model and rubric.

One row per (project, file) holds the content's sha256, the model, the rubric
version and the :class:`FileScore`. A file is scored again only when one of
those three changed. Every result is committed as soon as it exists, so a scan
killed at any point loses nothing already scored; SQLite's journal keeps the
file whole. WAL mode lets the MCP server read while a scan writes.

The schema grows through numbered migrations, each a small function recorded
in ``_migrations`` once it ran (the pattern of simonw/llm's ``migrations.py``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .errors import StorageError
from .schema import FileScore

INDEX_FILE = "index.sqlite"

_MIGRATIONS: list[tuple[str, Callable[[sqlite3.Connection], None]]] = []


def migration(fn: Callable[[sqlite3.Connection], None]) -> Callable[[sqlite3.Connection], None]:
    _MIGRATIONS.append((fn.__name__, fn))
    return fn


@migration
def m001_initial(db: sqlite3.Connection) -> None:
    db.executescript(
        """
        CREATE TABLE files (
            project TEXT NOT NULL,
            path TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            size INTEGER NOT NULL,
            model TEXT NOT NULL,
            rubric_version TEXT NOT NULL,
            score_json TEXT NOT NULL,
            overall REAL NOT NULL,
            exemplar INTEGER NOT NULL,
            scored_at TEXT NOT NULL,
            active INTEGER NOT NULL DEFAULT 1,
            PRIMARY KEY (project, path)
        );
        CREATE TABLE projects (
            name TEXT PRIMARY KEY,
            path TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            active INTEGER NOT NULL DEFAULT 1
        );
        CREATE TABLE scans (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            root TEXT NOT NULL,
            model TEXT NOT NULL,
            status TEXT NOT NULL,
            summary_json TEXT
        );
        """
    )


@migration
def m002_failures(db: sqlite3.Connection) -> None:
    db.executescript(
        """
        CREATE TABLE failures (
            project TEXT NOT NULL,
            path TEXT NOT NULL,
            sha256 TEXT,
            reason TEXT NOT NULL,
            at TEXT NOT NULL,
            PRIMARY KEY (project, path)
        );
        CREATE INDEX files_active ON files (active, project);
        """
    )


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class IndexedFile:
    project: str
    path: str
    sha256: str
    model: str
    rubric_version: str
    score: FileScore
    scored_at: str


def _storage_error(exc: sqlite3.Error, path: Path) -> StorageError:
    msg = str(exc)
    if "readonly" in msg or "read-only" in msg:
        hint = "the storage folder is read-only; point BESTCASE_STORAGE_PATH or --storage at a writable folder"
    elif "full" in msg:
        hint = "the disk is full; free space or move the storage folder"
    else:
        hint = "check the storage folder"
    return StorageError(f"Index {path}: {msg} ({hint}). Nothing already stored was changed.")


class ScanIndex:
    """The index of one storage folder. Each method commits on its own."""

    def __init__(self, storage: Path, *, readonly: bool = False) -> None:
        self.path = Path(storage) / INDEX_FILE
        try:
            if readonly:
                self.db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False, timeout=30)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.db = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=NORMAL")
                self._migrate()
        except OSError as exc:
            raise StorageError(f"Cannot create the storage folder {self.path.parent}: {exc.strerror or exc}") from exc
        except sqlite3.Error as exc:
            raise _storage_error(exc, self.path) from exc
        self.db.row_factory = sqlite3.Row

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> ScanIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self) -> None:
        self.db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
        done = {r[0] for r in self.db.execute("SELECT name FROM _migrations")}
        for name, fn in _MIGRATIONS:
            if name not in done:
                with self.db:
                    fn(self.db)
                    self.db.execute("INSERT INTO _migrations VALUES (?, ?)", (name, now_iso()))

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        try:
            with self.db:
                yield self.db
        except sqlite3.Error as exc:
            raise _storage_error(exc, self.path) from exc

    # --- files ----------------------------------------------------------------------

    def lookup(self, project: str, path: str) -> IndexedFile | None:
        row = self.db.execute("SELECT * FROM files WHERE project=? AND path=?", (project, path)).fetchone()
        return _row(row) if row else None

    def record(self, project: str, sha256: str, size: int, score: FileScore) -> None:
        """Store one file's score (and clear any earlier failure of it), committed at once."""
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO files VALUES (?,?,?,?,?,?,?,?,?,?,1)",
                (
                    project,
                    score.path,
                    sha256,
                    size,
                    score.model,
                    score.rubric_version,
                    score.model_dump_json(),
                    score.overall,
                    int(score.exemplar),
                    now_iso(),
                ),
            )
            db.execute("DELETE FROM failures WHERE project=? AND path=?", (project, score.path))

    def record_failure(self, project: str, path: str, sha256: str | None, reason: str) -> None:
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO failures VALUES (?,?,?,?,?)", (project, path, sha256, reason, now_iso()))

    def mark_seen(self, project: str, project_path: str, paths: list[str]) -> int:
        """Files of ``project`` not in ``paths`` leave the active results; returns how many did."""
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO projects VALUES (?,?,?,1)", (project, project_path, now_iso()))
            before = db.total_changes
            marks = ",".join("?" * len(paths))
            db.execute(
                f"UPDATE files SET active=0 WHERE project=? AND active=1 AND path NOT IN ({marks})", (project, *paths)
            )
            gone = db.total_changes - before
            db.execute(f"UPDATE files SET active=1 WHERE project=? AND path IN ({marks})", (project, *paths))
            db.execute(f"DELETE FROM failures WHERE project=? AND path NOT IN ({marks})", (project, *paths))
        return gone

    def retire_projects(self, keep: list[str]) -> list[str]:
        """Projects not found any more leave the active results; returns their names."""
        marks = ",".join("?" * len(keep))
        with self._tx() as db:
            rows = db.execute(f"SELECT name FROM projects WHERE active=1 AND name NOT IN ({marks})", keep)
            gone = [r[0] for r in rows]
            for name in gone:
                db.execute("UPDATE projects SET active=0 WHERE name=?", (name,))
                db.execute("UPDATE files SET active=0 WHERE project=?", (name,))
        return gone

    def active_files(self, project: str) -> list[IndexedFile]:
        rows = self.db.execute("SELECT * FROM files WHERE project=? AND active=1 ORDER BY path", (project,))
        return [_row(r) for r in rows]

    def failures(self, project: str | None = None) -> list[tuple[str, str, str]]:
        q = "SELECT project, path, reason FROM failures" + (" WHERE project=?" if project else "") + " ORDER BY 1, 2"
        return [(r[0], r[1], r[2]) for r in self.db.execute(q, (project,) if project else ())]

    def active_projects(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT name FROM projects WHERE active=1 ORDER BY name")]

    # --- scans ------------------------------------------------------------------------

    def begin_scan(self, root: str, model: str) -> int:
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO scans (started_at, root, model, status) VALUES (?,?,?, 'running')",
                (now_iso(), root, model),
            )
        return int(cur.lastrowid or 0)

    def finish_scan(self, scan_id: int, status: str, summary_json: str) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE scans SET finished_at=?, status=?, summary_json=? WHERE id=?",
                (now_iso(), status, summary_json, scan_id),
            )

    def last_scan(self) -> dict[str, object] | None:
        row = self.db.execute("SELECT * FROM scans ORDER BY id DESC LIMIT 1").fetchone()
        if row is None:
            return None
        out = dict(row)
        out["summary"] = json.loads(row["summary_json"]) if row["summary_json"] else None
        del out["summary_json"]
        return out

    def backup_to(self, dest: Path) -> None:
        """A consistent copy of the index, even while a scan writes (SQLite's online backup)."""
        target = sqlite3.connect(dest)
        try:
            with target:
                self.db.backup(target)
        finally:
            target.close()


def _row(row: sqlite3.Row) -> IndexedFile:
    return IndexedFile(
        row["project"],
        row["path"],
        row["sha256"],
        row["model"],
        row["rubric_version"],
        FileScore.model_validate_json(row["score_json"]),
        row["scored_at"],
    )


def last_scan(storage: Path) -> dict[str, object] | None:
    """The newest scan recorded in a store's index (read-only), or None when there is none."""
    if not (Path(storage) / INDEX_FILE).exists():
        return None
    try:
        idx = ScanIndex(storage, readonly=True)
    except StorageError:
        return None
    try:
        return idx.last_scan()
    except sqlite3.Error:
        return None
    finally:
        idx.close()
