"""What GPU there is: llama.cpp's offload support, the visible cards and the VRAM budget to plan for.

Standard library only (``pynvml`` and ``llama_cpp`` are optional imports): the build step uses it
before the package's dependencies are installed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from typing import Literal

#: The seed's card: a GTX 1060 with 6 GB.
GTX1060_VRAM_MB = 6144

BudgetSource = Literal["setting", "nvml", "nvidia-smi", "gtx1060-profile"]


@dataclass(frozen=True)
class VramBudget:
    mb: int
    source: BudgetSource
    gpu_name: str | None = None


def gpu_offload_supported() -> bool:
    """Whether this llama-cpp-python build can put layers on a GPU."""
    try:
        import llama_cpp
    except ImportError:
        return False
    return bool(llama_cpp.llama_supports_gpu_offload())


def llama_cpp_version() -> str | None:
    try:
        import llama_cpp
    except ImportError:
        return None
    return str(getattr(llama_cpp, "__version__", "unknown"))


def _nvml_free() -> tuple[int, str] | None:
    try:
        import pynvml  # optional: nvidia-ml-py
    except ImportError:
        return None
    try:
        pynvml.nvmlInit()
        try:
            handle = pynvml.nvmlDeviceGetHandleByIndex(0)
            mem = pynvml.nvmlDeviceGetMemoryInfo(handle)
            name = pynvml.nvmlDeviceGetName(handle)
            return int(mem.free) // (1024 * 1024), name.decode() if isinstance(name, bytes) else str(name)
        finally:
            pynvml.nvmlShutdown()
    except Exception:  # no driver, no device
        return None


def nvidia_smi(*fields: str) -> list[list[str]]:
    """One row per visible NVIDIA GPU of ``nvidia-smi --query-gpu=<fields>``; none without a driver."""
    exe = shutil.which("nvidia-smi")
    if exe is None:
        return []
    try:
        out = subprocess.run(
            [exe, f"--query-gpu={','.join(fields)}", "--format=csv,noheader,nounits"],
            capture_output=True,
            text=True,
            timeout=15,
        )
    except (OSError, subprocess.TimeoutExpired):
        return []
    if out.returncode != 0:
        return []
    rows = [[cell.strip() for cell in line.split(",", len(fields) - 1)] for line in out.stdout.splitlines()]
    return [row for row in rows if len(row) == len(fields)]


def visible_gpu_compute_caps() -> list[str]:
    """Compute capabilities of visible NVIDIA GPUs (``["8.9"]``), or none."""
    return [row[0] for row in nvidia_smi("compute_cap") if re.fullmatch(r"\d+\.\d+", row[0])]


def _smi_free() -> tuple[int, str] | None:
    rows = nvidia_smi("memory.free", "name")
    if not rows:
        return None
    free, name = rows[0]
    try:
        return int(float(free)), name
    except ValueError:
        return None


def detect_vram_budget(setting_mb: int | None) -> VramBudget:
    """The budget to plan for: the setting, else a visible GPU's free memory, else 6144."""
    if setting_mb is not None:
        return VramBudget(setting_mb, "setting")
    found = _nvml_free()
    if found is not None:
        return VramBudget(found[0], "nvml", found[1])
    found = _smi_free()
    if found is not None:
        return VramBudget(found[0], "nvidia-smi", found[1])
    return VramBudget(GTX1060_VRAM_MB, "gtx1060-profile")
