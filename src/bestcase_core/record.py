"""The record bestcase writes to ``<storage>/<id>.json``: typed, versioned, with a published JSON Schema.

The seed's fields stay where the seed put them (``id, projectName, category,
description, files[{path, content, purpose}], patterns{...}, metadata{createdAt,
updatedAt, tags[]}``); bestcase's own data lives inside ``patterns``
(:class:`Patterns`), and ``schemaVersion`` says which shape of it a file has.

Every reader and writer of records goes through these models: the scan writes
them, the store loads them, the search, the report and the MCP server read them.
A file without ``schemaVersion`` was written before it existed (version 0: the
same fields, all of them optional) and loads as it is. A file from a newer
bestcase is refused with a message saying so. Fields this version does not know
are kept, so a record saved again loses nothing.

``docs/record.schema.json`` is generated from these models::

    python -m bestcase_core.record --schema > docs/record.schema.json
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .clock import iso_ms
from .judge import Reasons
from .practices import Practice

__all__ = [
    "SCAN_CATEGORY",
    "SCHEMA_VERSION",
    "Exemplar",
    "FailedEntry",
    "FileScoreSummary",
    "Patterns",
    "ProjectRecord",
    "RecordFile",
    "RecordMetadata",
    "newest_scan_records",
    "record_json_schema",
]

#: The shape of records this bestcase writes. 0: written before records carried a version.
SCHEMA_VERSION = 1
#: The category of the records a scan writes; retention touches only these.
SCAN_CATEGORY = "auto-scan"
#: ``patterns.source`` of a record saved by hand through MCP's ``save_bestcase``.
SAVED_SOURCE = "save_bestcase"


class RecordFile(BaseModel):
    """One file quoted in a record (the seed's ``files[]``): an exemplar's code as it was scored."""

    model_config = ConfigDict(extra="allow")
    path: str = Field(description="the file's path in its project")
    content: str
    purpose: str = ""


class RecordMetadata(BaseModel):
    """The seed's ``metadata``."""

    model_config = ConfigDict(extra="allow")
    createdAt: str = Field(description="ISO 8601, UTC")
    updatedAt: str = Field(description="ISO 8601, UTC")
    tags: list[str] = Field(default_factory=list)


class FileScoreSummary(BaseModel):
    """One scored file in ``patterns.fileScores``: enough to rank it and to rebuild the index from it."""

    model_config = ConfigDict(extra="allow")
    path: str
    role: str
    overall: float
    grade: str | None = None
    dimensions: dict[str, float] = Field(default_factory=dict)
    exemplar: bool = False
    teaching: float = 0.0
    judge: str | None = None
    parse: str = "full"
    truncated: bool = False
    sha256: str | None = Field(None, description="of the bytes that were scored; lets a damaged index be rebuilt")
    codeLines: int | None = Field(None, description="logic and template lines read; weighs it in codeScore")


class Exemplar(BaseModel):
    """One exemplar in ``patterns.exemplars``; its code is the ``files[]`` entry with the same path."""

    model_config = ConfigDict(extra="allow")
    path: str
    role: str
    overall: float
    dimensions: dict[str, float] = Field(default_factory=dict)
    teaching: float = 0.0
    judge: str | None = None
    reasons: Reasons | None = None
    facts: list[str] = Field(
        default_factory=list, description="the Nuxt/Vue patterns the parser saw in it (empty in version 0)"
    )


class FailedEntry(BaseModel):
    """A file the scan could not score, and why."""

    model_config = ConfigDict(extra="allow")
    path: str
    reason: str


class Patterns(BaseModel):
    """The seed's free-form ``patterns``, as bestcase fills it. Every field is optional: a record saved by
    hand holds only ``source``; one written by the seed's own tool may hold fields of its own (kept)."""

    model_config = ConfigDict(extra="allow")
    source: str | None = Field(None, description="'save_bestcase' for a record saved by hand")
    projectScore: float | None = Field(None, description="codeScore, with a tenth given to the practices found")
    codeScore: float | None = Field(
        None, description="the mean of the files' scores, each drawn towards 50 by how little code it holds"
    )
    practices: list[Practice] = Field(
        default_factory=list, description="lint, typecheck, tests, ci, updates: found or not, and where"
    )
    tier: str | None = None
    grade: str | None = None
    model: str | None = None
    judge: str | None = None
    rubricVersion: str | None = None
    scannedAt: str | None = None
    exemplarThreshold: float | None = None
    dimensionAverages: dict[str, float] = Field(default_factory=dict)
    fileScores: list[FileScoreSummary] = Field(default_factory=list)
    exemplars: list[Exemplar] = Field(default_factory=list)
    failed: list[FailedEntry] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _lists_of_objects(cls, data: Any) -> Any:
        """Version 0 (and the seed) never checked these lists: entries that are not objects are left out."""
        if isinstance(data, dict):
            data = dict(data)
            for key in ("fileScores", "exemplars", "failed", "practices"):
                value = data.get(key)
                if value is None:
                    data.pop(key, None)
                elif isinstance(value, list):
                    data[key] = [x for x in value if isinstance(x, (dict, BaseModel))]
        return data


class ProjectRecord(BaseModel):
    """One record: the seed's shape plus ``schemaVersion``; fields it does not know are kept as they are."""

    model_config = ConfigDict(extra="allow")
    schemaVersion: int = Field(
        SCHEMA_VERSION, ge=0, description=f"the record's shape; this bestcase writes {SCHEMA_VERSION}"
    )
    id: str
    projectName: str
    category: str
    description: str = ""
    files: list[RecordFile] = Field(default_factory=list)
    patterns: Patterns = Field(default_factory=Patterns)
    metadata: RecordMetadata

    @field_validator("schemaVersion")
    @classmethod
    def _known_version(cls, version: int) -> int:
        if version > SCHEMA_VERSION:
            raise ValueError(
                f"written by a newer bestcase (schemaVersion {version}; this one reads up to "
                f"{SCHEMA_VERSION}); upgrade bestcase to read it"
            )
        return version

    @classmethod
    def from_json(cls, raw: bytes | str) -> ProjectRecord:
        """A record file's contents; a file without ``schemaVersion`` (written before it existed) is version 0."""
        record = cls.model_validate_json(raw)
        if "schemaVersion" not in record.model_fields_set:
            record.schemaVersion = 0
        return record

    @property
    def created_ms(self) -> int:
        return iso_ms(self.metadata.createdAt) or _id_ms(self.id)

    @property
    def from_scan(self) -> bool:
        """Written by a scan (not saved by hand through ``save_bestcase``)."""
        return self.category == SCAN_CATEGORY and self.patterns.source != SAVED_SOURCE

    def code(self, path: str) -> str:
        """The quoted code of ``path`` ("" when the record does not quote it)."""
        return next((f.content for f in self.files if f.path == path), "")

    def to_json(self) -> bytes:
        """The file's bytes: indented JSON; ``patterns`` fields never set (a saved record's) are left out."""
        unset = set(Patterns.model_fields) - self.patterns.model_fields_set
        return self.model_dump_json(indent=2, exclude={"patterns": unset} if unset else None).encode("utf-8")


def _id_ms(record_id: str) -> int:
    m = re.search(r"-(\d{12,})$", record_id)
    return int(m.group(1)) if m else 0


def newest_scan_records(records: Iterable[ProjectRecord]) -> list[ProjectRecord]:
    """The newest scan record of each project, from records sorted newest first (hand-saved ones left out)."""
    seen: set[str] = set()
    out = []
    for r in records:
        if r.from_scan and r.projectName not in seen:
            seen.add(r.projectName)
            out.append(r)
    return out


def record_json_schema() -> dict[str, Any]:
    """The JSON Schema of a record file (what ``docs/record.schema.json`` holds)."""
    schema = ProjectRecord.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema, "title": "bestcase record"}


def schema_text() -> str:
    return json.dumps(record_json_schema(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args != ["--schema"]:
        print("usage: python -m bestcase_core.record --schema > docs/record.schema.json", file=sys.stderr)
        return 2
    sys.stdout.write(schema_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
