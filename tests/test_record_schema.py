"""The typed, versioned record: its published JSON Schema, records of earlier versions, and the seed's fields.

Real record files: the ones in tests/data/records-v0 were written by bestcase before records carried a
``schemaVersion`` (a static scan of the example shop, and a record saved by hand through save_bestcase).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from bestcase_core import SCHEMA_VERSION, ProjectRecord, record_json_schema
from bestcase_core.errors import CorruptRecordError
from bestcase_core.index import ScanIndex
from bestcase_core.settings import load_settings
from bestcase_core.store import BestCaseStorage
from conftest import DATA, REPO, copy_example

SCHEMA_FILE = REPO / "docs" / "record.schema.json"
V0 = DATA / "records-v0"
SEED_FIELDS = {"id", "projectName", "category", "description", "files", "patterns", "metadata"}


def _v0_store(tmp_path: Path) -> BestCaseStorage:
    return BestCaseStorage(shutil.copytree(V0, tmp_path / "store"))


def test_the_published_schema_is_generated_from_the_models():
    """Regenerate it with: python -m bestcase_core.record --schema > docs/record.schema.json"""
    assert json.loads(SCHEMA_FILE.read_text()) == record_json_schema(), (
        "docs/record.schema.json is out of date: run python -m bestcase_core.record --schema > docs/record.schema.json"
    )
    out = subprocess.run(
        [sys.executable, "-m", "bestcase_core.record", "--schema"], capture_output=True, text=True, check=True
    )
    assert out.stdout == SCHEMA_FILE.read_text()


def test_a_scan_writes_records_of_this_version_that_the_schema_accepts_with_the_seed_fields_in_place(tmp_path):
    from bestcase_core.scan import run_scan

    root = copy_example(tmp_path / "ws")
    settings = load_settings(judge="static", exemplar_threshold=70)
    summary = run_scan(root, settings, storage=tmp_path / "store", progress=False)
    assert summary.bestcases_written
    schema = json.loads(SCHEMA_FILE.read_text())
    for written in summary.bestcases_written:
        raw = json.loads(Path(written).read_text())
        jsonschema.validate(raw, schema)
        assert raw["schemaVersion"] == SCHEMA_VERSION
        assert set(raw) >= SEED_FIELDS
        assert {"path", "content", "purpose"} <= set(raw["files"][0])
        assert {"createdAt", "updatedAt", "tags"} <= set(raw["metadata"])
        record = ProjectRecord.from_json(Path(written).read_bytes())
        assert record.patterns.exemplars and record.patterns.fileScores
        assert all(e.facts for e in record.patterns.exemplars)  # the parser's patterns, for search
        assert json.loads(record.to_json()) == raw  # what loads is what was written


def test_records_written_before_schema_version_load_with_every_field(tmp_path):
    store = _v0_store(tmp_path)
    records, problems = store.scan_records()
    assert not problems and len(records) == 2
    scan = next(r for r in records if r.from_scan)
    saved = next(r for r in records if not r.from_scan)
    raw = json.loads((V0 / f"{scan.id}.json").read_text())
    assert "schemaVersion" not in raw and scan.schemaVersion == 0 and saved.schemaVersion == 0
    assert [e.path for e in scan.patterns.exemplars] == [e["path"] for e in raw["patterns"]["exemplars"]]
    assert scan.patterns.exemplars[0].reasons is not None
    assert scan.patterns.exemplars[0].reasons.summary == raw["patterns"]["exemplars"][0]["reasons"]["summary"]
    assert [f.sha256 for f in scan.patterns.fileScores] == [f["sha256"] for f in raw["patterns"]["fileScores"]]
    assert scan.patterns.projectScore == raw["patterns"]["projectScore"]
    assert saved.patterns.source == "save_bestcase" and saved.files[0].path == "composables/useCart.ts"
    # saved again, an old record keeps what it said (says it is version 0, gains the empty facts lists
    # and unknown code lines)
    again = json.loads(scan.to_json())
    assert again.pop("schemaVersion") == 0
    assert [e.pop("facts") for e in again["patterns"]["exemplars"]] == [[]] * len(raw["patterns"]["exemplars"])
    assert [f.pop("codeLines") for f in again["patterns"]["fileScores"]] == [None] * len(raw["patterns"]["fileScores"])
    assert again == raw
    assert json.loads(saved.to_json())["patterns"] == {"source": "save_bestcase"}
    # search and the index's rebuild read them too
    hits = store.search("cart")
    assert hits and hits[0].path == "stores/cart.ts" and hits[0].content.startswith("import { defineStore }")
    with ScanIndex(tmp_path / "fresh") as index:
        assert index.rebuild_from_records(records) == len(raw["patterns"]["fileScores"])
        assert index.search("cart")[0].path == "stores/cart.ts"


def test_a_record_from_a_newer_bestcase_is_refused_with_what_to_do(tmp_path):
    store = _v0_store(tmp_path)
    path = next(store.path.glob("*.json"))
    raw = json.loads(path.read_text())
    raw["schemaVersion"] = SCHEMA_VERSION + 1
    path.write_text(json.dumps(raw))
    with pytest.raises(CorruptRecordError, match="newer bestcase.*upgrade bestcase"):
        store.load(path.stem)
    records, problems = store.scan_records()
    assert len(records) == 1 and [p.file for p in problems] == [path.name]


def test_fields_this_version_does_not_know_are_kept(tmp_path):
    store = _v0_store(tmp_path)
    path = next(p for p in store.path.glob("*.json") if "composables" not in p.name)
    raw = json.loads(path.read_text())
    raw["fromTheSeed"] = {"x": 1}
    raw["patterns"]["componentPatterns"] = ["a", "b"]
    raw["patterns"]["exemplars"].append("not an object")  # the seed never checked these lists
    path.write_text(json.dumps(raw))
    record = store.load(path.stem)
    kept = json.loads(record.to_json())
    assert kept["fromTheSeed"] == {"x": 1} and kept["patterns"]["componentPatterns"] == ["a", "b"]
    assert len(record.patterns.exemplars) == len(raw["patterns"]["exemplars"]) - 1
