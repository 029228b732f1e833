"""bestcase: find a team's best Nuxt/Vue/TypeScript files with a local model, serve them over MCP.

The public API is what this module exports; everything else may move.
Heavy parts (the model, the MCP SDK) load on first use, so ``import bestcase_core``
works before llama-cpp-python is installed; when it is, its libraries load first (see below).
"""

from __future__ import annotations

import sys
from importlib import import_module
from importlib.util import find_spec
from typing import TYPE_CHECKING, Any

# llama.cpp's libraries load before numpy's: in the other order, a CUDA build of llama-cpp-python
# 0.3.36 crashed (SIGSEGV) loading layers onto an H100 (scripts/gpu_check.sh, 2026-11-27).
if "numpy" not in sys.modules and "llama_cpp" not in sys.modules and find_spec("llama_cpp") is not None:
    import llama_cpp

from .errors import (
    BestcaseError,
    BuildError,
    ConfigError,
    CorruptRecordError,
    FetchError,
    InputFileError,
    InvalidIdError,
    InvalidModelFileError,
    ModelIntegrityError,
    ModelLoadError,
    ModelNotFoundError,
    RecordNotFoundError,
    StorageError,
    UnknownModelError,
    WorkspaceError,
)

__version__ = "0.1.0"

_LAZY: dict[str, str] = {
    "Settings": "settings",
    "load_settings": "settings",
    "ModelSpec": "registry",
    "get_model": "registry",
    "list_models": "registry",
    "default_model_name": "registry",
    "ensure_model": "fetch",
    "resolve_model": "fetch",
    "GGUFInfo": "gguf_info",
    "read_gguf_info": "gguf_info",
    "OffloadPlan": "offload",
    "plan_offload": "offload",
    "VramBudget": "gpu",
    "detect_vram_budget": "gpu",
    "gpu_offload_supported": "gpu",
    "GpuReport": "gpu_monitor",
    "GpuSampler": "gpu_monitor",
    "gpu_snapshot": "gpu_monitor",
    "Practice": "practices",
    "find_practices": "practices",
    "project_score": "practices",
    "code_score": "practices",
    "Engine": "engine",
    "Scorer": "scorer",
    "make_plan": "offload",
    "FileScore": "schema",
    "Reasons": "judge",
    "FileFacts": "analysis",
    "Finding": "analysis",
    "analyze": "analysis",
    "is_exemplar": "judge",
    "teaching_value": "judge",
    "Role": "roles",
    "role_for_path": "roles",
    "RUBRIC_VERSION": "rubric",
    "DIMENSIONS": "rubric",
    "DoctorReport": "doctor",
    "diagnose": "doctor",
    "BestCaseStorage": "store",
    "BestCaseRecord": "store",
    "ProjectRecord": "record",
    "Patterns": "record",
    "Exemplar": "record",
    "FileScoreSummary": "record",
    "FailedEntry": "record",
    "RecordFile": "record",
    "RecordMetadata": "record",
    "SCHEMA_VERSION": "record",
    "record_json_schema": "record",
    "SearchHit": "search",
    "sanitize_project": "store",
    "validate_id": "store",
    "new_record_id": "store",
    "run_scan": "scan",
    "plan_scan": "scan",
    "ScanSummary": "scan",
    "run_ray_scan": "ray_scan",
    "RayOptions": "ray_scan",
    "last_scan": "index",
    "ScanIndex": "index",
    "find_projects": "discovery",
    "ScanStatus": "status",
    "scan_status": "status",
}

__all__ = [
    "BestcaseError",
    "BuildError",
    "ConfigError",
    "CorruptRecordError",
    "FetchError",
    "InputFileError",
    "InvalidIdError",
    "InvalidModelFileError",
    "ModelIntegrityError",
    "ModelLoadError",
    "ModelNotFoundError",
    "RecordNotFoundError",
    "StorageError",
    "UnknownModelError",
    "WorkspaceError",
    "__version__",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'bestcase_core' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


if TYPE_CHECKING:
    from .analysis import FileFacts, Finding, analyze
    from .discovery import find_projects
    from .doctor import DoctorReport, diagnose
    from .engine import Engine
    from .fetch import ensure_model, resolve_model
    from .gguf_info import GGUFInfo, read_gguf_info
    from .gpu import VramBudget, detect_vram_budget, gpu_offload_supported
    from .gpu_monitor import GpuReport, GpuSampler, gpu_snapshot
    from .index import ScanIndex, last_scan
    from .judge import Reasons, is_exemplar, teaching_value
    from .offload import OffloadPlan, make_plan, plan_offload
    from .practices import Practice, code_score, find_practices, project_score
    from .ray_scan import RayOptions, run_ray_scan
    from .record import (
        SCHEMA_VERSION,
        Exemplar,
        FailedEntry,
        FileScoreSummary,
        Patterns,
        ProjectRecord,
        RecordFile,
        RecordMetadata,
        record_json_schema,
    )
    from .registry import ModelSpec, default_model_name, get_model, list_models
    from .roles import Role, role_for_path
    from .rubric import DIMENSIONS, RUBRIC_VERSION
    from .scan import ScanSummary, plan_scan, run_scan
    from .schema import FileScore
    from .scorer import Scorer
    from .search import SearchHit
    from .settings import Settings, load_settings
    from .status import ScanStatus, scan_status
    from .store import BestCaseRecord, BestCaseStorage, new_record_id, sanitize_project, validate_id
