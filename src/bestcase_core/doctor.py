"""One command for the seed's troubleshooting list: "GPU at 0%", "it runs on the CPU", "model missing"."""

from __future__ import annotations

import time
from pathlib import Path

from pydantic import BaseModel

from .build import auto_preset, rebuild_command
from .errors import BestcaseError, ModelIntegrityError, ModelNotFoundError
from .fetch import resolve_model
from .gpu import gpu_offload_supported, llama_cpp_version, visible_gpu_compute_caps
from .gpu_monitor import GpuReport, gpu_snapshot
from .offload import OffloadPlan, make_plan
from .paths import in_checkout
from .registry import is_file_model, model_path
from .settings import Settings


class Problem(BaseModel):
    problem: str
    fix: str


class LoadCheck(BaseModel):
    ok: bool
    seconds: float | None = None
    gpu_layers_reported: int | None = None
    total_layers_reported: int | None = None
    gpu_buffers_mib: dict[str, float] = {}
    error: str | None = None


class DoctorReport(BaseModel):
    model: str
    path: str
    present: bool
    sha256_ok: bool | None
    llama_cpp_version: str | None
    gpu_offload_supported: bool
    gpu_visible: bool
    system_info: str | None = None
    plan: OffloadPlan | None = None
    load: LoadCheck | None = None
    gpu: GpuReport
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems


def _fetch_cmd(name: str) -> str:
    return f"bestcase fetch {name}"


def diagnose(settings: Settings, *, load: bool = False) -> DoctorReport:
    """Check the build, the model file, the offload plan and, with ``load``, a real load."""
    name = settings.model_name()
    problems: list[Problem] = []
    version = llama_cpp_version()
    offload = gpu_offload_supported()
    gpu_visible = bool(visible_gpu_compute_caps())
    system_info = None
    if version is None:
        fix = "python3 scripts/bootstrap.py" if in_checkout() else rebuild_command(auto_preset())
        problems.append(Problem(problem="llama-cpp-python is not installed.", fix=fix))
    else:
        import llama_cpp

        system_info = bytes(llama_cpp.llama_print_system_info()).decode("utf-8", "replace").strip()
    if gpu_visible and not offload and version is not None:
        problems.append(
            Problem(
                problem="A GPU is visible but this llama-cpp-python build cannot offload: everything runs on the CPU "
                "(the seed's 'GPU sits at 0%').",
                fix=f"{rebuild_command('cuda-pascal')}   (GTX 1060; needs CUDA 12.x); "
                "or the cuda preset for newer cards",
            )
        )

    path = model_path(name, settings.models_dir)
    present = path.is_file()
    sha_ok: bool | None = None
    plan: OffloadPlan | None = None
    try:
        resolve_model(name, settings.models_dir)
        sha_ok = True
    except ModelNotFoundError as exc:
        problems.append(
            Problem(
                problem=str(exc),
                fix=_fetch_cmd(name) if not is_file_model(name) else "check the path given to --model / LLM_MODEL",
            )
        )
    except ModelIntegrityError as exc:
        sha_ok = False
        problems.append(Problem(problem=str(exc), fix=f"rm {path} && {_fetch_cmd(name)}"))
    except BestcaseError as exc:
        problems.append(Problem(problem=str(exc), fix="give a valid .gguf model or a registry name"))

    if sha_ok:
        plan = make_plan(path, settings)
        if offload and not plan.full_offload:
            problems.append(
                Problem(
                    problem=plan.reason,
                    fix="set BESTCASE_CTX lower or BESTCASE_KV_TYPE=q8_0, or choose a smaller model with --model",
                )
            )

    check: LoadCheck | None = None
    if load and sha_ok and plan is not None and version is not None:
        check = _load(path, settings, plan)
        if not check.ok:
            problems.append(
                Problem(problem=f"The model did not load: {check.error}", fix=f"rm {path} && {_fetch_cmd(name)}")
            )
        elif offload and (check.gpu_layers_reported or 0) < plan.n_gpu_layers:
            problems.append(
                Problem(
                    problem=f"llama.cpp put {check.gpu_layers_reported} layers on the GPU; the plan asked for "
                    f"{plan.n_gpu_layers}.",
                    fix="check free VRAM with nvidia-smi; set BESTCASE_VRAM_MB to what is really free",
                )
            )
    layers: str | None = None  # what the GPU report shows: llama.cpp's count after --load, else the plan's
    if check is not None and check.ok:
        layers = f"{check.gpu_layers_reported}/{check.total_layers_reported}"
    elif plan is not None:
        layers = f"{plan.n_gpu_layers}/{plan.n_layers} planned"
    return DoctorReport(
        model=name,
        path=str(path),
        present=present,
        sha256_ok=sha_ok,
        llama_cpp_version=version,
        gpu_offload_supported=offload,
        gpu_visible=gpu_visible,
        system_info=system_info,
        plan=plan,
        load=check,
        gpu=gpu_snapshot(layers),
        problems=problems,
    )


def _load(path: Path, settings: Settings, plan: OffloadPlan) -> LoadCheck:
    from .engine_cache import get_engine

    started = time.perf_counter()
    try:
        engine = get_engine(path, settings, plan)
    except BestcaseError as exc:
        return LoadCheck(ok=False, error=str(exc).splitlines()[0])
    rep = engine.load_report
    return LoadCheck(
        ok=True,
        seconds=round(time.perf_counter() - started, 2),
        gpu_layers_reported=rep.gpu_layers,
        total_layers_reported=rep.total_layers,
        gpu_buffers_mib=rep.gpu_buffers_mib,
    )


def render(report: DoctorReport) -> str:
    """The short human report; it ends with what to do about each problem."""
    lines = [
        f"model        {report.model}",
        f"file         {report.path} ({'present' if report.present else 'missing'})",
        f"sha256       {'ok' if report.sha256_ok else 'not checked' if report.sha256_ok is None else 'MISMATCH'}",
        f"llama.cpp    {report.llama_cpp_version or 'not installed'}; GPU offload "
        f"{'built in' if report.gpu_offload_supported else 'not built in'}; "
        f"GPU {'visible' if report.gpu_visible else 'not visible'}",
    ]
    if report.plan is not None:
        lines.append(f"plan         {report.plan.summary()}")
        lines.append(
            f"             budget from {report.plan.budget_source}, context {report.plan.n_ctx}, "
            f"KV {report.plan.kv_type}"
        )
    if report.load is not None:
        if report.load.ok:
            lines.append(
                f"load         ok in {report.load.seconds} s; llama.cpp reports "
                f"{report.load.gpu_layers_reported}/{report.load.total_layers_reported} layers on the GPU"
            )
        else:
            lines.append(f"load         FAILED: {report.load.error}")
    lines.append(f"gpu          {report.gpu.line()}")
    if report.problems:
        lines.append("")
        lines.append("What to do:")
        for p in report.problems:
            lines.append(f"- {p.problem}")
            lines.append(f"  -> {p.fix}")
    else:
        lines.append("")
        lines.append("No problems found.")
    return "\n".join(lines)
