"""What a GGUF file says about the model's shape, read with the ``gguf`` package.

``gguf.GGUFReader`` parses every metadata array (the 152k-token vocabulary too),
which takes 10-20 s on a small CPU. The summary is therefore cached in
``.gguf-info.json`` beside the model (in bestcase's cache for a file in the hub's cache),
keyed by file size and mtime.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from pydantic import BaseModel

from .errors import InvalidModelFileError
from .paths import model_notes

_CACHE_FILE = ".gguf-info.json"
_BLOCK_RE = re.compile(r"^blk\.(\d+)\.")
GGUF_MAGIC = b"GGUF"


def check_gguf_magic(path: Path) -> None:
    """Raise :class:`InvalidModelFileError` unless ``path`` starts like a GGUF file."""
    try:
        with path.open("rb") as fh:
            head = fh.read(4)
    except OSError as exc:
        raise InvalidModelFileError(f"Cannot read model file {path}: {exc.strerror or exc}") from exc
    if head != GGUF_MAGIC:
        raise InvalidModelFileError(
            f"{path} is not a GGUF file (it starts with {head!r}, not b'GGUF'). "
            "Give a llama.cpp .gguf model, or a registry name such as qwen2.5-coder:1.5b."
        )


class GGUFInfo(BaseModel):
    """The shape of a model, as the offload plan needs it."""

    architecture: str
    name: str = ""
    block_count: int
    embedding_length: int
    head_count: int
    head_count_kv: int
    head_dim: int
    context_length: int
    vocab_size: int
    file_type: int | None = None
    quantization: str
    block_bytes: list[int]
    output_bytes: int
    token_embd_bytes: int
    output_tied: bool
    file_size: int


def _quant_name(file_type: int | None) -> str:
    import gguf

    if file_type is None:
        return "unknown"
    try:
        return gguf.LlamaFileType(file_type).name.removeprefix("MOSTLY_")
    except ValueError:
        return f"file_type {file_type}"


def _read(path: Path) -> GGUFInfo:
    import gguf

    check_gguf_magic(path)
    try:
        reader = gguf.GGUFReader(path)
    except Exception as exc:  # the reader raises ValueError, struct.error, IndexError...
        raise InvalidModelFileError(
            f"{path} looks like GGUF but cannot be parsed ({type(exc).__name__}: {exc}). "
            "It is probably truncated: fetch it again."
        ) from exc

    def field(key: str, default: object = None) -> object:
        f = reader.fields.get(key)
        if f is None:
            return default
        return f.contents()

    arch = str(field("general.architecture", ""))
    if not arch:
        raise InvalidModelFileError(f"{path} has no general.architecture: not a llama.cpp model file.")

    def need_int(key: str) -> int:
        value = field(f"{arch}.{key}")
        if not isinstance(value, int):
            raise InvalidModelFileError(f"{path} lacks {arch}.{key}: llama.cpp could not load it either.")
        return value

    n_embd = need_int("embedding_length")
    n_head = need_int("attention.head_count")
    key_len = field(f"{arch}.attention.key_length")
    head_dim = key_len if isinstance(key_len, int) else n_embd // n_head
    n_head_kv_raw = field(f"{arch}.attention.head_count_kv", n_head)
    n_head_kv = n_head_kv_raw if isinstance(n_head_kv_raw, int) else n_head
    n_block = need_int("block_count")

    blocks = [0] * n_block
    output = output_norm = token_embd = 0
    vocab = 0
    for t in reader.tensors:
        m = _BLOCK_RE.match(t.name)
        if m:
            idx = int(m.group(1))
            if idx < n_block:
                blocks[idx] += int(t.n_bytes)
        elif t.name == "output.weight":
            output += int(t.n_bytes)
        elif t.name.startswith("output_norm"):
            output_norm += int(t.n_bytes)
        elif t.name == "token_embd.weight":
            token_embd = int(t.n_bytes)
            vocab = int(max(t.shape))
    tied = output == 0
    file_type = field("general.file_type")
    ft = file_type if isinstance(file_type, int) else None
    return GGUFInfo(
        architecture=arch,
        name=str(field("general.name", "")),
        block_count=n_block,
        embedding_length=n_embd,
        head_count=n_head,
        head_count_kv=n_head_kv,
        head_dim=head_dim,
        context_length=need_int("context_length"),
        vocab_size=vocab,
        file_type=ft,
        quantization=_quant_name(ft),
        block_bytes=blocks,
        # llama.cpp puts a tied output layer on the GPU as a copy of token_embd
        output_bytes=(token_embd if tied else output) + output_norm,
        token_embd_bytes=token_embd,
        output_tied=tied,
        file_size=path.stat().st_size,
    )


def read_gguf_info(path: Path) -> GGUFInfo:
    """The shape of the model in ``path``; :class:`InvalidModelFileError` if it is not GGUF."""
    path = Path(path)
    try:
        st = path.stat()
    except OSError as exc:
        raise InvalidModelFileError(f"Cannot read model file {path}: {exc.strerror or exc}") from exc
    cache, name = model_notes(path, _CACHE_FILE)
    key = f"{name}:{st.st_size}:{st.st_mtime_ns}"
    try:
        cached = json.loads(cache.read_text("utf-8"))
    except (OSError, ValueError):
        cached = {}
    if not isinstance(cached, dict):
        cached = {}
    if key in cached:
        try:
            return GGUFInfo.model_validate(cached[key])
        except ValueError:
            pass
    info = _read(path)
    cached = {k: v for k, v in cached.items() if not k.startswith(name + ":")}
    cached[key] = info.model_dump()
    tmp = cache.with_suffix(f".{os.getpid()}.tmp")
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(cached), "utf-8")
        os.replace(tmp, cache)
    except OSError:
        tmp.unlink(missing_ok=True)
    return info
