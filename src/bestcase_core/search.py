"""Search over the exemplars: an SQLite FTS5 table in the index, ranked by bm25 and the score together.

What is searched: the exemplars of the newest scan record of each project (records
saved by hand are not), each as one row of ``search_fts`` with five columns:
its path, role, reasons (summary, strengths, weaknesses), facts (the Nuxt/Vue
patterns the parser saw) and code. Identifiers are split before they are
indexed and in the query, so ``useFetchUsers`` is also ``use fetch users``
(``fetch-users`` and ``fetch_users`` split anyway), and words are stemmed
(porter): ``users`` finds ``user``.

The rank, best first (``docs/search.md`` says more)::

    rank = score + 30 * r / (1 + r),   r = -bm25(path 3, role 1, reasons 2, facts 2, code 1)

``score`` is the file's overall score, or the dimension's when a dimension is
asked for; ``r`` is FTS5's bm25 relevance of the query (0 without a query),
so a match adds up to 30 points, and more the better it matches.

Which files match: those holding every word of the query in any column. When
fewer than ``limit`` do, those whose path, role, reasons or facts hold any of
the words are ranked too (``r`` then being the bm25 of that looser query). A
file that holds no query word is never a result. One-letter words and a few
English stopwords ("with", "that", ...) are left out of the query. (Looking
for any word in the code as well would score thousands of files on common
words such as ``error``: that is what kept a search over 10,000 exemplars
from staying under 10 ms.)

The table is kept in step with the records: the scan calls :func:`sync` after
writing a record and applying retention, the store after a restore, the index
after it was rebuilt from the records; and every search first compares a
signature of the record files (names, sizes, times) with the one the table was
built from, so a record copied in by hand is found too.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import os
import re
import sqlite3
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import Field

from .record import Exemplar, ProjectRecord, newest_scan_records

#: Points a perfect match can add to a score.
RELEVANCE_POINTS = 30.0
#: bm25 weights of the columns path, role, reasons, facts, code.
COLUMN_WEIGHTS = (3.0, 1.0, 2.0, 2.0, 1.0)
#: The columns a query's words are looked for one by one in when too few files hold them all.
FALLBACK_COLUMNS = ("path", "role", "reasons", "facts")

_WORD = re.compile(r"[A-Za-z0-9]+")
#: Words a query may hold that say nothing about code ("a composable that calls an API with ...").
_STOPWORDS = (
    "a an and are as at be by do does for from how i in into is it its me my of on or our show some that the "
    "their them then there these this to uses using want we what when where which while who with you your"
)
STOPWORDS = frozenset(_STOPWORDS.split())
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


def distinct_words(code: str) -> str:
    """Each word of ``code`` once (identifiers split), in order of first use: what the code column indexes.

    A file's code says ``const`` and ``value`` hundreds of times; counting them would make every search
    that names a common word read (and score) long position lists of every file for little gain in rank.
    """
    return " ".join(dict.fromkeys(_WORD.findall(split_identifiers(code))))


def query_terms(query: str | None) -> list[str]:
    """The words of a query, identifiers split, lower case, in order, each once; one-letter words and
    :data:`STOPWORDS` left out."""
    seen: dict[str, None] = {}
    for w in _WORD.findall(split_identifiers(query or "")):
        if len(w) > 1 and w.lower() not in STOPWORDS:
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
            dimensions TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX search_docs_project ON search_docs (project)")
    # apart from what ranking reads, so that ranking thousands of matches reads small rows only
    db.execute("CREATE TABLE search_blobs (rowid INTEGER PRIMARY KEY, exemplar TEXT NOT NULL, content TEXT NOT NULL)")
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
        gone = [p for p in have if p not in newest]
        changed = [(p, r) for p, r in newest.items() if have.get(p) != r.id]
        for project in gone:
            _drop(db, project)
        for project, record in changed:
            _drop(db, project)
            written += _insert(db, record)
        if signature is not None:
            db.execute("INSERT OR REPLACE INTO search_state VALUES ('signature', ?)", (signature,))
        if gone or changed:  # what a Ranking in memory holds is out of date
            db.execute("INSERT OR REPLACE INTO search_state VALUES ('generation', ?)", (uuid.uuid4().hex,))
    return written


def _drop(db: sqlite3.Connection, project: str) -> None:
    rows = [r[0] for r in db.execute("SELECT rowid FROM search_docs WHERE project=?", (project,))]
    db.executemany("DELETE FROM search_fts WHERE rowid=?", [(r,) for r in rows])
    db.executemany("DELETE FROM search_blobs WHERE rowid=?", [(r,) for r in rows])
    db.execute("DELETE FROM search_docs WHERE project=?", (project,))


def _insert(db: sqlite3.Connection, record: ProjectRecord) -> int:
    n = 0
    for ex in record.patterns.exemplars:
        code = record.code(ex.path)
        cur = db.execute(
            "INSERT INTO search_docs (record_id, project, path, role, overall, dimensions) VALUES (?,?,?,?,?,?)",
            (record.id, record.projectName, ex.path, ex.role, ex.overall, json.dumps(ex.dimensions)),
        )
        db.execute("INSERT INTO search_blobs VALUES (?,?,?)", (cur.lastrowid, ex.model_dump_json(), code))
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
                distinct_words(code),
            ),
        )
        n += 1
    return n


@dataclass(frozen=True, slots=True)
class _Doc:
    project: str
    path: str
    role: str
    overall: float
    dimensions: dict[str, float]


@dataclass
class Ranking:
    """What ranking reads of every exemplar (small: no code), kept in memory while the table is unchanged."""

    generation: str = ""
    docs: dict[int, _Doc] = field(default_factory=dict)

    def current(self, db: sqlite3.Connection) -> Ranking:
        """Itself, reloaded first when the table changed since it was read."""
        row = db.execute("SELECT value FROM search_state WHERE key='generation'").fetchone()
        generation = str(row[0]) if row else ""
        if generation != self.generation or not generation:
            rows = db.execute("SELECT rowid, project, path, role, overall, dimensions FROM search_docs")
            self.docs = {r[0]: _Doc(r[1], r[2], r[3], float(r[4]), json.loads(r[5])) for r in rows}
            self.generation = generation
        return self


def search(
    db: sqlite3.Connection,
    query: str | None = None,
    *,
    role: str | None = None,
    dimension: str | None = None,
    min_score: float | None = None,
    limit: int = 10,
    ranking: Ranking | None = None,
) -> list[SearchHit]:
    """Exemplars best first by the rank above; ``role``, ``dimension`` and ``min_score`` filter.

    ``ranking`` is a :class:`Ranking` to reuse between calls on one connection (a new one is read otherwise).
    """
    docs = (ranking or Ranking()).current(db).docs
    terms = query_terms(query)
    limit = max(0, limit)

    def rank(matches: Iterable[tuple[int, float]]) -> dict[int, tuple[float, str, str, int]]:
        """(-rank, project, path, rowid) of each match that passes the filters (the loop every search runs)."""
        out = {}
        get = docs.get
        for rowid, b in matches:
            doc = get(rowid)
            if doc is None or (role and doc.role != role):
                continue
            value = doc.dimensions.get(dimension) if dimension else doc.overall
            if value is None or (min_score is not None and value < min_score):
                continue
            # -bm25 / (1 - bm25) = r / (1 + r) with r = -bm25
            out[rowid] = (-(value + RELEVANCE_POINTS * b / (b - 1)), doc.project, doc.path, rowid)
        return out

    if not terms:
        ranked = rank((rowid, 0.0) for rowid in docs)
    else:
        weights = ", ".join(map(str, COLUMN_WEIGHTS))
        sql = f"SELECT rowid, bm25(search_fts, {weights}) FROM search_fts WHERE search_fts MATCH ?"
        quoted = ['"' + t + '"' for t in terms]
        ranked = rank(db.execute(sql, (" ".join(quoted),)))
        if len(terms) > 1 and len(ranked) < limit:
            # too few files hold every word: add those whose path, role, reasons or facts hold any of them
            anyword = f"{{{' '.join(FALLBACK_COLUMNS)}}} : ({' OR '.join(quoted)})"
            for rowid, key in rank(db.execute(sql, (anyword,))).items():
                ranked[rowid] = min(key, ranked.get(rowid, key))
    best = heapq.nsmallest(limit, ranked.values())
    if not best:
        return []
    marks = ",".join("?" * len(best))
    rows = {
        r[0]: r
        for r in db.execute(
            f"SELECT d.rowid, d.record_id, b.exemplar, b.content FROM search_docs d "
            f"JOIN search_blobs b ON b.rowid = d.rowid WHERE d.rowid IN ({marks})",
            [key[3] for key in best],
        )
    }
    return [
        SearchHit(
            **json.loads(rows[rowid][2]),
            id=rows[rowid][1],
            projectName=docs[rowid].project,
            content=rows[rowid][3],
            rank=round(-neg_rank, 1),
        )
        for neg_rank, _, _, rowid in best
        if rowid in rows
    ]
