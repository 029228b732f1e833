"""Exemplar search on the index's FTS5 table: identifiers split, one rank of score and bm25, and the table
kept in step with the records when they are written, retired by retention, restored and rebuilt.

Real records (written by the scan's build_record, or a static scan of the example workspace), real SQLite.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from bestcase_core.index import INDEX_FILE, ScanIndex
from bestcase_core.scan import run_scan
from bestcase_core.search import RELEVANCE_POINTS, query_terms, split_identifiers
from bestcase_core.settings import load_settings
from bestcase_core.store import BestCaseStorage
from conftest import copy_example
from reliability_helpers import saved_record, scan_record

BASE = 1_700_000_000_000


def _static_scan(tmp_path: Path) -> tuple[Path, BestCaseStorage]:
    root = copy_example(tmp_path / "ws")
    run_scan(root, load_settings(judge="static", exemplar_threshold=70), storage=tmp_path / "store", progress=False)
    return root, BestCaseStorage(tmp_path / "store")


def test_identifiers_are_split_in_the_index_and_in_the_query():
    assert split_identifiers("const useFetchUsers = 1") == "const useFetchUsers use Fetch Users = 1"
    assert split_identifiers("parseHTTPResponse") == "parseHTTPResponse parse HTTP Response"
    assert query_terms("useFetchUsers") == ["usefetchusers", "use", "fetch", "users"]
    assert query_terms("fetch-users") == query_terms("fetch_users") == ["fetch", "users"]
    assert query_terms("a composable that calls an API with error handling") == [
        "composable",
        "calls",
        "api",
        "error",
        "handling",
    ]


def test_search_finds_a_camel_case_identifier_by_its_words_and_by_kebab_and_snake_spellings(tmp_path):
    store = BestCaseStorage(tmp_path / "store")
    code = "export function useFetchUsers() {\n  return useFetch('/api/users')\n}\n"
    store.create(lambda ms: scan_record("shop", ms, path="composables/useFetchUsers.ts", content=code), BASE)
    store.create(lambda ms: scan_record("blog", ms, path="utils/slug.ts", content="export const slug = 1\n"), BASE)
    for query in ("useFetchUsers", "fetch users", "fetch-users", "fetch_users", "user"):  # porter: users -> user
        hits = store.search(query)
        assert [h.path for h in hits] == ["composables/useFetchUsers.ts"], query
        assert hits[0].content == code and hits[0].projectName == "shop" and hits[0].reasons is not None
    assert store.search("zzqqxx") == []
    assert {h.path for h in store.search(None)} == {"composables/useFetchUsers.ts", "utils/slug.ts"}


def test_the_rank_is_the_score_plus_at_most_30_points_of_relevance_and_filters_apply(tmp_path):
    _, store = _static_scan(tmp_path)
    everything = store.search(None, limit=100)
    assert everything and all(h.rank == round(h.overall, 1) for h in everything)  # no query: the score alone
    assert [h.rank for h in everything] == sorted((h.rank for h in everything), reverse=True)
    hits = store.search("useFetch", limit=100)
    assert hits and all(round(h.overall, 1) <= h.rank <= h.overall + RELEVANCE_POINTS for h in hits)
    rare = store.search("checkout")  # one file says it: bm25 gives it a relevance worth points
    assert [h.path for h in rare] == ["stores/cart.ts"] and rare[0].rank > rare[0].overall + 1
    assert [h.rank for h in hits] == sorted((h.rank for h in hits), reverse=True)
    assert all("fetch" in (h.content + h.path).lower() for h in hits)
    stores = store.search(None, role="store")
    assert stores and all(h.role == "store" for h in stores)
    # the bar is the median exemplar's errorHandling, so the filter must keep some and drop others
    scored = sorted(h.dimensions["errorHandling"] for h in everything if "errorHandling" in h.dimensions)
    bar = scored[len(scored) // 2]
    handled = store.search(None, dimension="errorHandling", min_score=bar, limit=100)
    assert handled and all(h.dimensions["errorHandling"] >= bar for h in handled)
    assert len(handled) == sum(1 for x in scored if x >= bar) < len(everything)
    assert [h.rank for h in handled] == [round(h.dimensions["errorHandling"], 1) for h in handled]
    assert store.search(None, dimension="noSuchDimension") == []


def test_a_query_whose_words_no_single_file_holds_still_finds_files_by_any_word(tmp_path):
    _, store = _static_scan(tmp_path)
    hits = store.search("cart zzqqxx")  # no file holds both; the paths and reasons hold 'cart'
    assert hits and hits[0].path == "stores/cart.ts"


def test_the_table_follows_new_records_retention_and_hand_copied_records(tmp_path):
    store = BestCaseStorage(tmp_path / "store")
    for i in range(3):
        store.create(lambda ms, i=i: scan_record("shop", ms, content=f"export const version{i} = {i}\n"), BASE + i)
    assert [h.content for h in store.search("version2")] == ["export const version2 = 2\n"]
    assert store.search("version1") == []  # only the newest record of a project is searched
    store.apply_retention("shop", keep=1)
    assert [h.id for h in store.search(None)] == [store.latest("shop").id]
    store.create(lambda ms: saved_record("shop", ms, content="export const handSaved = 1\n"), BASE + 10)
    assert store.search("handSaved") == []  # records saved by hand are not searched
    # a record copied into the folder by hand (another machine's scan) is found by the next search
    other = BestCaseStorage(tmp_path / "other")
    _, path = other.create(lambda ms: scan_record("blog", ms, content="export const copiedIn = 1\n"), BASE + 20)
    shutil.copy(path, store.path / path.name)
    assert [h.projectName for h in store.search("copiedIn")] == ["blog"]
    (store.path / path.name).unlink()
    assert store.search("copiedIn") == []


def _indexed_records(storage: Path) -> set[str]:
    with ScanIndex(storage) as index:  # read directly: no search has synced anything
        return {r[0] for r in index.db.execute("SELECT DISTINCT record_id FROM search_docs")}


def test_a_scan_restore_and_rebuild_keep_the_table_in_step(tmp_path):
    root, store = _static_scan(tmp_path)
    newest = {r.id for r in store.latest_per_project()}
    assert _indexed_records(store.path) == newest  # the scan synced it as it wrote
    before = [(h.projectName, h.path, h.rank) for h in store.search("error", limit=50)]
    assert before
    store.backup(tmp_path / "backup")
    # a scan that writes new records (a lower threshold) replaces the rows of its projects
    run_scan(root, load_settings(judge="static", exemplar_threshold=60), storage=store.path, progress=False)
    after = {r.id for r in store.latest_per_project()}
    assert after.isdisjoint(newest) and _indexed_records(store.path) == after
    # restore: the backup's records and index come back, and search says what they say
    fresh = BestCaseStorage(tmp_path / "restored")
    fresh.restore(tmp_path / "backup")
    assert _indexed_records(fresh.path) == newest
    records_only = Path(shutil.copytree(tmp_path / "backup", tmp_path / "records-only"))
    (records_only / INDEX_FILE).unlink()
    BestCaseStorage(tmp_path / "restored-2").restore(records_only)
    assert _indexed_records(tmp_path / "restored-2") == newest  # the restore filled it from the records
    assert [(h.projectName, h.path, h.rank) for h in fresh.search("error", limit=50)] == before
    # a damaged index is rebuilt from the records, search table included
    (fresh.path / INDEX_FILE).write_bytes(b"not a database at all" * 100)
    with ScanIndex(fresh.path, repair=True) as index:
        assert index.rebuilt
        index.rebuild_from_records(fresh.list())
        assert [(h.projectName, h.path, h.rank) for h in index.search("error", limit=50)] == before


def test_a_store_whose_index_cannot_be_opened_is_searched_in_memory(tmp_path):
    _, store = _static_scan(tmp_path)
    expected = [(h.path, h.rank) for h in store.search("useFetch")]
    copy = Path(shutil.copytree(store.path, tmp_path / "copy", ignore=shutil.ignore_patterns("index.sqlite*")))
    (copy / INDEX_FILE).mkdir()  # not a file SQLite can open, whoever runs the test
    assert [(h.path, h.rank) for h in BestCaseStorage(copy).search("useFetch")] == expected
    assert (copy / INDEX_FILE).is_dir()


def test_search_hits_carry_the_records_exemplar_fields_without_redeclaring_them(tmp_path):
    from bestcase_core.record import Exemplar
    from bestcase_core.search import SearchHit

    assert issubclass(SearchHit, Exemplar)
    assert set(SearchHit.model_fields) - set(Exemplar.model_fields) == {"id", "projectName", "content", "rank"}
    _, store = _static_scan(tmp_path)
    hit = store.search("cart")[0]
    record = json.loads(next(store.path.glob("00.common-shop-nuxt3-*.json")).read_text())
    exemplar = next(e for e in record["patterns"]["exemplars"] if e["path"] == hit.path)
    assert hit.model_dump(include=set(exemplar)) == exemplar


def test_the_search_benchmark_measures_queries_over_a_store_it_builds(tmp_path):
    from bestcase_core.bench.search import render, run_search_bench
    from conftest import EXAMPLE

    figures = run_search_bench([EXAMPLE], exemplars=120, per_project=50, n_queries=20)
    assert figures.exemplars == 120 and figures.projects == 3 and figures.queries == 20
    assert 0 < figures.p50_ms <= figures.p95_ms <= figures.max_ms
    assert figures.mean_hits > 0
    assert "| p50 | p95 |" in render(figures, "python -m bestcase_core.bench.search")
