"""GGUF inspection and the VRAM plan, on the real 0.5B/1.5B files and the 7B's known shape."""

from __future__ import annotations

import pytest

from bestcase_core.gguf_info import read_gguf_info
from bestcase_core.gpu import GTX1060_VRAM_MB, detect_vram_budget
from bestcase_core.offload import kv_cache_bytes, plan_offload

MIB = 1024 * 1024


def test_05b_metadata_is_read_from_the_file(model_05b):
    info = read_gguf_info(model_05b)
    assert (info.architecture, info.block_count, info.embedding_length) == ("qwen2", 24, 896)
    assert (info.head_count, info.head_count_kv, info.context_length) == (14, 2, 32768)
    assert info.quantization == "Q4_K_M"
    assert len(info.block_bytes) == 24 and all(b > 0 for b in info.block_bytes)
    assert info.output_bytes > 0 and info.token_embd_bytes > 0
    # everything the plan counts is in the file, and nothing more
    assert sum(info.block_bytes) + info.output_bytes + info.token_embd_bytes < info.file_size


def test_15b_metadata_and_weights_match_what_llama_cpp_reported(model_15b):
    info = read_gguf_info(model_15b)
    assert (info.block_count, info.head_count_kv, info.head_dim) == (28, 2, 128)
    # llama.cpp's CUDA model buffer for 1.5B with every layer offloaded was 934.7 MiB (facts.md)
    on_gpu = (sum(info.block_bytes) + info.output_bytes) / MIB
    assert on_gpu == pytest.approx(934.7, abs=1.0)


@pytest.mark.model  # the fixtures are asked for by name, so conftest cannot see them
@pytest.mark.parametrize(("fixture", "kib_per_token"), [("model_05b", 12), ("model_15b", 28)])
def test_kv_cache_per_token_matches_the_formula(request, fixture, kib_per_token):
    info = read_gguf_info(request.getfixturevalue(fixture))
    assert kv_cache_bytes(info, 1, "f16") == kib_per_token * 1024


def test_7b_kv_cache_is_224_mib_at_4k(shape_7b):
    assert kv_cache_bytes(shape_7b, 4096, "f16") / MIB == 224


def test_15b_at_4k_fits_entirely_in_6_gb(model_15b):
    plan = plan_offload(read_gguf_info(model_15b), vram_budget_mb=6144, n_ctx=4096)
    assert plan.full_offload and plan.n_gpu_layers == plan.n_layers == 29
    assert plan.kv_cache_mb == 112.0
    assert plan.predicted_vram_mb < 6144
    assert plan.predicted_vram_mb == pytest.approx(plan.weights_mb + plan.kv_cache_mb + plan.compute_mb + 250, abs=0.2)


def test_7b_at_4k_fits_a_gtx_1060(shape_7b):
    plan = plan_offload(shape_7b, vram_budget_mb=GTX1060_VRAM_MB, n_ctx=4096)
    assert plan.full_offload
    assert plan.weights_mb == pytest.approx(4167.7, abs=0.2)


def test_2_gb_budget_gives_a_partial_offload_with_a_reason(shape_7b):
    plan = plan_offload(shape_7b, vram_budget_mb=2048, n_ctx=4096)
    assert 1 < plan.n_gpu_layers < plan.n_layers
    assert not plan.full_offload
    assert f"Only {plan.n_gpu_layers} of 29 layers fit" in plan.reason
    assert plan.predicted_vram_mb <= 2048


def test_more_budget_never_means_fewer_layers(shape_7b):
    layers = [plan_offload(shape_7b, vram_budget_mb=mb, n_ctx=4096).n_gpu_layers for mb in range(0, 8000, 250)]
    assert layers == sorted(layers)
    assert layers[0] == 0 and layers[-1] == 29


def test_zero_budget_means_cpu_only(model_15b):
    plan = plan_offload(read_gguf_info(model_15b), vram_budget_mb=0, n_ctx=4096)
    assert plan.n_gpu_layers == 0 and plan.predicted_vram_mb == 0
    assert "running on the CPU" in plan.reason


def test_build_without_gpu_offload_plans_cpu_only_and_says_so(model_05b):
    plan = plan_offload(read_gguf_info(model_05b), vram_budget_mb=6144, gpu_offload_supported=False)
    assert plan.n_gpu_layers == 0
    assert "llama_supports_gpu_offload() is false" in plan.reason


def test_quantized_kv_cache_shrinks_the_plan(shape_7b):
    f16 = plan_offload(shape_7b, vram_budget_mb=6144, n_ctx=8192, kv_type="f16")
    q8 = plan_offload(shape_7b, vram_budget_mb=6144, n_ctx=8192, kv_type="q8_0")
    assert q8.kv_cache_mb < f16.kv_cache_mb * 0.6


def test_vram_budget_setting_wins_over_detection():
    assert detect_vram_budget(2048).mb == 2048
    assert detect_vram_budget(2048).source == "setting"


def test_no_visible_gpu_falls_back_to_the_gtx_1060_profile(monkeypatch):
    import bestcase_core.gpu as gpu

    monkeypatch.setattr(gpu, "_nvml_free", lambda: None)
    monkeypatch.setattr(gpu, "_smi_free", lambda: None)
    budget = gpu.detect_vram_budget(None)
    assert (budget.mb, budget.source) == (6144, "gtx1060-profile")


def test_not_a_gguf_file_is_a_clear_error(tmp_path):
    from bestcase_core.errors import InvalidModelFileError

    bad = tmp_path / "x.gguf"
    bad.write_bytes(b"GGUF\x03\x00\x00\x00garbage")
    with pytest.raises(InvalidModelFileError, match="truncated"):
        read_gguf_info(bad)


def test_15b_at_8k_also_fits_a_gtx_1060(model_15b):
    plan = plan_offload(read_gguf_info(model_15b), vram_budget_mb=6144, n_ctx=8192)
    assert plan.full_offload and plan.kv_cache_mb == 224.0
