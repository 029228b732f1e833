"""How many layers to put on the GPU, and what that will cost in VRAM.

llama.cpp counts ``n_gpu_layers`` over the repeating blocks plus the output
layer, and offloads from the end: the output layer first, then the last blocks.
Token embeddings always stay on the CPU. Per layer on the GPU we pay its
weights (summed from the GGUF's ``blk.N.`` tensors) and its KV cache; once
anything is offloaded we also pay the compute buffer and the CUDA context.

The compute estimate is ``n_ubatch * (n_vocab + n_embd) * 4`` bytes (the logits
and hidden state of one micro-batch); it matches what llama.cpp reported on an
H100 for qwen2.5-coder 1.5B (299.8 MiB) and 7B (303.8 MiB) at 4k context with
flash attention. Without flash attention the KQ matrix can be larger and is
taken instead when it is.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from .build import rebuild_command
from .gguf_info import GGUFInfo
from .gpu import BudgetSource
from .settings import KVType, Settings

_MIB = 1024 * 1024

#: Bytes per cached K/V element for each cache type (q8_0: 34 bytes per 32, q4_0: 18 per 32).
KV_BYTES_PER_ELEMENT: dict[str, float] = {"f16": 2.0, "q8_0": 34 / 32, "q4_0": 18 / 32}
#: What the CUDA runtime takes before llama.cpp allocates anything.
CUDA_CONTEXT_MB = 250.0
#: Kept free for the driver, the desktop and fragmentation.
HEADROOM_MB = 256.0
DEFAULT_N_UBATCH = 512


class OffloadPlan(BaseModel):
    """The plan and its prediction, in MiB."""

    n_gpu_layers: int
    n_layers: int  # blocks + output layer: what "offloaded N/M layers" counts
    full_offload: bool
    vram_budget_mb: int
    budget_source: str
    predicted_vram_mb: float
    weights_mb: float
    kv_cache_mb: float
    compute_mb: float
    cuda_context_mb: float
    headroom_mb: float
    n_ctx: int
    kv_type: str
    flash_attn: bool
    gpu_offload_supported: bool
    reason: str

    def summary(self) -> str:
        where = "CPU only" if self.n_gpu_layers == 0 else f"{self.n_gpu_layers}/{self.n_layers} layers on the GPU"
        return (
            f"{where}; predicted {self.predicted_vram_mb:.0f} MiB of {self.vram_budget_mb} MiB "
            f"(weights {self.weights_mb:.0f}, KV {self.kv_cache_mb:.0f}, compute {self.compute_mb:.0f}, "
            f"CUDA context {self.cuda_context_mb:.0f}). {self.reason}"
        )


def kv_cache_bytes(info: GGUFInfo, n_ctx: int, kv_type: KVType, n_layers: int | None = None) -> float:
    """K and V for ``n_layers`` blocks (default all) at ``n_ctx`` tokens."""
    layers = info.block_count if n_layers is None else n_layers
    return 2 * layers * n_ctx * info.head_count_kv * info.head_dim * KV_BYTES_PER_ELEMENT[kv_type]


def compute_bytes(info: GGUFInfo, n_ctx: int, flash_attn: bool, n_ubatch: int = DEFAULT_N_UBATCH) -> float:
    logits = n_ubatch * (info.vocab_size + info.embedding_length) * 4
    if flash_attn:
        return float(logits)
    kq = n_ubatch * n_ctx * info.head_count * 4 + n_ubatch * info.embedding_length * 4
    return float(max(logits, kq))


def plan_offload(
    info: GGUFInfo,
    *,
    vram_budget_mb: int,
    n_ctx: int = 4096,
    kv_type: KVType = "f16",
    flash_attn: bool = True,
    gpu_offload_supported: bool = True,
    budget_source: BudgetSource | str = "setting",
    n_ubatch: int = DEFAULT_N_UBATCH,
) -> OffloadPlan:
    """Fit as many layers as the budget allows, output layer first, then blocks from the last."""
    n_layers = info.block_count + 1
    kv_layer = kv_cache_bytes(info, n_ctx, kv_type, 1)
    base = dict(
        n_layers=n_layers,
        vram_budget_mb=vram_budget_mb,
        budget_source=str(budget_source),
        n_ctx=n_ctx,
        kv_type=kv_type,
        flash_attn=flash_attn,
        gpu_offload_supported=gpu_offload_supported,
    )

    def cpu_only(reason: str) -> OffloadPlan:
        return OffloadPlan(
            n_gpu_layers=0,
            full_offload=False,
            predicted_vram_mb=0.0,
            weights_mb=0.0,
            kv_cache_mb=0.0,
            compute_mb=0.0,
            cuda_context_mb=0.0,
            headroom_mb=0.0,
            reason=reason,
            **base,
        )

    if not gpu_offload_supported:
        return cpu_only(
            "This llama-cpp-python build has no GPU offload (llama_supports_gpu_offload() is false): "
            f"everything runs on the CPU. Rebuild it: {rebuild_command('cuda')} (or the cuda-pascal preset)."
        )
    if kv_type != "f16" and not flash_attn:
        kv_note = f" A {kv_type} KV cache needs flash attention; llama.cpp will refuse it without."
    else:
        kv_note = ""

    compute = compute_bytes(info, n_ctx, flash_attn, n_ubatch)
    fixed = CUDA_CONTEXT_MB * _MIB + HEADROOM_MB * _MIB + compute
    budget = vram_budget_mb * _MIB
    first = fixed + info.output_bytes
    if budget < first:
        return cpu_only(
            f"A budget of {vram_budget_mb} MiB is below the {first / _MIB:.0f} MiB needed before any block "
            f"(output layer {info.output_bytes / _MIB:.0f}, compute {compute / _MIB:.0f}, "
            f"CUDA context {CUDA_CONTEXT_MB:.0f}, headroom {HEADROOM_MB:.0f}): running on the CPU." + kv_note
        )
    used = first
    weights = float(info.output_bytes)
    blocks_on_gpu = 0
    for block in reversed(info.block_bytes):
        cost = block + kv_layer
        if used + cost > budget:
            break
        used += cost
        weights += block
        blocks_on_gpu += 1
    n_gpu = blocks_on_gpu + 1
    full = blocks_on_gpu == info.block_count
    if full:
        reason = "Every layer fits." + kv_note
    else:
        need = first + sum(info.block_bytes) + kv_layer * info.block_count
        reason = (
            f"Only {n_gpu} of {n_layers} layers fit in {vram_budget_mb} MiB; all of them need about "
            f"{need / _MIB:.0f} MiB. The rest run on the CPU: lower BESTCASE_CTX, use BESTCASE_KV_TYPE=q8_0, "
            "or pick a smaller model." + kv_note
        )
    kv = kv_layer * blocks_on_gpu
    return OffloadPlan(
        n_gpu_layers=n_gpu,
        full_offload=full,
        predicted_vram_mb=round((weights + kv + compute) / _MIB + CUDA_CONTEXT_MB, 1),
        weights_mb=round(weights / _MIB, 1),
        kv_cache_mb=round(kv / _MIB, 1),
        compute_mb=round(compute / _MIB, 1),
        cuda_context_mb=CUDA_CONTEXT_MB,
        headroom_mb=HEADROOM_MB,
        reason=reason,
        **base,
    )


def make_plan(model_path: Path, settings: Settings) -> OffloadPlan:
    """The plan for a model file under the settings' VRAM budget, context and KV type."""
    from .gguf_info import read_gguf_info
    from .gpu import detect_vram_budget, gpu_offload_supported

    budget = detect_vram_budget(settings.vram_mb)
    return plan_offload(
        read_gguf_info(model_path),
        vram_budget_mb=budget.mb,
        budget_source=budget.source,
        n_ctx=settings.n_ctx,
        kv_type=settings.kv_type,
        flash_attn=settings.flash_attn != "off",
        gpu_offload_supported=gpu_offload_supported(),
    )
