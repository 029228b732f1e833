"""The BestCase store: seed-compatible JSON records in ``.bestcases/``.

This module is the only writer of the store folder's JSON. Every write is
atomic (temporary file, fsync, rename), so a reader sees the old record or the
new one, never half of one. One bad file never takes the store down: ``list``
and ``search`` skip it and report it; ``load`` of it is a clear error.

A record keeps the seed's fields (``id, projectName, category, description,
files[{path, content, purpose}], patterns{...}, metadata{createdAt, updatedAt,
tags[]}``); bestcase's own data lives inside ``patterns``.
"""

from __future__ import annotations

import builtins
import contextlib
import fcntl
import json
import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import CorruptRecordError, InvalidIdError, RecordNotFoundError, StorageError

log = logging.getLogger(__name__)

MAX_ID_LEN = 200
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_RESERVED = {"index", "report"}
LOCK_FILE = ".store.lock"
SCAN_LOCK_FILE = ".scan.lock"


class BestCaseFile(BaseModel):
    model_config = ConfigDict(extra="allow")
    path: str
    content: str
    purpose: str = ""


class BestCaseMetadata(BaseModel):
    model_config = ConfigDict(extra="allow")
    createdAt: str
    updatedAt: str
    tags: list[str] = Field(default_factory=list)


class BestCaseRecord(BaseModel):
    """One record: the seed's shape, extra fields kept as they are."""

    model_config = ConfigDict(extra="allow")
    id: str
    projectName: str
    category: str
    description: str = ""
    files: list[BestCaseFile] = Field(default_factory=list)
    patterns: dict[str, Any] = Field(default_factory=dict)
    metadata: BestCaseMetadata

    @property
    def created_ms(self) -> int:
        return _iso_ms(self.metadata.createdAt) or _id_ms(self.id)


class StoreProblem(BaseModel):
    file: str
    reason: str


def sanitize_project(name: str) -> str:
    """``50.dktechin/frontend`` -> ``50.dktechin-frontend`` (slashes and backslashes become ``-``)."""
    out = re.sub(r"[\\/]+", "-", name.strip()).strip("-")
    out = re.sub(r"[^A-Za-z0-9._-]", "_", out)
    return out.lstrip(".") or "project"


def validate_id(record_id: str) -> str:
    """Refuse ids that could name a file outside the store (``../``, ``/``, NUL, over-long)."""
    if not isinstance(record_id, str) or not record_id:
        raise InvalidIdError("A record id must be a non-empty string.")
    if len(record_id) > MAX_ID_LEN:
        raise InvalidIdError(f"A record id is at most {MAX_ID_LEN} characters; got {len(record_id)}.")
    if "\x00" in record_id or "/" in record_id or "\\" in record_id or ".." in record_id:
        raise InvalidIdError("A record id cannot contain '/', '\\', '..' or NUL; use an id from list_bestcases.")
    if not _ID_RE.match(record_id) or record_id in _RESERVED:
        raise InvalidIdError(f"{record_id!r} is not a record id (letters, digits, '.', '_' and '-').")
    return record_id


def new_record_id(project: str, category: str | None = None, ms: int | None = None) -> str:
    """``<sanitized project>[-<category>]-<ms>``: the seed's id (and file name) of a new record."""
    stamp = now_ms() if ms is None else ms
    middle = f"-{category}" if category else ""
    return validate_id(f"{sanitize_project(project)[: MAX_ID_LEN - 40]}{middle}-{stamp}")


def now_ms() -> int:
    return int(time.time() * 1000)


def iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _iso_ms(value: str) -> int:
    try:
        return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1000)
    except ValueError:
        return 0


def _id_ms(record_id: str) -> int:
    m = re.search(r"-(\d{12,})$", record_id)
    return int(m.group(1)) if m else 0


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so readers see the old file or the new one, never a mix."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):
        dirfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dirfd)
        finally:
            os.close(dirfd)


class BestCaseStorage:
    """Records in one folder. Readers never lock; writers and backups share ``.store.lock``."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        # parsed records by file, reused while the file's (mtime, size) is unchanged
        self._cache: dict[str, tuple[int, int, BestCaseRecord]] = {}

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

    def scan_running(self) -> bool:
        """Whether some process holds the scan lock on this store now."""
        lock = self.path / SCAN_LOCK_FILE
        if not lock.exists():
            return False
        try:
            with open(lock, "a+b") as fh:
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
            record = BestCaseRecord.model_validate_json(raw)
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
        data = record.model_dump_json(indent=2, exclude_none=False).encode("utf-8")
        try:
            with self.write_lock():
                atomic_write(path, data)
        except OSError as exc:
            raise StorageError(
                f"Cannot write {path}: {exc.strerror or exc}. The store is unchanged; "
                "free disk space or make the folder writable."
            ) from exc
        return path

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
        for path in self._files():
            try:
                st = path.stat()
                hit = self._cache.get(path.name)
                if hit is not None and hit[:2] == (st.st_mtime_ns, st.st_size):
                    records.append(hit[2])
                    continue
                record = self._parse(path.read_bytes(), path)
                self._cache[path.name] = (st.st_mtime_ns, st.st_size, record)
                records.append(record)
            except (CorruptRecordError, OSError) as exc:
                problems.append(StoreProblem(file=path.name, reason=str(exc)))
        records.sort(key=lambda r: (r.created_ms, r.id), reverse=True)
        if problems:
            log.warning("skipped %d unreadable record(s) in %s", len(problems), self.path)
        return records, problems

    def list(self) -> builtins.list[BestCaseRecord]:
        """All readable records, newest first."""
        return self.scan_records()[0]

    def latest(self, project: str, category: str | None = None) -> BestCaseRecord | None:
        """The newest record of a project (optionally of one category)."""
        for r in self.list():
            if r.projectName == project and (category is None or r.category == category):
                return r
        return None

    def latest_per_project(self) -> builtins.list[BestCaseRecord]:
        seen: set[str] = set()
        out = []
        for r in self.list():
            if r.projectName not in seen:
                seen.add(r.projectName)
                out.append(r)
        return out

    def search(
        self,
        query: str | None = None,
        *,
        role: str | None = None,
        dimension: str | None = None,
        min_score: float | None = None,
        limit: int = 10,
    ) -> builtins.list[dict[str, Any]]:
        """Exemplar files across the newest record of each project, best first.

        Rank: the file's score (``dimension``'s if given, else overall), plus up to
        30 points for how many query words appear in its path, reasons and code.
        """
        words = [w for w in re.findall(r"[a-z0-9]+", (query or "").lower()) if len(w) > 1]
        hits: builtins.list[tuple[float, dict[str, Any]]] = []
        for record in self.latest_per_project():
            contents = {f.path: f.content for f in record.files}
            for ex in record.patterns.get("exemplars", []) or []:
                if not isinstance(ex, dict):
                    continue
                if role and ex.get("role") != role:
                    continue
                dims = ex.get("dimensions") or {}
                base = float(dims.get(dimension, -1) if dimension else ex.get("overall", 0))
                if dimension and base < 0:
                    continue
                if min_score is not None and base < min_score:
                    continue
                code = contents.get(ex.get("path", ""), "")
                text = " ".join([ex.get("path", ""), json.dumps(ex.get("reasons") or {}), code]).lower()
                matched = sum(1 for w in words if w in text)
                if words and matched == 0:
                    continue
                rank = base + (30.0 * matched / len(words) if words else 0.0)
                hits.append(
                    (
                        rank,
                        {
                            "id": record.id,
                            "projectName": record.projectName,
                            **ex,
                            "content": code,
                            "rank": round(rank, 1),
                        },
                    )
                )
        hits.sort(key=lambda h: (-h[0], h[1]["projectName"], h[1].get("path", "")))
        return [h for _, h in hits[: max(0, limit)]]

    def apply_retention(self, project: str, keep: int) -> builtins.list[str]:
        """Delete all but the newest ``keep`` records of a project; returns the deleted ids."""
        mine = [r for r in self.list() if r.projectName == project]
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

    def restore(self, src: Path) -> builtins.list[Path]:
        """Put a backup made by :meth:`backup` back, record by record and atomically."""
        import sqlite3

        from .index import INDEX_FILE

        src = Path(src)
        if not src.is_dir():
            raise StorageError(f"Backup folder {src} does not exist.")
        restored: builtins.list[Path] = []
        self._ensure_dir()
        with self.write_lock():
            for path in sorted(src.glob("*.json")):
                record = self._parse(path.read_bytes(), path)  # refuse to restore a corrupt file
                target = self.file_for(record.id)
                atomic_write(target, path.read_bytes())
                restored.append(target)
            if (src / INDEX_FILE).exists():
                source = sqlite3.connect(f"file:{src / INDEX_FILE}?mode=ro", uri=True)
                target_db = sqlite3.connect(self.path / INDEX_FILE)
                try:
                    with target_db:
                        source.backup(target_db)
                finally:
                    source.close()
                    target_db.close()
                restored.append(self.path / INDEX_FILE)
        return restored
