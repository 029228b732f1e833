"""MCP tools and resources over the BestCase store and the scorer.

Every tool takes a pydantic-validated input and most return a typed model (the
tool's output schema). Any problem with the caller's input, or with a record on
disk, comes back as an MCP tool error with a message; nothing a client sends
can make the server read or write outside the storage folder.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Annotated

import anyio
from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ResourceError, ToolError
from mcp_types import Resource as MCPResource
from pydantic import BaseModel, Field, StringConstraints

from .. import (
    BestcaseError,
    BestCaseStorage,
    FileScore,
    ProjectRecord,
    Scorer,
    Settings,
    load_settings,
    new_record_id,
    sanitize_project,
    validate_id,
)
from ..clock import iso
from ..record import SAVED_SOURCE, Patterns, RecordFile, RecordMetadata, newest_scan_records
from ..search import SearchHit
from ..status import ScanStatus, scan_status

log = logging.getLogger(__name__)

# --- limits on what a client may send -----------------------------------------------------

MAX_FILES = 50
MAX_FILE_CHARS = 200_000
MAX_TOTAL_CHARS = 2_000_000
MAX_SNIPPET_CHARS = 256 * 1024

Name = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^[^\x00]+$")]
Category = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
RelPath = Annotated[str, StringConstraints(min_length=1, max_length=300, pattern=r"^[^\x00\\]+$")]
Tag = Annotated[str, StringConstraints(min_length=1, max_length=50, pattern=r"^[^\x00]+$")]
RecordId = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class SaveFile(BaseModel):
    path: RelPath = Field(description="the file's path in its project, e.g. composables/useCart.ts")
    content: Annotated[str, StringConstraints(max_length=MAX_FILE_CHARS)]
    purpose: Annotated[str, StringConstraints(max_length=500)] = ""


class RecordSummary(BaseModel):
    id: str
    projectName: str
    category: str
    description: str
    projectScore: float | None = None
    tier: str | None = None
    exemplars: int = 0
    files: int = 0
    tags: list[str] = Field(default_factory=list)
    createdAt: str
    model: str | None = None
    saved: bool = Field(False, description="saved by hand with save_bestcase, not written by a scan")


class RecordList(BaseModel):
    records: list[RecordSummary] = Field(description="scan records: by default the newest of each project")
    saved: list[RecordSummary] = Field(
        default_factory=list, description="records saved by hand with save_bestcase, newest first"
    )
    unreadable: list[str] = Field(default_factory=list, description="store files that could not be read")


class Saved(BaseModel):
    id: str
    path: str


class SearchResults(BaseModel):
    results: list[SearchHit]


def _summary(r: ProjectRecord) -> RecordSummary:
    p = r.patterns
    return RecordSummary(
        id=r.id,
        projectName=r.projectName,
        category=r.category,
        description=r.description,
        projectScore=p.projectScore,
        tier=p.tier,
        exemplars=len(p.exemplars),
        files=len(r.files),
        tags=r.metadata.tags,
        createdAt=r.metadata.createdAt,
        model=p.model,
        saved=not r.from_scan,
    )


class _Service:
    """State shared by the tools: the store, the settings, and the lazily loaded scorer."""

    def __init__(self, settings: Settings, storage: Path) -> None:
        self.settings = settings
        self.store = BestCaseStorage(storage)
        self._scorer: Scorer | None = None
        self._scorer_lock = threading.Lock()

    def scorer(self) -> Scorer:
        with self._scorer_lock:
            if self._scorer is None:
                self._scorer = Scorer(settings=self.settings)
            return self._scorer

    @property
    def scorer_loaded(self) -> bool:
        return self._scorer is not None


def _tool_error(exc: BestcaseError) -> ToolError:
    return ToolError(str(exc))


class BestcaseMCPServer(MCPServer):
    """An MCPServer that also lists one ``bestcase://<id>`` resource per record."""

    service: _Service

    async def list_resources(self) -> list[MCPResource]:
        base = await super().list_resources()
        records = await anyio.to_thread.run_sync(self.service.store.list)
        return base + [
            MCPResource(
                uri=f"bestcase://{r.id}",
                name=r.id,
                title=f"{r.projectName} ({r.category})",
                description=r.description[:300],
                mime_type="application/json",
            )
            for r in records
        ]


def build_server(settings: Settings | None = None, storage: Path | None = None) -> BestcaseMCPServer:
    """The MCP server over a store (default: the settings' storage folder)."""
    settings = settings or load_settings()
    store_path = Path(storage) if storage else settings.storage_for(settings.projects_path)
    service = _Service(settings, store_path)
    server = BestcaseMCPServer(
        name="bestcase",
        instructions=(
            "Your team's best Nuxt/Vue/TypeScript files, scored by a local model. Use search_bestcases to find "
            "exemplary code to imitate (e.g. 'composable that calls an API with error handling'), load_bestcase "
            "for a project's record, score_code to score the file you are writing."
        ),
    )
    server.service = service

    @server.tool()
    def list_bestcases(
        project: Name | None = None,
        tag: Tag | None = None,
        min_score: Annotated[float, Field(ge=0, le=100)] | None = None,
        limit: Annotated[int, Field(ge=1, le=500)] = 50,
        all_versions: bool = False,
    ) -> RecordList:
        """BestCase records, newest first: by default the newest scan record of each project.

        Records saved by hand (save_bestcase) are listed apart, under ``saved``.
        Scores and tiers only, no file contents (load_bestcase has those).
        """
        records, problems = service.store.scan_records()
        scanned = [r for r in records if r.from_scan] if all_versions else newest_scan_records(records)

        def keep(rs: list[ProjectRecord]) -> list[RecordSummary]:
            out = []
            for r in rs:
                s = _summary(r)
                if project and r.projectName != project and sanitize_project(r.projectName) != project:
                    continue
                if tag and tag not in s.tags:
                    continue
                if min_score is not None and (s.projectScore is None or s.projectScore < min_score):
                    continue
                out.append(s)
            return out[:limit]

        return RecordList(
            records=keep(scanned),
            saved=keep([r for r in records if not r.from_scan]),
            unreadable=[p.file for p in problems],
        )

    @server.tool()
    def load_bestcase(
        id: RecordId | None = None,
        projectName: Name | None = None,
        category: Category | None = None,
    ) -> ProjectRecord:
        """One record with its exemplar files: by ``id``, or the newest of ``projectName`` (and ``category``)."""
        try:
            if id:
                return service.store.load(validate_id(id))
            if not projectName:
                raise ToolError("Give an id (from list_bestcases) or a projectName.")
            record = service.store.latest(projectName, category)
            if record is None:
                for r in service.store.list():
                    if sanitize_project(r.projectName) == projectName:
                        record = service.store.latest(r.projectName, category)
                        break
            if record is None:
                raise ToolError(
                    f"No BestCase record for project {projectName!r}"
                    + (f" in category {category!r}" if category else "")
                    + "; see list_bestcases."
                )
            return record
        except BestcaseError as exc:
            raise _tool_error(exc) from None

    @server.tool()
    def save_bestcase(
        projectName: Name,
        category: Category,
        description: Annotated[str, StringConstraints(max_length=2000)],
        files: Annotated[list[SaveFile], Field(min_length=1, max_length=MAX_FILES)],
        tags: Annotated[list[Tag], Field(max_length=20)] | None = None,
    ) -> Saved:
        """Save a BestCase record (the seed's save_bestcase); written atomically, returns its id and path."""
        total = sum(len(f.content) for f in files)
        if total > MAX_TOTAL_CHARS:
            raise ToolError(f"files hold {total} characters in all; the limit is {MAX_TOTAL_CHARS}.")
        for f in files:
            if f.path.startswith("/") or ".." in f.path.split("/"):
                raise ToolError(f"file path {f.path!r} must be relative to its project, without '..'.")

        def make(ms: int) -> ProjectRecord:
            stamp = iso(ms)
            return ProjectRecord(
                id=new_record_id(projectName, category, ms),
                projectName=projectName,
                category=category,
                description=description,
                files=[RecordFile(**f.model_dump()) for f in files],
                patterns=Patterns(source=SAVED_SOURCE),
                metadata=RecordMetadata(createdAt=stamp, updatedAt=stamp, tags=list(tags or [])),
            )

        try:  # a new id every time: a save never overwrites another record
            record, path = service.store.create(make)
        except BestcaseError as exc:
            raise _tool_error(exc) from None
        return Saved(id=record.id, path=str(path))

    @server.tool()
    def search_bestcases(
        query: Annotated[str, StringConstraints(max_length=500)] | None = None,
        role: Annotated[str, StringConstraints(max_length=40)] | None = None,
        dimension: Annotated[str, StringConstraints(max_length=40)] | None = None,
        min_score: Annotated[float, Field(ge=0, le=100)] | None = None,
        limit: Annotated[int, Field(ge=1, le=100)] = 10,
    ) -> SearchResults:
        """Exemplar files across all projects, best first, with code, scores and reasons.

        ``role``: page, component, composable, store, layout, middleware, plugin, server route, util.
        ``dimension``: rank by one dimension (errorHandling, typeUsage, apiConnection, ...).
        """
        try:
            hits = service.store.search(query, role=role, dimension=dimension, min_score=min_score, limit=limit)
        except BestcaseError as exc:
            raise _tool_error(exc) from None
        return SearchResults(results=hits)

    @server.tool()
    async def score_code(
        content: Annotated[str, StringConstraints(min_length=1, max_length=MAX_SNIPPET_CHARS)],
        filename: RelPath,
        ctx: Context,
    ) -> FileScore:
        """Score a snippet or the file being edited; ``filename`` (pages/x.vue) sets its role.

        Returns the scores, the facts behind them with their lines, and which judge scored it.
        With the hybrid judge the model loads on the first call and stays loaded.
        """
        if not service.scorer_loaded:
            await ctx.report_progress(0, 3, "loading the model")
        try:
            scorer = await anyio.to_thread.run_sync(service.scorer)
            await ctx.report_progress(1, 3, "scoring")
            result = await anyio.to_thread.run_sync(scorer.score_text, content, filename)
        except BestcaseError as exc:
            raise _tool_error(exc) from None
        await ctx.report_progress(3, 3, "done")
        return result

    @server.tool(name="scan_status")
    def scan_status_tool() -> ScanStatus:
        """The last scan's summary and time, the model, whether a scan runs now, and the store's size."""
        return scan_status(settings, service.store, service.scorer().load_report if service.scorer_loaded else None)

    @server.resource(
        "bestcase://latest/{project}",
        mime_type="application/json",
        description="The newest record of a project (its name with / as -, or URL-encoded)",
    )
    def latest_resource(project: str) -> str:
        record = service.store.latest(project)
        if record is None:
            record = next((r for r in service.store.list() if sanitize_project(r.projectName) == project), None)
            if record is not None:
                record = service.store.latest(record.projectName)
        if record is None:
            raise ResourceError(f"No BestCase record for project {project!r}.")
        return record.model_dump_json(indent=2)

    @server.resource("bestcase://{id}", mime_type="application/json", description="One BestCase record by id")
    def record_resource(id: str) -> str:
        try:
            return service.store.load(id).model_dump_json(indent=2)
        except BestcaseError as exc:
            raise ResourceError(str(exc)) from None

    return server
