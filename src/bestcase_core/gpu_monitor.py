"""GPU monitoring through NVML (``nvidia-ml-py``): the seed's "watch nvidia-smi", inside the product.

:class:`GpuSampler` runs around a scan: a background thread reads, every
``interval`` seconds, the GPU's utilisation and the VRAM this process holds
(matched on ``os.getpid()`` in NVML's process lists). :func:`gpu_snapshot`
takes one such reading for ``doctor`` and ``scan_status``. Both give a
:class:`GpuReport`; without NVML or without a device it says so in one line
and nothing raises.

Utilisation is the device's (NVML has no per-process figure every driver
gives); VRAM is this process's own. In a container whose PID namespace hides
the host's PIDs (or on drivers that do not give per-process memory) NVML
reports none as ours: the report then says so.
"""

from __future__ import annotations

import contextlib
import os
import threading
from typing import Any

from pydantic import BaseModel

MIB = 1024 * 1024

# The highest VRAM this process was seen holding, over every reading in it.
_peak_lock = threading.Lock()
_process_peak_mib: float | None = None


class GpuReport(BaseModel):
    """What NVML said about the GPU and this process; ``available`` False with a ``note`` when there is none."""

    available: bool
    note: str = ""
    name: str | None = None
    layers_offloaded: str | None = None  # "N/M" from the loaded engine (or "N/M planned"); None: no model loaded
    pid: int | None = None
    vram_used_mib: float | None = None  # this process, at the last reading; None: NVML does not list it
    vram_peak_mib: float | None = None  # this process, the highest reading
    utilisation_mean: float | None = None  # percent of the device, over the samples
    utilisation_max: float | None = None
    samples: int = 0

    def line(self) -> str:
        """The report in one line, for the scan summary and ``doctor``."""
        if not self.available:
            return self.note
        parts = [self.name or "NVIDIA GPU", f"layers {self.layers_offloaded or 'none (no model loaded)'}"]
        if self.vram_used_mib is None and self.vram_peak_mib is None:
            parts.append(f"VRAM of this process not reported by NVML (pid {self.pid})")
        else:
            used = "-" if self.vram_used_mib is None else f"{self.vram_used_mib:.0f}"
            peak = "-" if self.vram_peak_mib is None else f"{self.vram_peak_mib:.0f}"
            parts.append(f"VRAM {used} MiB (peak {peak} MiB)")
        if self.samples and self.utilisation_mean is not None:
            parts.append(
                f"utilisation mean {self.utilisation_mean:.0f}%, max {self.utilisation_max:.0f}% "
                f"({self.samples} sample{'s' if self.samples != 1 else ''})"
            )
        line = "; ".join(parts)
        return f"{line}; {self.note}" if self.note else line


def layers_offloaded(load_report: Any) -> str | None:
    """``"N/M"`` from an engine's :class:`~bestcase_core.engine.LoadReport`, or None when no model is loaded."""
    if load_report is None:
        return None
    return f"{load_report.gpu_layers}/{load_report.total_layers}"


def _one_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


class _Nvml:
    """An NVML session: ``handles`` of every device, or ``note`` saying why there are none."""

    def __init__(self) -> None:
        self.lib: Any = None
        self.handles: list[Any] = []
        self.names: list[str] = []
        self.note = ""
        try:
            import pynvml
        except ImportError:
            self.note = "no GPU report: nvidia-ml-py is not installed (pip install nvidia-ml-py)"
            return
        try:
            pynvml.nvmlInit()
        except Exception as exc:  # NVMLError, or whatever a broken driver install raises: a report, not a crash
            self.note = f"no NVIDIA GPU: NVML is not available ({_one_line(exc)})"
            return
        self.lib = pynvml
        try:
            count = int(pynvml.nvmlDeviceGetCount())
            self.handles = [pynvml.nvmlDeviceGetHandleByIndex(i) for i in range(count)]
            self.names = [_text(pynvml.nvmlDeviceGetName(h)) for h in self.handles]
        except Exception as exc:
            self.note = f"no NVIDIA GPU: NVML could not list the devices ({_one_line(exc)})"
            self.handles = []
        if not self.handles and not self.note:
            self.note = "no NVIDIA GPU: NVML sees no device"

    @property
    def ok(self) -> bool:
        return bool(self.handles)

    def close(self) -> None:
        if self.lib is not None:
            with contextlib.suppress(Exception):
                self.lib.nvmlShutdown()
            self.lib = None

    def read(self, pid: int) -> tuple[float | None, list[int], float | None]:
        """This process's VRAM in MiB (None when NVML gives none), the devices it is on, their highest utilisation %."""
        nvml = self.lib
        used = 0
        known = False
        on: list[int] = []
        for i, handle in enumerate(self.handles):
            procs = [*nvml.nvmlDeviceGetComputeRunningProcesses(handle)]
            with contextlib.suppress(nvml.NVMLError):  # not every device or driver lists graphics processes
                procs += nvml.nvmlDeviceGetGraphicsRunningProcesses(handle)
            seen: set[int] = set()  # a process on both lists holds its memory once
            for p in procs:
                if int(p.pid) != pid:
                    continue
                if i not in on:
                    on.append(i)
                if i not in seen and p.usedGpuMemory is not None:  # None: NVML_VALUE_NOT_AVAILABLE
                    used += int(p.usedGpuMemory)
                    known = True
                    seen.add(i)
        devices = on or [0]
        util = max(float(nvml.nvmlDeviceGetUtilizationRates(self.handles[i]).gpu) for i in devices)
        return (used / MIB if known else None), on, util


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _note_peak(mib: float | None) -> float | None:
    global _process_peak_mib
    with _peak_lock:
        if mib is not None and (_process_peak_mib is None or mib > _process_peak_mib):
            _process_peak_mib = mib
        return _process_peak_mib


class GpuSampler:
    """Samples the GPU on a background thread while in its ``with`` block; :meth:`report` sums it up.

    >>> with GpuSampler() as gpu:            # doctest: +SKIP
    ...     run_the_scan()
    >>> gpu.report("25/25").line()           # doctest: +SKIP
    'NVIDIA GeForce GTX 1060 6GB; layers 25/25; VRAM 1210 MiB (peak 1242 MiB); utilisation mean 61%, max 97% ...'
    """

    def __init__(self, interval: float | None = 0.5, pid: int | None = None) -> None:
        self.interval = interval
        self.pid = os.getpid() if pid is None else pid
        self.utilisation: list[float] = []
        self.vram_mib: list[float] = []
        self.last_vram_mib: float | None = None
        self.devices: list[int] = []
        self.error = ""
        self._nvml: _Nvml | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> GpuSampler:
        self._nvml = _Nvml()
        if self._nvml.ok:
            self.sample()
            if self.interval is not None:
                self._thread = threading.Thread(target=self._run, name="bestcase-gpu-sampler", daemon=True)
                self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
            self.sample()  # the state at the end
        if self._nvml is not None:
            self._nvml.close()

    def _run(self) -> None:
        assert self.interval is not None
        while not self._stop.wait(self.interval):
            self.sample()

    def sample(self) -> None:
        """One reading; a failed one is noted in the report, never raised."""
        nvml = self._nvml
        if nvml is None or not nvml.ok or nvml.lib is None:
            return
        try:
            mib, on, util = nvml.read(self.pid)
        except Exception as exc:  # a driver hiccup must not stop a scan
            self.error = f"a GPU reading failed: {_one_line(exc)}"
            return
        self.last_vram_mib = mib
        if mib is not None:
            self.vram_mib.append(mib)
            _note_peak(mib)
        for i in on:
            if i not in self.devices:
                self.devices.append(i)
        if util is not None:
            self.utilisation.append(util)

    def report(self, layers: str | None) -> GpuReport:
        """The readings summed up; ``layers`` is what :func:`layers_offloaded` gave for the loaded engine."""
        nvml = self._nvml
        if nvml is None:
            return GpuReport(available=False, note="no GPU report: the GPU was not sampled")
        if not nvml.ok:
            return GpuReport(available=False, note=nvml.note)
        names = [nvml.names[i] for i in self.devices or [0]]
        util = self.utilisation
        return GpuReport(
            available=True,
            note=self.error,
            name=" + ".join(names),
            layers_offloaded=layers,
            pid=self.pid,
            vram_used_mib=None if self.last_vram_mib is None else round(self.last_vram_mib, 1),
            vram_peak_mib=round(max(self.vram_mib), 1) if self.vram_mib else None,
            utilisation_mean=round(sum(util) / len(util), 1) if util else None,
            utilisation_max=max(util) if util else None,
            samples=len(util),
        )


def gpu_snapshot(layers: str | None = None) -> GpuReport:
    """One reading now, for ``doctor`` and ``scan_status``; the peak is the highest seen in this process."""
    with GpuSampler(interval=None) as sampler:
        pass
    report = sampler.report(layers)
    if report.available:
        peak = _note_peak(report.vram_used_mib)
        report.vram_peak_mib = None if peak is None else round(peak, 1)
    return report
