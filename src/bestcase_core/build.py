"""Turning a ``CMakePresets.json`` preset into a llama-cpp-python build.

scikit-build-core, llama-cpp-python's build backend, does not read CMake presets,
so a preset's ``cacheVariables`` become ``CMAKE_ARGS`` here. Refusals (no nvcc,
Pascal with CUDA 13) come from the preset's ``vendor.bestcase`` block, so the
presets file stays the one place that says what each build needs.

This module uses the standard library only: it runs before the package's
dependencies are installed.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import shlex
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import BuildError, ConfigError
from .gpu import visible_gpu_compute_caps
from .paths import in_checkout, package_file

#: The presets: ``CMakePresets.json`` at the checkout's top level, shipped inside the wheel.
PRESETS_FILE = package_file("CMakePresets.json")
_PIN_RE = re.compile(r"""["']llama-cpp-python==([0-9][^"';\s]*)["']""")


@dataclass(frozen=True)
class Preset:
    name: str
    cache_variables: dict[str, str]
    needs_nvcc: bool = False
    nvcc_max_major: int | None = None
    arch: str | None = None  # machine (``platform.machine()``) the preset is limited to
    description: str = ""
    hidden: bool = False

    @property
    def cuda(self) -> bool:
        return self.cache_variables.get("GGML_CUDA", "OFF").upper() in ("ON", "1", "TRUE")

    @property
    def cuda_architectures(self) -> list[str]:
        raw = self.cache_variables.get("CMAKE_CUDA_ARCHITECTURES", "")
        return [a for a in raw.split(";") if a]


def load_presets(path: Path = PRESETS_FILE) -> dict[str, Preset]:
    """Every configure preset, with ``inherits`` resolved."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"Cannot read {path}: {exc}") from exc
    raw: dict[str, dict[str, Any]] = {p["name"]: p for p in data.get("configurePresets", [])}

    def resolve(name: str, seen: tuple[str, ...] = ()) -> tuple[dict[str, object], dict[str, object]]:
        """(cacheVariables, vendor.bestcase) of a preset, parents first."""
        if name in seen:
            raise ConfigError(f"{path}: preset {name!r} inherits itself")
        p = raw[name]
        cache: dict[str, object] = {}
        vendor: dict[str, object] = {}
        parents = p.get("inherits", [])
        for parent in [parents] if isinstance(parents, str) else parents:
            base_cache, base_vendor = resolve(parent, (*seen, name))
            cache.update(base_cache)
            vendor.update(base_vendor)
        cache.update(p.get("cacheVariables", {}))
        vendor.update(p.get("vendor", {}).get("bestcase", {}))
        return cache, vendor

    presets = {}
    for name, p in raw.items():
        cache, vendor = resolve(name)
        max_major = vendor.get("nvcc_max_major")
        arch = vendor.get("arch")
        presets[name] = Preset(
            name=name,
            cache_variables={k: str(v["value"] if isinstance(v, dict) else v) for k, v in cache.items()},
            needs_nvcc=bool(vendor.get("needs_nvcc", False)),
            nvcc_max_major=max_major if isinstance(max_major, int) else None,
            arch=arch if isinstance(arch, str) else None,
            description=str(p.get("description", "")),
            hidden=bool(p.get("hidden", False)),
        )
    return presets


def get_preset(name: str, path: Path = PRESETS_FILE) -> Preset:
    presets = load_presets(path)
    visible = [n for n, p in presets.items() if not p.hidden]
    if name not in presets or presets[name].hidden:
        raise ConfigError(f"No build preset {name!r}. Choose one of: {', '.join(visible)} (see CMakePresets.json).")
    return presets[name]


def cmake_args(preset: Preset, cuda_arch: str | None = None) -> str:
    """The ``CMAKE_ARGS`` string for a preset (``-DKEY=VALUE``, sorted)."""
    cache = dict(preset.cache_variables)
    if cuda_arch is not None:
        if not preset.cuda:
            raise ConfigError(f"--cuda-arch only applies to CUDA presets, not {preset.name!r}.")
        cache["CMAKE_CUDA_ARCHITECTURES"] = cuda_arch
    return " ".join(shlex.quote(f"-D{k}={v}") for k, v in sorted(cache.items()))


# --- the toolchain -------------------------------------------------------------------


def find_nvcc() -> Path | None:
    found = shutil.which("nvcc")
    if found:
        return Path(found)
    for root in (os.environ.get("CUDA_HOME"), os.environ.get("CUDA_PATH"), "/usr/local/cuda"):
        if root and (Path(root) / "bin" / "nvcc").is_file():
            return Path(root) / "bin" / "nvcc"
    return None


def nvcc_version(nvcc: Path) -> tuple[int, int] | None:
    try:
        out = subprocess.run([str(nvcc), "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r"release (\d+)\.(\d+)", out)
    return (int(m.group(1)), int(m.group(2))) if m else None


def check_buildable(
    preset: Preset,
    cuda_arch: str | None = None,
    *,
    nvcc: Path | bool | None = True,
    nvcc_ver: tuple[int, int] | None = None,
    gpu_caps: list[str] | None = None,
) -> None:
    """Refuse, with what to do instead, a preset this machine cannot build.

    ``nvcc``/``nvcc_ver``/``gpu_caps`` default to what this machine has; tests pass them in.
    """
    if preset.arch is not None and platform.machine().lower() not in (preset.arch, "amd64"):
        raise BuildError(
            f"Preset {preset.name!r} is for {preset.arch} machines; this one is {platform.machine()}. "
            "Use --preset cpu-portable."
        )
    if not preset.needs_nvcc:
        return
    nv = find_nvcc() if nvcc is True else (nvcc or None)
    if nv is None:
        raise BuildError(
            f"Preset {preset.name!r} builds CUDA kernels, but no nvcc was found (PATH, CUDA_HOME, /usr/local/cuda). "
            "Install the CUDA toolkit (12.x for a GTX 1060), or use --preset cpu."
        )
    version = nvcc_ver if nvcc_ver is not None else nvcc_version(nv)
    archs = [cuda_arch] if cuda_arch else preset.cuda_architectures
    if version is not None:
        wants_pascal = any(a.split("-")[0] in ("60", "61", "62") for a in archs)
        if wants_pascal and version[0] >= 13:
            raise BuildError(
                f"nvcc {version[0]}.{version[1]} cannot compile for Pascal (sm_61, GTX 1060): CUDA 13 dropped it. "
                "Install a CUDA 12.x toolkit and put its nvcc first on PATH (or set CUDA_HOME), then rerun."
            )
        if preset.nvcc_max_major is not None and version[0] > preset.nvcc_max_major:
            raise BuildError(
                f"Preset {preset.name!r} needs CUDA {preset.nvcc_max_major}.x or older; "
                f"found nvcc {version[0]}.{version[1]}."
            )
    if "native" in archs:
        caps = visible_gpu_compute_caps() if gpu_caps is None else gpu_caps
        if not caps:
            raise BuildError(
                f"Preset {preset.name!r} compiles for the visible GPU ('native'), but nvidia-smi shows none. "
                "Name the architecture: --cuda-arch 86 (RTX 30xx), 89 (RTX 40xx), 90 (H100); or use --preset cpu."
            )


def auto_preset() -> str:
    """``cuda-pascal`` for a visible Pascal card, ``cuda`` for a newer one (when nvcc exists), else ``cpu``."""
    caps = visible_gpu_compute_caps()
    if not caps or find_nvcc() is None:
        return "cpu" if platform.machine().lower() in ("x86_64", "amd64") else "cpu-portable"
    return "cuda-pascal" if caps[0].startswith("6.") else "cuda"


# --- the install -----------------------------------------------------------------------


def pinned_llama_version(pyproject: Path | None = None) -> str:
    """The llama-cpp-python version ``pyproject.toml`` pins (its one home), or, installed, the
    requirement the package's metadata carries from it."""
    from .paths import REPO_ROOT

    if pyproject is None and not in_checkout():
        from importlib.metadata import PackageNotFoundError, requires

        try:
            text = " ".join(f'"{r}"' for r in requires("bestcase") or [])
        except PackageNotFoundError:
            text = ""
        m = _PIN_RE.search(text)
        if not m:
            raise ConfigError("The installed bestcase does not pin llama-cpp-python==<version>; reinstall it.")
        return m.group(1)
    path = pyproject or REPO_ROOT / "pyproject.toml"
    m = _PIN_RE.search(path.read_text("utf-8"))
    if not m:
        raise ConfigError(f"{path} does not pin llama-cpp-python==<version>.")
    return m.group(1)


def rebuild_command(preset_name: str) -> str:
    """The command that (re)builds llama-cpp-python with a preset: the install script in a checkout,
    else pip with the preset's ``CMAKE_ARGS``."""
    if in_checkout():
        return f"python scripts/install_llama.py --preset {preset_name}"
    try:
        args = cmake_args(get_preset(preset_name))
        version = pinned_llama_version()
    except ConfigError:
        return f"rebuild llama-cpp-python with the {preset_name} preset of bestcase's CMakePresets.json"
    return (
        f"CMAKE_ARGS={shlex.quote(args)} pip install --force-reinstall --no-cache-dir --no-binary llama-cpp-python "
        f"llama-cpp-python=={version}"
    )


def build_key(preset: Preset, args: str, version: str) -> str:
    return f"{preset.name}-{version}-" + hashlib.sha256(f"{version}|{args}".encode()).hexdigest()[:12]


def installed_build_key(python: Path) -> str | None:
    """The key recorded by the last install into that environment, if any."""
    marker = build_marker(python)
    try:
        return json.loads(marker.read_text("utf-8")).get("key") if marker else None
    except (OSError, ValueError, AttributeError):
        return None


def build_marker(python: Path) -> Path | None:
    """Where the build key of ``python``'s environment is recorded: inside its venv, else nowhere
    (the path is not resolved: a venv's interpreter is a link to the base one, which is shared).
    """
    env = Path(os.path.abspath(python)).parent.parent
    return env / "bestcase-llama-build.json" if (env / "pyvenv.cfg").is_file() else None


def install(
    preset_name: str,
    python: Path,
    *,
    cuda_arch: str | None = None,
    source: str | None = None,
    wheel_cache: Path,
    jobs: int | None = None,
    force: bool = False,
    offline: bool = False,
    target: Path | None = None,
    log: Callable[[str], None] = print,
) -> str:
    """Build (or reuse a cached wheel of) llama-cpp-python for a preset and install it.

    Wheels are cached per preset and ``CMAKE_ARGS`` under ``wheel_cache``, because
    pip's own cache ignores ``CMAKE_ARGS`` and would hand a CPU wheel to a CUDA request.
    ``offline`` builds with the build tools already installed (no index, no isolation);
    ``target`` installs into a folder instead of the interpreter's site-packages.
    Returns the build key.
    """
    preset = get_preset(preset_name)
    check_buildable(preset, cuda_arch)
    args = cmake_args(preset, cuda_arch)
    version = pinned_llama_version()
    key = build_key(preset, args, version)
    if not force and target is None and installed_build_key(python) == key and _imports(python):
        log(f"llama-cpp-python {version} ({preset.name}) is already installed.")
        return key
    cache_dir = wheel_cache / key
    wheels = sorted(cache_dir.glob("llama_cpp_python-*.whl"))
    if force or not wheels:
        cache_dir.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, CMAKE_ARGS=args, CMAKE_BUILD_PARALLEL_LEVEL=str(jobs or os.cpu_count() or 2))
        log(f"Building llama-cpp-python {version} with preset {preset.name}: CMAKE_ARGS={args}")
        log("This compiles llama.cpp (about 5 minutes on 2 cores for the CPU build).")
        what = source or f"llama-cpp-python=={version}"
        cmd = [str(python), "-m", "pip", "wheel", "--no-deps", "--no-cache-dir", "-w", str(cache_dir), what]
        if source is None:
            cmd[5:5] = ["--no-binary", "llama-cpp-python"]
        if offline:
            cmd[5:5] = ["--no-build-isolation", "--no-index"]
        proc = subprocess.run(cmd, env=env)
        wheels = sorted(cache_dir.glob("llama_cpp_python-*.whl"))
        if proc.returncode != 0 or not wheels:
            raise BuildError(
                f"Building llama-cpp-python with preset {preset.name} failed (pip exit {proc.returncode}); "
                "the compiler output is above. For a CPU-only build use --preset cpu."
            )
    where = ["--target", str(target), "--upgrade"] if target is not None else ["--force-reinstall"]
    proc = subprocess.run([str(python), "-m", "pip", "install", *where, "--no-deps", "--quiet", str(wheels[-1])])
    if proc.returncode != 0:
        raise BuildError(f"Installing {wheels[-1].name} failed (pip exit {proc.returncode}).")
    marker = build_marker(python)
    if target is None and marker is not None:
        marker.write_text(json.dumps({"key": key, "preset": preset.name, "cmake_args": args}), "utf-8")
    return key


def _imports(python: Path) -> bool:
    proc = subprocess.run([str(python), "-c", "import llama_cpp"], capture_output=True)
    return proc.returncode == 0
