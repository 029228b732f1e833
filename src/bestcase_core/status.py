"""The state of a store and its scans, as ``bestcase status`` and the MCP tool ``scan_status`` report it.

One function, :func:`scan_status`, for both doors.
"""

from __future__ import annotations

import contextlib
from typing import Any

from pydantic import BaseModel, Field

from .gpu_monitor import GpuReport, gpu_snapshot, layers_offloaded
from .index import last_scan
from .settings import Settings
from .store import BestCaseStorage


class StoreInfo(BaseModel):
    path: str
    exists: bool
    records: int
    projects: int
    bytes: int


class ScanStatus(BaseModel):
    model: str
    judge: str
    scan_running: bool
    last_scan: dict[str, Any] | None
    store: StoreInfo
    gpu: GpuReport = Field(description="the GPU and this process's VRAM now; the last scan's own is in its summary")


def scan_status(settings: Settings, store: BestCaseStorage, load_report: Any = None) -> ScanStatus:
    """The last scan's summary and time, the model, whether a scan runs now, the store's size and the GPU.

    ``load_report`` is the loaded engine's (the MCP server passes its own), for the layers offloaded.
    """
    records, _ = store.scan_records()
    size = 0
    with contextlib.suppress(OSError):  # the folder may go, or a file leave, while it is summed
        for p in store.path.iterdir():
            with contextlib.suppress(OSError):
                size += p.stat().st_size if p.is_file() else 0
    return ScanStatus(
        model=settings.model_name(),
        judge=settings.judge,
        scan_running=store.scan_running(),
        last_scan=last_scan(store.path),
        store=StoreInfo(
            path=str(store.path),
            exists=store.path.is_dir(),
            records=len(records),
            projects=len({r.projectName for r in records}),
            bytes=size,
        ),
        gpu=gpu_snapshot(layers_offloaded(load_report)),
    )
