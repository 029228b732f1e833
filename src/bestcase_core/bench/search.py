"""How long ``search_bestcases`` takes over a large store: p50 and p95 over many queries.

    python -m bestcase_core.bench.search [--exemplars 10000] [--per-project 50] [--queries 300]
                                         [--source DIR ...] [--doc docs/benchmarks.md]

The store is synthetic, its exemplars are not: every real ``.vue``/``.ts``/``.js`` file
under the sources (default: the example workspace and the npm corpus in ``.cache/npm``)
is scored once by the static judge, and the ones with something to teach become
exemplars, copied round-robin into projects of ``--per-project`` exemplars each until
there are ``--exemplars``. Records are written by the scan's own ``build_record`` into
a temporary store. A query is timed through :meth:`BestCaseStorage.search`, the call the
MCP tool makes (records' signature check included); queries are identifiers and words
taken from the files, some with a role or a dimension.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shlex
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import TypedDict

from ..discovery import Project
from ..errors import BestcaseError
from ..index import IndexedFile, ScanIndex
from ..judge import TEACHING_MIN
from ..record import ProjectRecord
from ..rubric import RUBRIC_VERSION
from ..scan import build_record
from ..schema import FileScore
from ..scorer import Scorer
from ..settings import load_settings
from ..store import BestCaseStorage
from .markdown import write_section
from .run import machine

EXTENSIONS = (".vue", ".ts", ".js")
SKIP = re.compile(r"node_modules|\.d\.ts$|\.min\.js$|/dist/|\.(spec|test)\.")
DIMENSIONS = ("errorHandling", "typeUsage", "apiConnection", "structure")
#: What an agent asks for (the MCP server's instructions give the first as the example).
AGENT_QUERIES = (
    "composable that calls an API with error handling",
    "useFetch",
    "pinia store with actions",
    "typed props and emits",
    "form validation",
    "v-for with key",
    "server route that reads the body",
    "auth middleware redirect",
    "useAsyncData error",
    "computed state",
    "watch route query",
    "useFetchUsers",
    "dark mode toggle",
    "pagination",
    "modal dialog",
    "search input debounce",
    "toast notification",
    "layout header navigation",
    "fetch-users",
    "date_format",
)


@dataclass
class SearchFigures:
    exemplars: int
    projects: int
    distinct_files: int
    queries: int
    build_seconds: float
    first_sync_seconds: float
    p50_ms: float
    p95_ms: float
    max_ms: float
    mean_hits: float


def real_files(sources: list[Path]) -> list[tuple[str, str]]:
    """(path, text) of every source file under ``sources``, path kept from its role folder on."""
    out: dict[str, str] = {}
    for src in sources:
        if not src.is_dir():
            continue
        for p in sorted(src.rglob("*")):
            if not p.name.endswith(EXTENSIONS) or SKIP.search(p.as_posix()) or not p.is_file():
                continue
            try:
                text = p.read_text("utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            if 200 < len(text) < 64_000:
                out[p.relative_to(src).as_posix()] = text
    return sorted(out.items())


def exemplar_pool(files: list[tuple[str, str]]) -> list[tuple[str, str, FileScore]]:
    """The files the static judge finds something to teach in, with their scores."""
    scorer = Scorer(judge="static")
    pool = []
    for rel, text in files:
        parts = rel.split("/")
        short = "/".join(parts[-3:])  # components/ui/Button.vue, not the package's folders
        try:
            score = scorer.score_text(text, short)
        except BestcaseError:
            continue
        if score.teaching >= TEACHING_MIN:
            pool.append((short, text, score))
    return pool


def build_store(folder: Path, pool: list[tuple[str, str, FileScore]], n: int, per_project: int) -> int:
    """Write records holding ``n`` exemplars in all; returns the number of projects."""
    store = BestCaseStorage(folder)
    settings = load_settings(judge="static", exemplar_threshold=0)
    projects = (n + per_project - 1) // per_project
    k = 0
    for p in range(projects):
        rows: list[IndexedFile] = []
        texts: dict[str, str] = {}
        for _ in range(min(per_project, n - k)):
            rel, text, score = pool[k % len(pool)]
            rel = f"{rel.rsplit('.', 1)[0]}-{k}.{rel.rsplit('.', 1)[1]}"  # one path per copy
            rows.append(
                IndexedFile(
                    f"p{p}", rel, "0" * 64, "static", RUBRIC_VERSION, score.model_copy(update={"path": rel}), ""
                )
            )
            texts[rel] = text
            k += 1
        project = Project(f"app-{p:04d}", folder / "nowhere", True)
        ms = 1_800_000_000_000 + p
        record = build_record(project, rows, [], settings, texts.get, ms)
        assert record is not None
        store.create(partial(_same, record), ms)
    return projects


def _same(record: ProjectRecord, _ms: int) -> ProjectRecord:
    return record


class Query(TypedDict, total=False):
    query: str
    role: str
    dimension: str


def queries(pool: list[tuple[str, str, FileScore]], n: int, seed: int = 7) -> list[Query]:
    """Half what an agent asks (:data:`AGENT_QUERIES`), half words from the files; a third with a role,
    a sixth ranked by a dimension."""
    rng = random.Random(seed)
    words = sorted({w for _, text, _ in pool for w in re.findall(r"\b[a-zA-Z][a-zA-Z]{3,24}\b", text)})
    roles = sorted({s.role.value for _, _, s in pool})
    out: list[Query] = []
    for i in range(n):
        text = AGENT_QUERIES[(i // 2) % len(AGENT_QUERIES)] if i % 2 == 0 else ""
        q: Query = {"query": text or " ".join(rng.sample(words, rng.choice((1, 2, 3))))}
        if i % 3 == 0:
            q["role"] = rng.choice(roles)
        if i % 6 == 1:
            q["dimension"] = rng.choice(DIMENSIONS)
        out.append(q)
    return out


def run_search_bench(
    sources: list[Path], exemplars: int = 10_000, per_project: int = 50, n_queries: int = 300
) -> SearchFigures:
    files = real_files(sources)
    if not files:
        raise SystemExit(f"no source files under {', '.join(map(str, sources))}")
    pool = exemplar_pool(files)
    with tempfile.TemporaryDirectory(prefix="bestcase-search-") as tmp:
        folder = Path(tmp) / "store"
        started = time.perf_counter()
        projects = build_store(folder, pool, exemplars, per_project)
        build = time.perf_counter() - started
        store = BestCaseStorage(folder)
        started = time.perf_counter()
        with ScanIndex(folder) as index:
            store.sync_search(index)
            assert index.db.execute("SELECT count(*) FROM search_docs").fetchone()[0] == exemplars
        first_sync = time.perf_counter() - started
        times: list[float] = []
        hits = 0
        qs = queries(pool, n_queries)
        store.search(**qs[0])  # opens the index once, as a running server has
        for q in qs:
            t0 = time.perf_counter()
            found = store.search(**q, limit=10)
            times.append((time.perf_counter() - t0) * 1000)
            hits += len(found)
    times.sort()
    return SearchFigures(
        exemplars=exemplars,
        projects=projects,
        distinct_files=len(pool),
        queries=len(times),
        build_seconds=round(build, 1),
        first_sync_seconds=round(first_sync, 1),
        p50_ms=round(statistics.median(times), 2),
        p95_ms=round(times[int(0.95 * (len(times) - 1))], 2),
        max_ms=round(times[-1], 2),
        mean_hits=round(hits / len(times), 1),
    )


def render(f: SearchFigures, command: str) -> str:
    verdict = "met" if f.p50_ms < 10 else "missed"
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"### Search ({machine()})\n\n"
        f"{date.today().isoformat()}; command: `{command}`; load average while it ran: {load} "
        "(other work shared the machine).\n\n"
        f"{f.exemplars:,} exemplars in {f.projects} projects, copies of {f.distinct_files} real files the static "
        f"judge found something to teach in; {f.queries} queries (half what an agent asks, such as "
        f"'composable that calls an API with error handling', half 1-3 words from the files; a third with a "
        f"role, a sixth ranked by a dimension), each through `BestCaseStorage.search`, the MCP tool's call.\n\n"
        "| p50 | p95 | max | hits/query | first index of the records | target p50 < 10 ms |\n"
        "|---|---|---|---|---|---|\n"
        f"| {f.p50_ms} ms | {f.p95_ms} ms | {f.max_ms} ms | {f.mean_hits} | {f.first_sync_seconds} s | "
        f"{verdict} |\n"
    )


def default_sources() -> list[Path]:
    """Real files to copy into the exemplars: the example workspace (in a checkout) and the npm cache."""
    from ..paths import REPO_ROOT, in_checkout
    from .corpus import cache_dir

    return ([REPO_ROOT / "examples" / "workspace"] if in_checkout() else []) + [cache_dir()]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--exemplars", type=int, default=10_000)
    ap.add_argument("--per-project", type=int, default=50)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--source", type=Path, action="append", help="folder of real source files (repeatable)")
    ap.add_argument("--doc", type=Path, help="write the section 'search' of this markdown file")
    args = ap.parse_args(argv)
    sources = args.source or default_sources()
    figures = run_search_bench(sources, args.exemplars, args.per_project, args.queries)
    command = "python -m bestcase_core.bench.search " + shlex.join(sys.argv[1:] if argv is None else argv)
    text = render(figures, command.strip())
    print(text)
    if args.doc:
        write_section(args.doc, "search", text, "# Benchmarks\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
