"""The SQLite index in the storage folder: what was scored, with which model and rubric.

One row per (project, file) holds the content's sha256, the model, the rubric
version and the :class:`FileScore`. A file is scored again only when one of
those three changed. Every result is committed as soon as it exists, so a scan
killed at any point loses nothing already scored; SQLite's journal keeps the
file whole. WAL mode lets the MCP server read while a scan writes.

It also holds the exemplar search (``search_*`` tables, an FTS5 one among
them; :mod:`bestcase_core.search` owns them), filled from the records.

The schema grows through numbered migrations, each a small function recorded
in ``_migrations`` once it ran (the pattern of simonw/llm's ``migrations.py``).
A migration and its record commit together or not at all.

The file is created 0600, like the records. A scan that finds it damaged moves
it aside (``index.sqlite.corrupt-<time>``) with a warning and starts a new one,
filled again from the records' file scores and exemplars; whatever they do
not cover is scored again. No record is touched.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from . import search as search_mod
from .clock import now_iso
from .errors import StorageError
from .record import ProjectRecord, newest_scan_records
from .schema import FileScore

log = logging.getLogger(__name__)

INDEX_FILE = "index.sqlite"

_MIGRATIONS: list[tuple[str, Callable[[sqlite3.Connection], None]]] = []


def migration(fn: Callable[[sqlite3.Connection], None]) -> Callable[[sqlite3.Connection], None]:
    _MIGRATIONS.append((fn.__name__, fn))
    return fn


@migration
def m001_initial(db: sqlite3.Connection) -> None:
    # one statement per execute(): executescript() would COMMIT first and run each on its own
    db.execute(
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
        )
        """
    )
    db.execute(
        """
        CREATE TABLE projects (
            name TEXT PRIMARY KEY,
            path TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            active INTEGER NOT NULL DEFAULT 1
        )
        """
    )
    db.execute(
        """
        CREATE TABLE scans (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            root TEXT NOT NULL,
            model TEXT NOT NULL,
            status TEXT NOT NULL,
            summary_json TEXT
        )
        """
    )


@migration
def m002_failures(db: sqlite3.Connection) -> None:
    db.execute(
        """
        CREATE TABLE failures (
            project TEXT NOT NULL,
            path TEXT NOT NULL,
            sha256 TEXT,
            reason TEXT NOT NULL,
            at TEXT NOT NULL,
            PRIMARY KEY (project, path)
        )
        """
    )
    db.execute("CREATE INDEX files_active ON files (active, project)")


@migration
def m003_search(db: sqlite3.Connection) -> None:
    search_mod.create_tables(db)


def secure_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 if it does not exist; make it 0600 if it does (like the records)."""
    fd = os.open(path, os.O_CREAT | os.O_RDWR | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        with contextlib.suppress(OSError):  # not ours to change: it stays as it is
            if os.fstat(fd).st_mode & 0o077:
                os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def _is_corruption(exc: BaseException) -> bool:
    """SQLITE_CORRUPT or SQLITE_NOTADB: the file is damaged (not locked, full or read-only)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in (11, 26)
    msg = str(exc).lower()
    return "malformed" in msg or "not a database" in msg or "corrupt" in msg


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
    elif "i/o error" in msg.lower():
        hint = "a write failed: the disk may be full, over a quota or failing; free space or check the disk"
    else:
        hint = "check the storage folder"
    return StorageError(f"Index {path}: {msg} ({hint}). Nothing already stored was changed.")


class ScanIndex:
    """The index of one storage folder. Each method commits on its own.

    ``repair=True`` (what a scan asks for) checks the file first and, when it is
    damaged, moves it aside and starts a new one; :attr:`rebuilt` then says so.
    """

    def __init__(self, storage: Path, *, readonly: bool = False, repair: bool = False) -> None:
        self.path = Path(storage) / INDEX_FILE
        self.rebuilt: str | None = None  # where a damaged index was moved to
        self._ranking = search_mod.Ranking()  # what search ranks on, read once per change of the table
        try:
            if readonly:
                self.db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False, timeout=30)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                try:
                    self._open_writable()
                    if repair:
                        self._check()
                except sqlite3.DatabaseError as exc:
                    if not (repair and (_is_corruption(exc) or isinstance(exc, _CorruptIndex))):
                        raise
                    self.rebuilt = self._move_aside(exc)
                    self._open_writable()
        except OSError as exc:
            raise StorageError(
                f"Cannot open the index {self.path}: {exc.strerror or exc}. Make the storage folder writable."
            ) from exc
        except sqlite3.Error as exc:
            raise _storage_error(exc, self.path) from exc
        self.db.row_factory = sqlite3.Row

    def _open_writable(self) -> None:
        secure_file(self.path)
        self.db = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
        try:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except BaseException:
            self.db.close()
            raise

    def _check(self) -> None:
        row = self.db.execute("PRAGMA quick_check").fetchone()
        if row is None or row[0] != "ok":
            self.db.close()
            raise _CorruptIndex(f"quick_check: {row[0] if row else 'no answer'}")

    def _move_aside(self, exc: BaseException) -> str:
        """Rename the damaged file (and its WAL) to ``index.sqlite.corrupt-<time>``; returns the new name."""
        with contextlib.suppress(Exception):
            self.db.close()
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        aside = self.path.with_name(f"{INDEX_FILE}.corrupt-{stamp}")
        n = 1
        while aside.exists():
            n += 1
            aside = self.path.with_name(f"{INDEX_FILE}.corrupt-{stamp}-{n}")
        os.replace(self.path, aside)
        for suffix in ("-wal", "-shm"):
            side = self.path.with_name(INDEX_FILE + suffix)
            with contextlib.suppress(FileNotFoundError):
                if suffix == "-wal":
                    os.replace(side, aside.with_name(aside.name + suffix))
                else:
                    side.unlink()
        log.warning(
            "%s is damaged (%s); moved it to %s and started a new index. No record was touched: "
            "file scores come back from the records, the rest is scored again.",
            self.path,
            exc,
            aside.name,
        )
        return str(aside)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> ScanIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self) -> None:
        """Run the migrations not yet recorded, each with its record in one transaction."""
        self.db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
        done = {r[0] for r in self.db.execute("SELECT name FROM _migrations")}
        for name, fn in _MIGRATIONS:
            if name in done:
                continue
            self.db.execute("BEGIN IMMEDIATE")  # DDL included: sqlite3 would otherwise autocommit each CREATE
            try:
                if self.db.execute("SELECT 1 FROM _migrations WHERE name=?", (name,)).fetchone() is None:
                    fn(self.db)
                    self.db.execute("INSERT INTO _migrations VALUES (?, ?)", (name, now_iso()))
                self.db.commit()
            except BaseException:
                self.db.rollback()
                raise

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

    def rebuild_from_records(self, records: list[ProjectRecord]) -> int:
        """Fill a new index from the newest scan record of each project; returns the file rows restored.

        Only rows a record holds a sha256 for come back (records written before
        it was kept there do not); a file not restored is simply scored again.
        The search table is filled from the same records.
        """
        rows = 0
        newest = newest_scan_records(records)
        with self._tx() as db:
            for record in newest:
                p = record.patterns
                reasons = {e.path: e.reasons for e in p.exemplars}
                restored = 0
                for f in p.fileScores:
                    if not f.sha256 or not p.model or not p.rubricVersion:
                        continue
                    try:
                        score = FileScore(
                            path=f.path,
                            role=f.role,
                            overall=f.overall,
                            dimensions=f.dimensions,
                            exemplar=f.exemplar,
                            teaching=f.teaching,
                            reasons=reasons.get(f.path),
                            model=p.model,
                            rubric_version=p.rubricVersion,
                            truncated=f.truncated,
                            code_lines=f.codeLines,
                            seconds=0,
                        )
                    except ValueError:
                        continue
                    db.execute(
                        "INSERT OR REPLACE INTO files VALUES (?,?,?,?,?,?,?,?,?,?,1)",
                        (
                            record.projectName,
                            score.path,
                            f.sha256,
                            0,
                            score.model,
                            score.rubric_version,
                            score.model_dump_json(),
                            score.overall,
                            int(score.exemplar),
                            p.scannedAt or now_iso(),
                        ),
                    )
                    restored += 1
                if restored:
                    db.execute("INSERT OR REPLACE INTO projects VALUES (?,?,?,1)", (record.projectName, "", now_iso()))
                rows += restored
        self.sync_search(records)
        if rows:
            log.warning("rebuilt %d file score(s) of %d project(s) from the records", rows, len(newest))
        return rows

    # --- search -------------------------------------------------------------------------

    def sync_search(self, records: list[ProjectRecord], signature: str | None = None) -> int:
        """Bring the search table in step with ``records`` (newest first); see :func:`search.sync`."""
        try:
            return search_mod.sync(self.db, records, signature)
        except sqlite3.Error as exc:
            raise _storage_error(exc, self.path) from exc

    def search_signature(self) -> str | None:
        """The record files' signature the search table was last built from."""
        return search_mod.stored_signature(self.db)

    def search(
        self,
        query: str | None = None,
        *,
        role: str | None = None,
        dimension: str | None = None,
        min_score: float | None = None,
        limit: int = 10,
    ) -> list[search_mod.SearchHit]:
        return search_mod.search(
            self.db, query, role=role, dimension=dimension, min_score=min_score, limit=limit, ranking=self._ranking
        )

    def backup_to(self, dest: Path) -> None:
        """A consistent copy of the index, even while a scan writes (SQLite's online backup)."""
        secure_file(dest)
        target = sqlite3.connect(dest)
        try:
            with target:
                self.db.backup(target)
        finally:
            target.close()


class _CorruptIndex(sqlite3.DatabaseError):
    """quick_check found damage the open itself did not."""


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
