"""CMakePresets.json -> CMAKE_ARGS, and the presets a machine must refuse."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from bestcase_core.build import check_buildable, cmake_args, get_preset, load_presets
from bestcase_core.errors import BuildError, ConfigError
from conftest import run_script


def _args(name: str, **kw) -> dict[str, str]:
    return dict(a[2:].split("=", 1) for a in shlex.split(cmake_args(get_preset(name), **kw)))


def test_cpu_preset_is_native_without_amx_and_without_cuda():
    args = _args("cpu")
    assert args["GGML_CUDA"] == "OFF" and args["GGML_NATIVE"] == "ON"
    assert "-mno-amx-int8" in args["CMAKE_C_FLAGS"] and "-mno-amx-tile" in args["CMAKE_CXX_FLAGS"]
    assert args["LLAVA_BUILD"] == "OFF"


def test_portable_cpu_preset_does_not_tune_to_the_building_machine():
    assert _args("cpu-portable")["GGML_NATIVE"] == "OFF"


def test_pascal_preset_targets_sm_61():
    args = _args("cuda-pascal")
    assert args["GGML_CUDA"] == "ON" and args["CMAKE_CUDA_ARCHITECTURES"] == "61"


def test_cuda_preset_targets_the_visible_gpu_unless_told():
    assert _args("cuda")["CMAKE_CUDA_ARCHITECTURES"] == "native"
    assert _args("cuda", cuda_arch="90")["CMAKE_CUDA_ARCHITECTURES"] == "90"


def test_inherited_variables_reach_every_preset():
    for p in load_presets().values():
        if not p.hidden:
            assert p.cache_variables["CMAKE_BUILD_TYPE"] == "Release"


def test_unknown_preset_lists_the_real_ones():
    with pytest.raises(ConfigError, match="cpu, cpu-portable, cuda-pascal, cuda"):
        get_preset("rocm")


def test_cuda_without_nvcc_is_refused():
    with pytest.raises(BuildError, match="no nvcc"):
        check_buildable(get_preset("cuda"), "90", nvcc=None)


def test_pascal_with_cuda_13_is_refused():
    with pytest.raises(BuildError, match="CUDA 13 dropped it"):
        check_buildable(get_preset("cuda-pascal"), nvcc=Path("/x/nvcc"), nvcc_ver=(13, 0))


def test_pascal_with_cuda_12_is_accepted():
    check_buildable(get_preset("cuda-pascal"), nvcc=Path("/x/nvcc"), nvcc_ver=(12, 4))


def test_sm_61_asked_through_cuda_arch_is_refused_on_cuda_13_too():
    with pytest.raises(BuildError, match="Pascal"):
        check_buildable(get_preset("cuda"), "61", nvcc=Path("/x/nvcc"), nvcc_ver=(13, 0))


def test_native_arch_without_a_visible_gpu_asks_for_an_explicit_one():
    with pytest.raises(BuildError, match="--cuda-arch"):
        check_buildable(get_preset("cuda"), nvcc=Path("/x/nvcc"), nvcc_ver=(12, 8), gpu_caps=[])


def test_cpu_preset_needs_no_toolkit():
    check_buildable(get_preset("cpu-portable"), nvcc=None)


def test_install_script_prints_args_and_refuses_bad_presets_without_traceback():
    ok = run_script("install_llama.py", "--preset", "cpu-portable", "--print-args")
    assert ok.returncode == 0 and "-DGGML_NATIVE=OFF" in ok.stdout
    bad = run_script("install_llama.py", "--preset", "nope", "--print-args")
    assert bad.returncode != 0 and "No build preset 'nope'" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_install_script_installs_the_cached_wheel_into_a_target_folder_and_leaves_the_venv(tmp_path):
    """What gpu_check.sh relies on: ``--target`` puts the build in a folder for PYTHONPATH."""
    import json
    import sys

    from bestcase_core.build import build_marker

    marker = build_marker(Path(sys.executable))
    if marker is None or not marker.exists():
        pytest.skip("llama-cpp-python was not installed by scripts/install_llama.py in this environment")
    before = marker.read_text("utf-8")
    preset = json.loads(before)["preset"]
    target = tmp_path / "site"
    done = run_script("install_llama.py", "--preset", preset, "--offline", "--target", str(target))
    assert done.returncode == 0, done.stderr
    assert (target / "llama_cpp" / "__init__.py").is_file()
    assert f"into {target}" in done.stdout
    assert marker.read_text("utf-8") == before


def test_install_llama_runs_before_the_dependencies_exist(repo):
    """bootstrap builds llama-cpp-python before pip installs anything: the script needs the standard library only."""
    import subprocess
    import sys

    # -S: no site-packages, so no pydantic, numpy or llama_cpp, as in a fresh venv
    out = subprocess.run(
        [sys.executable, "-S", str(repo / "scripts" / "install_llama.py"), "--print-args", "--preset", "cpu"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "-DGGML_CUDA=OFF" in out.stdout


def test_llama_cpp_loads_before_numpy_whatever_bestcase_module_comes_first():
    """A CUDA build of llama-cpp-python crashed loading layers onto an H100 when numpy's libraries were
    loaded first (scripts/gpu_check.sh). Any bestcase module imported first must load llama_cpp first."""
    import subprocess
    import sys

    for module in ("bestcase_core", "bestcase_core.scorer", "bestcase_core.scan", "bestcase_core.mcp.server"):
        code = (
            f"import {module}, sys; names = list(sys.modules); "
            # a module enters this order when its import finishes; llama_cpp.llama_cpp loads the libraries
            "print(names.index('llama_cpp.llama_cpp') < names.index('numpy') if 'numpy' in names else 'no numpy')"
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        assert out.stdout.strip() in ("True", "no numpy"), (module, out.stdout, out.stderr[-500:])
