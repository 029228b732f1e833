"""The one llama.cpp model of a process: loading, prefix reuse, digit probabilities, grammar.

``Engine`` wraps a ``llama_cpp.Llama`` and adds what the scorer needs:

* **Segment-wise prefix reuse.** The prompt is a list of segments (rubric,
  file, ...). Whole segments that match the previous call stay in the KV cache;
  the rest are evaluated one segment per ``eval``. Evaluating at the same
  boundaries every time keeps a file's logits identical whether or not the
  rubric was cached, so scores are deterministic.
* **Parallel branches.** ``branch_digit_logits`` copies sequence 0's KV
  (``seq_cp``, no recompute) into one sequence per dimension and decodes all
  of them in a single batch, reading the logits at each branch's end.
* **Grammar-constrained sampling** for the only free text, an exemplar's one sentence.

Nothing here reads source files; callers pass tokens and text.
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import logging
import os
import re
import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ModelLoadError
from .gguf_info import check_gguf_magic

log = logging.getLogger(__name__)

_OFFLOAD_RE = re.compile(r"offloaded (\d+)/(\d+) layers to GPU")
_BUFFER_RE = re.compile(r"\b((?:CUDA|ROCm|Vulkan|SYCL)\d+|Metal)\s+(model|KV|compute) buffer size =\s*([\d.]+) MiB")


def gpu_buffers(log_text: str) -> dict[str, float]:
    """MiB llama.cpp reported on GPU devices, by buffer kind (the last context's, if it made two)."""
    found: dict[str, float] = {}
    for kind in ("model", "KV", "compute"):
        rows = [(m.group(1), float(m.group(3))) for m in _BUFFER_RE.finditer(log_text) if m.group(2) == kind]
        if kind == "model":
            total = sum(v for _, v in rows)
        else:  # a context made twice logs twice: keep the last one's buffers per device
            last: dict[str, float] = {}
            for dev, v in rows:
                last[dev] = v
            total = sum(last.values())
        if rows:
            found[kind] = round(total, 1)
    return found


_KV_TYPES = {"f16": 1, "q8_0": 8, "q4_0": 2}  # ggml_type values
_FLASH = {"auto": -1, "off": 0, "on": 1}  # llama_flash_attn_type

# --- llama.cpp's log, routed to Python logging (never to stdout) ------------------------

_log_lock = threading.Lock()
_capture: deque[str] | None = None
_log_callback: Any = None


def _install_log_callback() -> None:
    """Route llama.cpp's C-level log into ``logging`` (and a capture buffer while loading).

    llama-cpp-python's own callback prints to stderr, and with ``verbose=False`` it
    silences output by re-pointing file descriptors 1 and 2, which would swallow
    an MCP server's stdout replies written meanwhile by another thread.
    """
    global _log_callback
    import llama_cpp

    if _log_callback is not None:
        return

    @llama_cpp.llama_log_callback
    def _cb(level: int, text: bytes, user_data: ctypes.c_void_p) -> None:
        msg = text.decode("utf-8", "replace")
        with _log_lock:
            if _capture is not None:
                _capture.append(msg)
        if level in (2, 3) and msg.strip():
            log.debug("llama.cpp: %s", msg.rstrip())

    _log_callback = _cb
    llama_cpp.llama_log_set(_cb, ctypes.c_void_p(0))


@dataclass(frozen=True)
class LoadReport:
    """What llama.cpp said while loading."""

    seconds: float
    gpu_layers: int  # from "offloaded N/M layers to GPU"; 0 on a CPU build
    total_layers: int
    gpu_offload_supported: bool
    gpu_buffers_mib: dict[str, float]  # what llama.cpp allocated on GPUs: model, KV, compute
    log_tail: str


class Engine:
    """One loaded model. Use :attr:`lock` around any sequence of calls that must not interleave."""

    def __init__(
        self,
        model_path: Path,
        *,
        n_ctx: int = 4096,
        n_gpu_layers: int = 0,
        n_threads: int | None = None,
        flash_attn: str = "auto",
        kv_type: str = "f16",
        n_branches: int = 8,
        n_batch: int = 512,
    ) -> None:
        import llama_cpp
        from llama_cpp import Llama
        from llama_cpp import _internals as internals

        model_path = Path(model_path)
        check_gguf_magic(model_path)
        _install_log_callback()
        threads = n_threads or max(1, os.cpu_count() or 1)
        self.lock = threading.RLock()
        self.closed = False
        self.model_path = model_path
        self.n_branches = n_branches
        global _capture
        started = time.perf_counter()
        with _log_lock:
            _capture = deque(maxlen=4000)
        try:
            # verbose=True keeps llama-cpp-python from re-pointing fds 1/2; its own
            # Python prints during load go to a buffer instead of the terminal.
            with contextlib.redirect_stderr(io.StringIO()):
                llm = Llama(
                    model_path=str(model_path),
                    n_ctx=n_ctx,
                    n_batch=n_batch,
                    n_ubatch=n_batch,
                    n_threads=threads,
                    n_threads_batch=threads,
                    n_gpu_layers=n_gpu_layers,
                    logits_all=False,
                    verbose=True,
                )
                # Re-create the context with room for parallel branches sharing one
                # KV buffer, and the flash-attention and KV-cache types asked for.
                params = llm.context_params
                params.n_seq_max = 1 + n_branches
                params.kv_unified = True
                params.flash_attn_type = _FLASH[flash_attn]
                params.type_k = params.type_v = _KV_TYPES[kv_type]
                old = llm._ctx
                llm._ctx = internals.LlamaContext(model=llm._model, params=params, verbose=False)
                old.close()
        except (ValueError, RuntimeError, OSError) as exc:
            with _log_lock:
                tail = "".join(_capture or [])[-1500:]
                _capture = None
            raise ModelLoadError(
                f"llama.cpp could not load {model_path} ({exc}). The file may be damaged or made for a newer "
                f"llama.cpp; fetch it again or pick another model.\n{tail.strip()}"
            ) from exc
        with _log_lock:
            text = "".join(_capture or [])
            _capture = None
        llm.verbose = False
        self.llm: Any = llm  # None once closed
        self.n_vocab = llm.n_vocab()
        m = _OFFLOAD_RE.search(text)
        n_layer = int(llama_cpp.llama_model_n_layer(llm._model.model))
        self.load_report = LoadReport(
            seconds=time.perf_counter() - started,
            gpu_layers=int(m.group(1)) if m else 0,
            total_layers=int(m.group(2)) if m else n_layer + 1,
            gpu_offload_supported=bool(llama_cpp.llama_supports_gpu_offload()),
            gpu_buffers_mib=gpu_buffers(text),
            log_tail=text[-4000:],
        )
        self._segments: list[tuple[int, ...]] = []
        self._vocab = llm._model.vocab
        self._llama_cpp = llama_cpp
        self.chat_template = str(llm.metadata.get("tokenizer.chat_template", ""))

    def close(self) -> None:
        """Free the model and its context (VRAM included) now; the engine cannot be used after this."""
        with self.lock:
            if self.closed:
                return
            self.closed = True
            llm, self.llm = self.llm, None
            self._segments = []
            try:
                llm.close()
            except Exception as exc:  # freeing must never be what fails a scan
                log.debug("closing %s: %r", self.model_path, exc)

    # --- tokens ---------------------------------------------------------------------------

    @property
    def n_ctx(self) -> int:
        return int(self.llm.n_ctx())

    def tokenize(self, text: str, *, special: bool = False) -> list[int]:
        """Tokens of ``text``; ``special=False`` keeps ``<|im_end|>`` in a file from acting as a control token."""
        return list(self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=special))

    def detokenize(self, tokens: Sequence[int]) -> str:
        return bytes(self.llm.detokenize(list(tokens))).decode("utf-8", "replace")

    def is_eog(self, token: int) -> bool:
        return bool(self._llama_cpp.llama_vocab_is_eog(self._vocab, token))

    # --- sequence 0: the prompt ----------------------------------------------------------

    def sync(self, segments: Sequence[Sequence[int]]) -> tuple[int, int]:
        """Make the context hold exactly ``segments``; returns (tokens evaluated, tokens reused).

        Whole leading segments equal to the previous call's are kept; the rest are
        evaluated, one ``eval`` per segment.
        """
        want = [tuple(s) for s in segments]
        if sum(len(s) for s in want) > self.n_ctx:
            raise ValueError("prompt longer than the context")
        keep = 0
        while keep < min(len(want), len(self._segments)) and want[keep] == self._segments[keep]:
            keep += 1
        reused = sum(len(s) for s in want[:keep])
        llm = self.llm
        llm.n_tokens = reused
        llm._ctx.kv_cache_seq_rm(0, reused, -1)
        self._segments = list(want[:keep])
        evaluated = 0
        try:
            for seg in want[keep:]:
                if seg:
                    llm.eval(list(seg))
                self._segments.append(seg)
                evaluated += len(seg)
        except Exception:
            self._reset()
            raise
        return evaluated, reused

    def extend(self, tokens: Sequence[int]) -> None:
        """Evaluate ``tokens`` after the current context, as one more segment."""
        try:
            self.llm.eval(list(tokens))
        except Exception:
            self._reset()
            raise
        self._segments.append(tuple(tokens))

    def _reset(self) -> None:
        self._segments = []
        self.llm.n_tokens = 0
        self.llm._ctx.kv_cache_clear()

    # --- branches: one decode for all dimensions -----------------------------------------

    def branch_digit_logits(self, branches: Sequence[Sequence[int]], token_ids: Sequence[int]) -> np.ndarray:
        """Logits of ``token_ids`` after each branch, each branch continuing sequence 0.

        All branches are decoded in one batch; sequence 0 is left as it was.
        Returns an array of shape ``(len(branches), len(token_ids))``.
        """
        lc = self._llama_cpp
        if not 0 < len(branches) <= self.n_branches:
            raise ValueError(f"between 1 and {self.n_branches} branches, got {len(branches)}")
        n0 = self.llm.n_tokens
        total = sum(len(b) for b in branches)
        if n0 + max(len(b) for b in branches) > self.n_ctx:
            raise ValueError("branches do not fit in the context")
        ctx = self.llm._ctx.ctx
        mem = lc.llama_get_memory(ctx)
        batch = lc.llama_batch_init(total, 0, 1)
        ids = list(token_ids)
        out = np.empty((len(branches), len(ids)), dtype=np.float32)
        try:
            i = 0
            rows = []
            for s, toks in enumerate(branches, start=1):
                lc.llama_memory_seq_rm(mem, s, -1, -1)
                lc.llama_memory_seq_cp(mem, 0, s, -1, -1)
                for j, tok in enumerate(toks):
                    batch.token[i] = tok
                    batch.pos[i] = n0 + j
                    batch.n_seq_id[i] = 1
                    batch.seq_id[i][0] = s
                    batch.logits[i] = j == len(toks) - 1
                    i += 1
                rows.append(i - 1)
            batch.n_tokens = total
            rc = lc.llama_decode(ctx, batch)
            if rc != 0:
                raise RuntimeError(f"llama_decode returned {rc} for the dimension branches")
            for r, i_out in enumerate(rows):
                logits = np.ctypeslib.as_array(lc.llama_get_logits_ith(ctx, i_out), shape=(self.n_vocab,))
                out[r] = logits[ids]
        finally:
            for s in range(1, len(branches) + 1):
                lc.llama_memory_seq_rm(mem, s, -1, -1)
            lc.llama_batch_free(batch)
        return out

    # --- free text under a grammar --------------------------------------------------------

    def reset(self) -> None:
        """Forget the context: the next ``sync`` evaluates everything (no prefix reuse)."""
        self._reset()

    def generate(
        self,
        grammar: Any,
        max_tokens: int,
        *,
        temperature: float = 0.0,
        seed: int | None = None,
        min_tokens: int = 0,
    ) -> tuple[str, int]:
        """Sample after the current context under ``grammar``; returns (text, tokens).

        Greedy by default. ``min_tokens`` keeps generating past the end of the grammar
        (with a fresh grammar) until that many tokens exist: benchmarks with random
        weights use it to reproduce a real model's output length. The caller must have
        evaluated sequence 0 last (``sync``/``extend``), so the context's logits are the prompt's.
        """
        llm = self.llm
        out: list[int] = []
        if seed is not None:
            llm.set_seed(seed)
        try:
            while True:
                prompt = list(llm._input_ids)
                round_out: list[int] = []
                ended = False
                sampler = llm.generate(
                    prompt,
                    temp=temperature,
                    top_k=1 if temperature == 0 else 40,
                    repeat_penalty=1.0,
                    grammar=grammar,
                    reset=True,
                )
                for tok in sampler:
                    if self.is_eog(tok):
                        ended = True
                        break
                    round_out.append(tok)
                    if len(out) + len(round_out) >= max_tokens:
                        break
                sampler.close()
                # generate() evaluates each token when asked for the next one: the last is still out
                if round_out and llm.n_tokens < len(prompt) + len(round_out):
                    llm.eval([round_out[-1]])
                out += round_out
                if not ended or not round_out or len(out) >= min_tokens:
                    break
        except Exception:
            self._reset()
            raise
        self._segments.append(tuple(out))
        return self.detokenize(out), len(out)
