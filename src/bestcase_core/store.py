"""The BestCase store: seed-compatible JSON records in ``.bestcases/``.

This module is the only writer of the store folder's JSON. Every write is
atomic (temporary file, fsync, rename), so a reader sees the old record or the
new one, never half of one. One bad file never takes the store down: ``list``
and ``search`` skip it and report it; ``load`` of it is a clear error.

A record is a :class:`bestcase_core.record.ProjectRecord`: the seed's fields
(``id, projectName, category, description, files[{path, content, purpose}],
patterns{...}, metadata{createdAt, updatedAt, tags[]}``) and ``schemaVersion``;
bestcase's own data lives inside ``patterns``. :meth:`BestCaseStorage.search`
runs on the index's FTS5 table (:mod:`bestcase_core.search`).
"""

from __future__ import annotations

import builtins
import contextlib
import errno
import fcntl
import hashlib
import logging
import os
import re
import shutil
import sqlite3
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ValidationError

from . import search as search_mod
from .clock import now_ms
from .errors import CorruptRecordError, InvalidIdError, RecordNotFoundError, ScanBusyError, StorageError
from .record import SCAN_CATEGORY, ProjectRecord, newest_scan_records
from .search import SearchHit

if TYPE_CHECKING:
    from .index import ScanIndex

log = logging.getLogger(__name__)

MAX_ID_LEN = 200
_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")  # always fullmatch: "$" would let a trailing newline in
_RESERVED = {"index", "report"}
LOCK_FILE = ".store.lock"
SCAN_LOCK_FILE = ".scan.lock"
#: Held (exclusively) by a running scan; ``scan_running`` probes it, never the scan lock itself.
SCAN_BUSY_FILE = ".scan.busy"
#: How much of the readable part of a project name an id keeps.
_SLUG_MAX = 80
#: Parsed records kept in memory: at most this many, and at most this many bytes of record files.
CACHE_RECORDS = 256
CACHE_BYTES = 64 * 1024 * 1024
#: A write's temporary file older than this is left over from a killed process.
STALE_TMP_SECONDS = 60.0


#: The record's model under the name the store has always used.
BestCaseRecord = ProjectRecord


class StoreProblem(BaseModel):
    file: str
    reason: str


def sanitize_project(name: str) -> str:
    """``50.dktechin/frontend`` -> ``50.dktechin-frontend`` (slashes and backslashes become ``-``).

    Only for finding a record by that spelling of its project's name; ids use :func:`id_prefix`.
    """
    out = re.sub(r"[\\/]+", "-", name.strip()).strip("-")
    out = re.sub(r"[^A-Za-z0-9._-]", "_", out)
    return out.lstrip(".") or "project"


def _slug(name: str) -> str:
    """The readable, id-safe part of a name: ASCII letters, digits, ``.``, ``_``, ``-``; never empty."""
    out = re.sub(r"[\\/]+", "-", name.strip())
    out = re.sub(r"[^A-Za-z0-9._-]+", "_", out)
    out = re.sub(r"\.{2,}", ".", out)
    out = out[:_SLUG_MAX]
    out = re.sub(r"^[._-]+|[._-]+$", "", out)
    return out or "project"


def id_prefix(project: str, category: str | None = None) -> str:
    """What every id of ``project`` (and ``category``) starts with; the same name always gives the same prefix.

    ``shop-nuxt3`` -> ``shop-nuxt3``. When making the name id-safe loses anything
    (``00.common/shop-nuxt3``, ``프론트엔드``, ``_x``, ``a..b``, a name over 80 characters),
    8 hex digits of the name's sha256 follow, so ``x/y`` and ``x-y`` never share a prefix:
    ``00.common-shop-nuxt3-1f0c9a7e``, ``project-6f1b2c3d``.
    """
    parts = [_slug(project)]
    lossy = parts[0] != project
    if category:
        parts.append(_slug(category))
        lossy = lossy or parts[1] != category
    if lossy:
        key = project if category is None else f"{project}\x00{category}"
        parts.append(hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:8])
    return "-".join(parts)


def validate_id(record_id: str) -> str:
    """Refuse ids that could name a file outside the store (``../``, ``/``, NUL, newline, over-long)."""
    if not isinstance(record_id, str) or not record_id:
        raise InvalidIdError("A record id must be a non-empty string.")
    if len(record_id) > MAX_ID_LEN:
        raise InvalidIdError(f"A record id is at most {MAX_ID_LEN} characters; got {len(record_id)}.")
    if "\x00" in record_id or "/" in record_id or "\\" in record_id or ".." in record_id:
        raise InvalidIdError("A record id cannot contain '/', '\\', '..' or NUL; use an id from list_bestcases.")
    if not _ID_RE.fullmatch(record_id) or record_id in _RESERVED:
        raise InvalidIdError(f"{record_id!r} is not a record id (letters, digits, '.', '_' and '-').")
    return record_id


def new_record_id(project: str, category: str | None = None, ms: int | None = None) -> str:
    """``<id_prefix(project, category)>-<ms>``: the id (and file name) of a new record.

    Any project name gives a valid id. Two saves in one millisecond would get the
    same one: :meth:`BestCaseStorage.create` moves to the next millisecond instead
    of overwriting.
    """
    stamp = now_ms() if ms is None else ms
    return validate_id(f"{id_prefix(project, category)}-{stamp}")


def _write_temp(path: Path, data: bytes) -> str:
    """A synced temporary file (mode 0600) beside ``path`` holding ``data``; returns its name."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return tmp


def _sync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        dirfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dirfd)
        finally:
            os.close(dirfd)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so readers see the old file or the new one, never a mix."""
    tmp = _write_temp(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _sync_dir(path.parent)


def atomic_create(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` only if nothing is there yet; False (and nothing written) if something is.

    The whole file appears at once (a hard link of a synced temporary file), so a
    reader never sees part of it, and two writers can never both own one name.
    """
    tmp = _write_temp(path, data)
    try:
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
                raise
            # a file system without hard links: claim the name first, then fill it in
            try:
                os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            except FileExistsError:
                return False
            os.replace(tmp, path)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    _sync_dir(path.parent)
    return True


@contextlib.contextmanager
def _memory_index() -> Iterator[sqlite3.Connection]:
    """A throw-away search table in memory, for a store whose index cannot be written."""
    db = sqlite3.connect(":memory:")
    db.row_factory = sqlite3.Row
    try:
        search_mod.create_tables(db)
        yield db
    finally:
        db.close()


@dataclass
class RestoreReport:
    """What :meth:`BestCaseStorage.restore` put back, and what it skipped and why."""

    restored: list[Path] = field(default_factory=list)
    skipped: list[StoreProblem] = field(default_factory=list)


class BestCaseStorage:
    """Records in one folder. Readers never lock; writers and backups share ``.store.lock``."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        # parsed records by file, reused while the file's (mtime, size) is unchanged; least recently used go first
        self._cache: OrderedDict[str, tuple[int, int, BestCaseRecord]] = OrderedDict()
        self._cache_bytes = 0
        self._cache_lock = threading.Lock()
        self._index: ScanIndex | None = None  # the index searches run on (see _search_index)
        self._index_ino: int | None = None
        self._index_lock = threading.Lock()
        self._synced_folder_time: int | None = None
        self.remove_stale_temp()

    def remove_stale_temp(self, older_than: float = STALE_TMP_SECONDS) -> builtins.list[str]:
        """Delete temporary files a killed write left behind (older than ``older_than`` seconds)."""
        gone: builtins.list[str] = []
        try:
            candidates = builtins.list(self.path.glob(".*.tmp"))
        except OSError:
            return gone
        cutoff = time.time() - older_than
        for tmp in candidates:
            with contextlib.suppress(OSError):
                if tmp.is_file() and tmp.stat().st_mtime < cutoff:
                    tmp.unlink()
                    gone.append(tmp.name)
        if gone:
            log.info("removed %d temporary file(s) left by an interrupted write in %s", len(gone), self.path)
        return gone

    # --- locking -------------------------------------------------------------------------

    @contextlib.contextmanager
    def write_lock(self) -> Iterator[None]:
        """Held by each write and by a backup, so a backup sees whole writes only."""
        self._ensure_dir()
        with open(self.path / LOCK_FILE, "a+b") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    @contextlib.contextmanager
    def scan_lock(self, wait: float = 0.0, stop: threading.Event | None = None) -> Iterator[None]:
        """Held for a whole scan (or a restore): one at a time per store.

        Waits up to ``wait`` seconds for another holder (returning early if ``stop``
        is set), then raises :class:`ScanBusyError`. While held, ``.scan.busy`` is held
        too: that is what :meth:`scan_running` probes, so a probe can never make a
        scan fail to start.
        """
        self._ensure_dir()
        deadline = time.monotonic() + max(0.0, wait)
        try:
            lock_fh = open(self.path / SCAN_LOCK_FILE, "a+b")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise StorageError(
                f"Cannot open {self.path / SCAN_LOCK_FILE}: {exc.strerror or exc}. Make the storage folder writable."
            ) from exc
        try:
            while True:
                try:
                    fcntl.flock(lock_fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline or (stop is not None and stop.is_set()):
                        waited = f" after waiting {wait:.0f} s" if wait >= 1 else ""
                        raise ScanBusyError(
                            f"Another scan is writing to {self.path}{waited}; wait for it to finish, "
                            "or stop it, then run again."
                        ) from None
                    time.sleep(min(0.2, max(0.01, deadline - time.monotonic())))
            with open(self.path / SCAN_BUSY_FILE, "a+b") as busy:
                fcntl.flock(busy, fcntl.LOCK_EX)  # blocks only for the instant a probe holds it
                try:
                    yield
                finally:
                    fcntl.flock(busy, fcntl.LOCK_UN)
        finally:
            lock_fh.close()

    def scan_running(self) -> bool:
        """Whether some process runs a scan on this store now. Never takes the scan lock."""
        busy = self.path / SCAN_BUSY_FILE
        if not busy.exists():
            return False
        try:
            with open(busy, "rb") as fh:
                try:
                    fcntl.flock(fh, fcntl.LOCK_SH | fcntl.LOCK_NB)
                except BlockingIOError:
                    return True
                fcntl.flock(fh, fcntl.LOCK_UN)
        except OSError:
            return False
        return False

    def _ensure_dir(self) -> None:
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(
                f"Cannot create the storage folder {self.path}: {exc.strerror or exc}. "
                "Set BESTCASE_STORAGE_PATH or --storage to a writable folder."
            ) from exc

    # --- one record ----------------------------------------------------------------------

    def file_for(self, record_id: str) -> Path:
        return self.path / f"{validate_id(record_id)}.json"

    def load(self, record_id: str) -> BestCaseRecord:
        """The record with this id; :class:`RecordNotFoundError` or :class:`CorruptRecordError` otherwise."""
        path = self.file_for(record_id)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise RecordNotFoundError(
                f"No BestCase record {record_id!r} in {self.path}; list_bestcases shows the ids there are."
            ) from None
        except OSError as exc:
            raise StorageError(f"Cannot read {path}: {exc.strerror or exc}") from exc
        return self._parse(raw, path)

    @staticmethod
    def _parse(raw: bytes, path: Path) -> BestCaseRecord:
        try:
            record = ProjectRecord.from_json(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(x) for x in first["loc"]) or "the file"
            raise CorruptRecordError(
                f"{path.name} is not a valid BestCase record ({where}: {first['msg']}); "
                "it is left as it is. Delete it or restore from a backup."
            ) from None
        if record.id != path.stem:
            raise CorruptRecordError(f"{path.name} holds id {record.id!r}, which does not match its file name.")
        return record

    def save(self, record: BestCaseRecord) -> Path:
        """Write a record atomically; returns its path."""
        path = self.file_for(record.id)
        data = record.to_json()
        try:
            with self.write_lock():
                atomic_write(path, data)
        except OSError as exc:
            raise StorageError(
                f"Cannot write {path}: {exc.strerror or exc}. The store is unchanged; "
                "free disk space or make the folder writable."
            ) from exc
        return path

    def create(self, make: Callable[[int], BestCaseRecord], ms: int | None = None) -> tuple[BestCaseRecord, Path]:
        """Write a new record under an id nobody has used; returns it and its path.

        ``make(ms)`` builds the record for a millisecond stamp. When its id is taken
        (another save in the same millisecond), the next millisecond is tried: an
        existing record is never overwritten.
        """
        stamp = now_ms() if ms is None else ms
        try:
            with self.write_lock():
                for _ in range(10_000):
                    record = make(stamp)
                    path = self.file_for(record.id)
                    if atomic_create(path, record.to_json()):
                        return record, path
                    stamp += 1
        except OSError as exc:
            if isinstance(exc, StorageError):
                raise
            raise StorageError(
                f"Cannot write a record in {self.path}: {exc.strerror or exc}. The store is unchanged; "
                "free disk space or make the folder writable."
            ) from exc
        raise StorageError(f"No free record id in {self.path} near {ms}; the store is unchanged.")

    def delete(self, record_id: str) -> None:
        path = self.file_for(record_id)
        try:
            with self.write_lock():
                path.unlink()
        except FileNotFoundError:
            raise RecordNotFoundError(f"No BestCase record {record_id!r} to delete.") from None
        except OSError as exc:
            raise StorageError(f"Cannot delete {path}: {exc.strerror or exc}") from exc

    # --- many records ---------------------------------------------------------------------

    def _files(self) -> builtins.list[Path]:
        try:
            return sorted(p for p in self.path.glob("*.json") if not p.name.startswith("."))
        except OSError:
            return []

    def scan_records(self) -> tuple[list[BestCaseRecord], list[StoreProblem]]:
        """Every readable record, newest first, and the files that could not be read."""
        records: builtins.list[BestCaseRecord] = []
        problems: builtins.list[StoreProblem] = []
        files = self._files()
        for path in files:
            try:
                st = path.stat()
                hit = self._cache_get(path.name, st)
                if hit is not None:
                    records.append(hit)
                    continue
                record = self._parse(path.read_bytes(), path)
                self._cache_put(path.name, st, record)
                records.append(record)
            except (CorruptRecordError, OSError) as exc:
                problems.append(StoreProblem(file=path.name, reason=str(exc)))
        self._cache_keep({p.name for p in files})
        records.sort(key=lambda r: (r.created_ms, r.id), reverse=True)
        if problems:
            log.warning("skipped %d unreadable record(s) in %s", len(problems), self.path)
        return records, problems

    # the cache is bounded (a long-running MCP server sees records come and go for months)

    def _cache_get(self, name: str, st: os.stat_result) -> BestCaseRecord | None:
        with self._cache_lock:
            hit = self._cache.get(name)
            if hit is None or hit[:2] != (st.st_mtime_ns, st.st_size):
                return None
            self._cache.move_to_end(name)
            return hit[2]

    def _cache_put(self, name: str, st: os.stat_result, record: BestCaseRecord) -> None:
        if st.st_size > CACHE_BYTES // 4:
            return
        with self._cache_lock:
            old = self._cache.pop(name, None)
            if old is not None:
                self._cache_bytes -= old[1]
            self._cache[name] = (st.st_mtime_ns, st.st_size, record)
            self._cache_bytes += st.st_size
            while self._cache and (len(self._cache) > CACHE_RECORDS or self._cache_bytes > CACHE_BYTES):
                _, (_, size, _) = self._cache.popitem(last=False)
                self._cache_bytes -= size

    def _cache_keep(self, names: set[str]) -> None:
        with self._cache_lock:
            for name in [n for n in self._cache if n not in names]:
                self._cache_bytes -= self._cache.pop(name)[1]

    def list(self) -> builtins.list[BestCaseRecord]:
        """All readable records, newest first."""
        return self.scan_records()[0]

    def latest(self, project: str, category: str | None = None) -> BestCaseRecord | None:
        """The newest record of a project, or of one of its categories.

        Without a category: the newest scan record, and a hand-saved one only when the
        project has no scan record (a saved record never hides the scan's results).
        ``category="auto-scan"`` gives scan records only.
        """
        mine = [r for r in self.list() if r.projectName == project]
        if category == SCAN_CATEGORY:
            return next((r for r in mine if r.from_scan), None)
        if category is not None:
            return next((r for r in mine if r.category == category), None)
        return next((r for r in mine if r.from_scan), mine[0] if mine else None)

    def latest_per_project(self) -> builtins.list[BestCaseRecord]:
        """The newest scan record of each project (hand-saved records are :meth:`saved`)."""
        return newest_scan_records(self.list())

    def saved(self) -> builtins.list[BestCaseRecord]:
        """Records saved by hand (``save_bestcase``), newest first."""
        return [r for r in self.list() if not r.from_scan]

    def search(
        self,
        query: str | None = None,
        *,
        role: str | None = None,
        dimension: str | None = None,
        min_score: float | None = None,
        limit: int = 10,
    ) -> builtins.list[SearchHit]:
        """Exemplar files across the newest scan record of each project, best first.

        Runs on the index's FTS5 table, brought in step with the records first when
        they changed; the rank is the score plus up to 30 points of bm25 relevance
        (:mod:`bestcase_core.search` has the formula). A store whose index cannot be
        opened for writing is searched in memory.
        """
        if not self.path.is_dir():
            return []
        with self._index_lock:
            index = self._search_index()
            if index is None:
                with _memory_index() as db:
                    search_mod.sync(db, self.list())
                    return search_mod.search(
                        db, query, role=role, dimension=dimension, min_score=min_score, limit=limit
                    )
            self._sync_if_changed(index)
            return index.search(query, role=role, dimension=dimension, min_score=min_score, limit=limit)

    def _sync_if_changed(self, index: ScanIndex) -> None:
        """:meth:`sync_search` when a record file came, went or changed since the last search.

        Every write here renames a file into the folder, which changes the folder's time; so while that time
        is what it was, the files' signature is not read again (a record edited in place by hand is seen
        at the next change in the folder)."""
        try:
            folder_time = self.path.stat().st_mtime_ns
        except OSError:
            folder_time = None
        if folder_time is not None and folder_time == self._synced_folder_time:
            return
        signature = search_mod.records_signature(self.path)
        if not signature or signature != index.search_signature():
            index.sync_search(self.list(), signature)
        self._synced_folder_time = folder_time

    def sync_search(self, index: ScanIndex) -> None:
        """Bring ``index``'s search table in step with the records now."""
        index.sync_search(self.list(), search_mod.records_signature(self.path))

    def _search_index(self) -> ScanIndex | None:
        """The index searches run on, opened once and again when the file was replaced; None if it cannot be."""
        from .index import INDEX_FILE, ScanIndex

        try:
            ino = (self.path / INDEX_FILE).stat().st_ino
        except OSError:
            ino = None
        if self._index is not None and ino is not None and ino == self._index_ino:
            return self._index
        self._synced_folder_time = None
        if self._index is not None:
            with contextlib.suppress(Exception):
                self._index.close()
            self._index = None
        try:
            self._index = ScanIndex(self.path)
        except StorageError as exc:
            log.info("searching %s in memory: %s", self.path, exc)
            return None
        with contextlib.suppress(OSError):
            self._index_ino = (self.path / INDEX_FILE).stat().st_ino
        return self._index

    def apply_retention(self, project: str, keep: int) -> builtins.list[str]:
        """Delete all but the newest ``keep`` scan records of a project; returns the deleted ids.

        Records saved by hand are never deleted.
        """
        mine = [r for r in self.list() if r.projectName == project and r.from_scan]
        gone: builtins.list[str] = []
        for r in mine[keep:]:
            with contextlib.suppress(RecordNotFoundError):
                self.delete(r.id)
                gone.append(r.id)
        return gone

    # --- backup and restore ----------------------------------------------------------------

    def backup(self, dest: Path) -> builtins.list[Path]:
        """Copy the records and the index to ``dest``, consistently, even while a scan writes."""
        from .index import INDEX_FILE, ScanIndex

        dest = Path(dest)
        dest.mkdir(parents=True, exist_ok=True)
        copied: builtins.list[Path] = []
        with self.write_lock():
            for path in self._files():
                target = dest / path.name
                shutil.copy2(path, target)
                copied.append(target)
            if (self.path / INDEX_FILE).exists():
                idx = ScanIndex(self.path)
                try:
                    idx.backup_to(dest / INDEX_FILE)
                finally:
                    idx.close()
                copied.append(dest / INDEX_FILE)
            report = self.path / "report.html"
            if report.exists():
                shutil.copy2(report, dest / report.name)
        return copied

    def restore(self, src: Path) -> RestoreReport:
        """Put a backup made by :meth:`backup` back, record by record and atomically.

        Everything is checked before anything is written; a damaged file in the
        backup is skipped and reported, never half-restored. Holds the scan lock
        (a running scan makes this a :class:`ScanBusyError`) and the write lock.
        """
        from .index import INDEX_FILE, ScanIndex

        src = Path(src)
        if not src.is_dir():
            raise StorageError(f"Backup folder {src} does not exist.")
        report = RestoreReport()
        good: builtins.list[tuple[Path, bytes]] = []
        for path in sorted(src.glob("*.json")):
            try:
                raw = path.read_bytes()
                record = self._parse(raw, path)
                good.append((self.file_for(record.id), raw))
            except (OSError, InvalidIdError) as exc:
                report.skipped.append(StoreProblem(file=path.name, reason=str(exc)))
        index_src: Path | None = src / INDEX_FILE if (src / INDEX_FILE).exists() else None
        if index_src is not None:
            try:
                check = sqlite3.connect(f"file:{index_src}?mode=ro", uri=True)
                try:
                    ok = check.execute("PRAGMA quick_check").fetchone()[0] == "ok"
                finally:
                    check.close()
                if not ok:
                    raise sqlite3.DatabaseError("quick_check failed")
            except sqlite3.Error as exc:
                report.skipped.append(
                    StoreProblem(file=INDEX_FILE, reason=f"not a usable index ({exc}); the next scan rebuilds it")
                )
                index_src = None
        try:
            with self.scan_lock(), self.write_lock():
                for target, raw in good:
                    atomic_write(target, raw)
                    report.restored.append(target)
                if index_src is not None:
                    self._restore_index(index_src, self.path / INDEX_FILE)
                    report.restored.append(self.path / INDEX_FILE)
                with ScanIndex(self.path) as index:
                    self.sync_search(index)
        except (OSError, sqlite3.Error) as exc:
            if isinstance(exc, StorageError):
                raise
            raise StorageError(
                f"Restoring into {self.path} failed after {len(report.restored)} file(s): {exc}. "
                "Each file restored is whole; free space or fix the folder and run restore again."
            ) from exc
        if report.skipped:
            log.warning("restore skipped %d damaged file(s) from %s", len(report.skipped), src)
        return report

    @staticmethod
    def _restore_index(source_path: Path, target_path: Path) -> None:
        from .index import secure_file

        secure_file(target_path)
        source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
        target_db = sqlite3.connect(target_path)
        try:
            with target_db:
                source.backup(target_db)
        finally:
            source.close()
            target_db.close()
