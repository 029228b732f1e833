"""GPU monitoring: the one-line "no GPU" reports through the real commands, and the sampler on a stand-in NVML.

No machine these tests run on here has an NVIDIA GPU, so the sampler's maths,
the per-process VRAM match and the report's format are checked against
NVML's functions replaced in ``pynvml`` (tests named ``test_fake_nvml_...``).
On a machine with a GPU the ``test_no_gpu_...`` test skips and
``scripts/gpu_check.sh`` exercises the real thing.
"""

from __future__ import annotations

import json
import os
import time
from types import SimpleNamespace

import anyio
import pynvml
import pytest
from mcp import Client

from bestcase_core import gpu_monitor
from bestcase_core.doctor import DoctorReport, render
from bestcase_core.gpu_monitor import GpuSampler, gpu_snapshot
from bestcase_core.mcp import build_server
from bestcase_core.settings import load_settings
from conftest import TEST_MODEL, copy_example, run_script

MIB = 1024 * 1024


def _assert_no_gpu_line(gpu: dict) -> None:
    assert gpu["available"] is False
    note = gpu["note"]
    assert note.startswith("no ") and "GPU" in note and "\n" not in note
    assert gpu["name"] is None and gpu["vram_used_mib"] is None and gpu["samples"] == 0


def test_no_gpu_doctor_scan_summary_and_scan_status_each_say_so_in_one_line(tmp_path):
    if gpu_snapshot().available:
        pytest.skip("this machine has an NVIDIA GPU; scripts/gpu_check.sh covers it")
    env = {"BESTCASE_MODELS_DIR": str(tmp_path / "no-models")}  # doctor reports without hashing a model

    doctor = run_script("doctor.py", "--model", TEST_MODEL, "--json", env=env)
    assert "Traceback" not in doctor.stderr
    report = json.loads(doctor.stdout)
    _assert_no_gpu_line(report["gpu"])
    human = render(DoctorReport.model_validate(report))  # what doctor prints without --json
    assert [ln for ln in human.splitlines() if ln.startswith("gpu ")] == [f"gpu          {report['gpu']['note']}"]

    root = copy_example(tmp_path / "ws")
    storage = tmp_path / "store"
    scanned = run_script("scan.py", "--root", str(root), "--storage", str(storage), "--judge", "static")
    assert scanned.returncode == 0, scanned.stderr
    assert f"  gpu              {report['gpu']['note']}\n" in scanned.stdout

    server = build_server(load_settings(judge="static"), storage)

    async def status() -> dict:
        async with Client(server) as client:
            return (await client.call_tool("scan_status", {})).structured_content

    got = anyio.run(status)
    _assert_no_gpu_line(got["gpu"])
    _assert_no_gpu_line(got["last_scan"]["summary"]["gpu"])  # the scan's own summary, as --json prints it


class FakeNvml:
    """Two devices; this process on device 1. Each reading takes the next utilisation and VRAM value."""

    def __init__(self, utilisation: list[int], vram_mib: list[int | None], *, listed: bool = True) -> None:
        self.utilisation = utilisation
        self.vram_mib = vram_mib
        self.listed = listed
        self.reads = 0
        self.inits = 0
        self.shutdowns = 0

    def install(self, monkeypatch) -> None:
        for name in (
            "nvmlInit",
            "nvmlShutdown",
            "nvmlDeviceGetCount",
            "nvmlDeviceGetHandleByIndex",
            "nvmlDeviceGetName",
            "nvmlDeviceGetComputeRunningProcesses",
            "nvmlDeviceGetGraphicsRunningProcesses",
            "nvmlDeviceGetUtilizationRates",
        ):
            monkeypatch.setattr(pynvml, name, getattr(self, name))  # raises if pynvml has no such function
        monkeypatch.setattr(gpu_monitor, "_process_peak_mib", None)

    def nvmlInit(self) -> None:
        self.inits += 1

    def nvmlShutdown(self) -> None:
        self.shutdowns += 1

    def nvmlDeviceGetCount(self) -> int:
        return 2

    def nvmlDeviceGetHandleByIndex(self, i: int) -> str:
        return f"dev{i}"

    def nvmlDeviceGetName(self, handle: str) -> bytes | str:
        return b"NVIDIA GeForce GTX 1060 6GB" if handle == "dev1" else "NVIDIA T400"

    def _index(self) -> int:
        return min(self.reads, len(self.vram_mib) - 1)

    def nvmlDeviceGetComputeRunningProcesses(self, handle: str) -> list[SimpleNamespace]:
        other = SimpleNamespace(pid=os.getpid() + 1, usedGpuMemory=5000 * MIB)  # another process: not ours
        if handle == "dev0" or not self.listed:
            return [other]
        mib = self.vram_mib[self._index()]
        return [other, SimpleNamespace(pid=os.getpid(), usedGpuMemory=None if mib is None else mib * MIB)]

    def nvmlDeviceGetGraphicsRunningProcesses(self, handle: str) -> list[SimpleNamespace]:
        if handle == "dev0":
            raise pynvml.NVMLError(pynvml.NVML_ERROR_NOT_SUPPORTED)
        return self.nvmlDeviceGetComputeRunningProcesses(handle)  # listed on both: its memory counts once

    def nvmlDeviceGetUtilizationRates(self, handle: str) -> SimpleNamespace:
        if handle == "dev0":
            return SimpleNamespace(gpu=3, memory=0)  # the device this process is not on: not its utilisation
        value = self.utilisation[min(self.reads, len(self.utilisation) - 1)]
        self.reads += 1  # the last call of a reading
        return SimpleNamespace(gpu=value, memory=0)


def test_fake_nvml_sampler_mean_max_peak_and_this_process_vram(monkeypatch):
    nvml = FakeNvml(utilisation=[10, 50, 90, 30], vram_mib=[100, 300, 200, 250])
    nvml.install(monkeypatch)
    with GpuSampler(interval=None) as gpu:  # readings taken by hand: one on entry, three here
        for _ in range(3):
            gpu.sample()
    report = gpu.report("25/25")
    assert nvml.inits == nvml.shutdowns == 1
    assert report.available and report.name == "NVIDIA GeForce GTX 1060 6GB"
    assert report.pid == os.getpid() and report.layers_offloaded == "25/25"
    assert (report.utilisation_mean, report.utilisation_max, report.samples) == (45.0, 90.0, 4)
    assert (report.vram_used_mib, report.vram_peak_mib) == (250.0, 300.0)
    assert report.line() == (
        "NVIDIA GeForce GTX 1060 6GB; layers 25/25; VRAM 250 MiB (peak 300 MiB); "
        "utilisation mean 45%, max 90% (4 samples)"
    )
    # doctor and scan_status read once; the peak is the process's highest reading so far
    nvml.vram_mib, nvml.utilisation, nvml.reads = [120], [7], 0
    now = gpu_snapshot("25/25")
    assert (now.vram_used_mib, now.vram_peak_mib, now.utilisation_mean, now.samples) == (120.0, 300.0, 7.0, 1)
    assert now.line().endswith("VRAM 120 MiB (peak 300 MiB); utilisation mean 7%, max 7% (1 sample)")


def test_fake_nvml_background_thread_samples_until_the_scan_ends(monkeypatch):
    nvml = FakeNvml(utilisation=[20, 60], vram_mib=[400, 800])
    nvml.install(monkeypatch)
    with GpuSampler(interval=0.01) as gpu:
        deadline = time.monotonic() + 10
        while nvml.reads < 5 and time.monotonic() < deadline:
            time.sleep(0.01)
    taken = nvml.reads
    time.sleep(0.05)
    assert nvml.reads == taken >= 5  # the thread stopped with the block
    report = gpu.report(None)
    assert report.samples == taken and report.utilisation_max == 60
    assert report.utilisation_mean == round((20 + 60 * (taken - 1)) / taken, 1)
    assert (report.vram_used_mib, report.vram_peak_mib) == (800.0, 800.0)
    assert "layers none (no model loaded)" in report.line()


def test_fake_nvml_unreported_vram_failed_readings_and_no_device_are_one_line(monkeypatch):
    nvml = FakeNvml(utilisation=[5], vram_mib=[100], listed=False)  # e.g. a container's PID namespace
    nvml.install(monkeypatch)
    report = gpu_snapshot(None)
    assert report.name == "NVIDIA T400" and report.vram_used_mib is None and report.vram_peak_mib is None
    assert f"VRAM of this process not reported by NVML (pid {os.getpid()})" in report.line()

    nvml = FakeNvml(utilisation=[5], vram_mib=[None])  # listed, but the driver gives no per-process memory
    nvml.install(monkeypatch)
    assert gpu_snapshot(None).vram_used_mib is None

    def broken(handle):
        raise pynvml.NVMLError(pynvml.NVML_ERROR_GPU_IS_LOST)

    nvml = FakeNvml(utilisation=[5], vram_mib=[100])
    nvml.install(monkeypatch)
    monkeypatch.setattr(pynvml, "nvmlDeviceGetUtilizationRates", broken)
    with GpuSampler(interval=0.01) as gpu:
        time.sleep(0.05)
    line = gpu.report("25/25").line()
    assert "\n" not in line and line.endswith("a GPU reading failed: GPU is lost")

    monkeypatch.setattr(pynvml, "nvmlDeviceGetCount", lambda: 0)
    assert gpu_snapshot().line() == "no NVIDIA GPU: NVML sees no device"

    def no_library():
        raise pynvml.NVMLError(pynvml.NVML_ERROR_LIBRARY_NOT_FOUND)

    monkeypatch.setattr(pynvml, "nvmlInit", no_library)
    assert gpu_snapshot().line() == "no NVIDIA GPU: NVML is not available (NVML Shared Library Not Found)"
