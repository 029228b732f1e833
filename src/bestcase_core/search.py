"""Search over the exemplars: an SQLite FTS5 table in the index, ranked by bm25 and the score together.

What is searched: the exemplars of the newest scan record of each project (records
saved by hand are not), each as one row of ``search_fts`` with five columns:
its path, role, reasons (summary, strengths, weaknesses), facts (the Nuxt/Vue
patterns the parser saw) and code. Identifiers are split before they are
indexed and in the query, so ``useFetchUsers`` is also ``use fetch users``
(``fetch-users`` and ``fetch_users`` split anyway), and words are stemmed
(porter): ``users`` finds ``user``.

The rank, best first (``docs/search.md`` says it with an example)::

    rank = score + 30 * r / (1 + r),   r = -bm25(path 3, role 1, reasons 2, facts 2, code 1)

``score`` is the file's overall score, or the dimension's when a dimension is
asked for; ``r`` is FTS5's bm25 relevance of the query (0 without a query),
so a match adds up to 30 points, and more the better it matches. Files that
match no query word are not results. Query words of one letter are ignored.

The table is kept in step with the records: the scan calls :func:`sync` after
writing a record and applying retention, the store after a restore, the index
after it was rebuilt from the records; and every search first compares a
signature of the record files (names, sizes, times) with the one the table was
built from, so a record copied in by hand is found too.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from pydantic import Field

from .record import Exemplar, ProjectRecord, newest_scan_records

#: Points a perfect match can add to a score.
RELEVANCE_POINTS = 30.0
#: bm25 weights of the columns path, role, reasons, facts, code.
COLUMN_WEIGHTS = (3.0, 1.0, 2.0, 2.0, 1.0)

_WORD = re.compile(r"[A-Za-z0-9]+")
_PART = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")


class SearchHit(Exemplar):
    """One exemplar found: what the record says of it, its project and code, and its rank."""

    id: str = Field(description="the record it comes from")
    projectName: str
    content: str = Field("", description="the file's code as it was scored")
    rank: float = Field(description="score + relevance points (see docs/search.md)")


def split_identifiers(text: str) -> str:
    """``useFetchUsers`` -> ``useFetchUsers use Fetch Users``: each camelCase word followed by its parts."""

    def parts(m: re.Match[str]) -> str:
        word = m.group(0)
        pieces = _PART.findall(word)
        return word if len(pieces) <= 1 else f"{word} {' '.join(pieces)}"

    return _WORD.sub(parts, text)


def query_terms(query: str | None) -> list[str]:
    """The words of a query, identifiers split, lower case, in order, each once; one-letter words left out."""
    seen: dict[str, None] = {}
    for w in _WORD.findall(split_identifiers(query or "")):
        if len(w) > 1:
            seen.setdefault(w.lower(), None)
    return list(seen)


def create_tables(db: sqlite3.Connection) -> None:
    """The search tables (index migration ``m003_search``)."""
    db.execute(
        """
        CREATE TABLE search_docs (
            rowid INTEGER PRIMARY KEY,
            record_id TEXT NOT NULL,
            project TEXT NOT NULL,
            path TEXT NOT NULL,
            role TEXT NOT NULL,
            overall REAL NOT NULL,
            dimensions TEXT NOT NULL,
            exemplar TEXT NOT NULL,
            content TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX search_docs_project ON search_docs (project)")
    db.execute(
        "CREATE VIRTUAL TABLE search_fts USING fts5(path, role, reasons, facts, code, tokenize='porter unicode61')"
    )
    db.execute("CREATE TABLE search_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


def records_signature(folder: Path) -> str:
    """A digest of the record files' names, sizes and modification times (changes with any record)."""
    h = hashlib.sha256()
    try:
        entries = sorted(
            (e.name, e.stat().st_size, e.stat().st_mtime_ns)
            for e in os.scandir(folder)
            if e.name.endswith(".json") and not e.name.startswith(".")
        )
    except OSError:
        return ""
    for name, size, mtime in entries:
        h.update(f"{name}\0{size}\0{mtime}\n".encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def stored_signature(db: sqlite3.Connection) -> str | None:
    row = db.execute("SELECT value FROM search_state WHERE key='signature'").fetchone()
    return str(row[0]) if row else None


def sync(db: sqlite3.Connection, records: Iterable[ProjectRecord], signature: str | None = None) -> int:
    """Make the table hold the exemplars of the newest scan record of each project (``records`` newest
    first); only projects whose newest record changed are written again. Returns the rows written."""
    newest = {r.projectName: r for r in newest_scan_records(records)}
    written = 0
    with db:
        have = dict(db.execute("SELECT DISTINCT project, record_id FROM search_docs").fetchall())
        for project in [p for p in have if p not in newest]:
            _drop(db, project)
        for project, record in newest.items():
            if have.get(project) == record.id:
                continue
            _drop(db, project)
            written += _insert(db, record)
        if signature is not None:
            db.execute("INSERT OR REPLACE INTO search_state VALUES ('signature', ?)", (signature,))
    return written


def _drop(db: sqlite3.Connection, project: str) -> None:
    rows = [r[0] for r in db.execute("SELECT rowid FROM search_docs WHERE project=?", (project,))]
    db.executemany("DELETE FROM search_fts WHERE rowid=?", [(r,) for r in rows])
    db.execute("DELETE FROM search_docs WHERE project=?", (project,))


def _insert(db: sqlite3.Connection, record: ProjectRecord) -> int:
    n = 0
    for ex in record.patterns.exemplars:
        code = record.code(ex.path)
        cur = db.execute(
            "INSERT INTO search_docs (record_id, project, path, role, overall, dimensions, exemplar, content) "
            "VALUES (?,?,?,?,?,?,?,?)",
            (
                record.id,
                record.projectName,
                ex.path,
                ex.role,
                ex.overall,
                json.dumps(ex.dimensions),
                ex.model_dump_json(),
                code,
            ),
        )
        reasons = ex.reasons
        reason_text = " ".join([reasons.summary, *reasons.strengths, *reasons.weaknesses]) if reasons else ""
        db.execute(
            "INSERT INTO search_fts (rowid, path, role, reasons, facts, code) VALUES (?,?,?,?,?,?)",
            (
                cur.lastrowid,
                split_identifiers(ex.path.replace("/", " ")),
                ex.role,
                split_identifiers(reason_text),
                split_identifiers(" ".join(ex.facts)),
                split_identifiers(code),
            ),
        )
        n += 1
    return n


def search(
    db: sqlite3.Connection,
    query: str | None = None,
    *,
    role: str | None = None,
    dimension: str | None = None,
    min_score: float | None = None,
    limit: int = 10,
) -> list[SearchHit]:
    """Exemplars best first by the rank above; ``role``, ``dimension`` and ``min_score`` filter."""
    terms = query_terms(query)
    base = "json_extract(d.dimensions, :dimension)" if dimension else "d.overall"
    params: dict[str, object] = {
        "dimension": '$."' + (dimension or "").replace('"', "") + '"',
        "role": role,
        "min_score": min_score,
        "limit": max(0, limit),
        "match": " OR ".join('"' + t + '"' for t in terms),
    }
    where = f"{base} IS NOT NULL AND (:role IS NULL OR d.role = :role) AND (:min_score IS NULL OR {base} >= :min_score)"
    if terms:
        relevance = f"(-bm25(search_fts, {', '.join(str(w) for w in COLUMN_WEIGHTS)}))"
        sql = (
            f"SELECT d.*, {base} + {RELEVANCE_POINTS} * {relevance} / (1 + {relevance}) AS rank "
            "FROM search_fts JOIN search_docs d ON d.rowid = search_fts.rowid "
            f"WHERE search_fts MATCH :match AND {where}"
        )
    else:
        sql = f"SELECT d.*, {base} AS rank FROM search_docs d WHERE {where}"
    sql += " ORDER BY rank DESC, d.project, d.path LIMIT :limit"
    hits = []
    for row in db.execute(sql, params):
        ex = json.loads(row["exemplar"])
        hits.append(
            SearchHit(
                **ex,
                id=row["record_id"],
                projectName=row["project"],
                content=row["content"],
                rank=round(float(row["rank"]), 1),
            )
        )
    return hits
