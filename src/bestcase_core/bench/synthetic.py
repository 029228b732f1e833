"""Random-weight models with a real model's shapes, for GPU timing where real weights cannot travel.

``extract_shape`` records a real GGUF's hyper-parameters and tensor shapes as a
small JSON (committed under ``bench/shapes/``). ``make_model`` writes random F16
weights with those shapes and the tokenizer of llama.cpp's ``ggml-vocab-qwen2.gguf``,
then quantizes to Q4_K_M with llama.cpp's own quantizer. Output lengths of such a
model are meaningless, so benchmarks fix them to what the real weights produced.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SHAPES = Path(__file__).with_name("shapes")
_SKIP_PREFIXES = ("tokenizer.", "general.", "GGUF.")


def extract_shape(gguf_path: Path, out: Path) -> None:
    import gguf

    reader = gguf.GGUFReader(gguf_path)
    kv: list[dict[str, Any]] = []
    for name, f in reader.fields.items():
        if name.startswith(_SKIP_PREFIXES) or not f.types or f.types[0] == gguf.GGUFValueType.ARRAY:
            continue
        kv.append({"key": name, "type": f.types[0].name, "value": f.contents()})
    arch = str(reader.fields["general.architecture"].contents())
    tensors = [{"name": t.name, "shape": [int(x) for x in t.shape]} for t in reader.tensors]
    out.write_text(json.dumps({"source": gguf_path.name, "architecture": arch, "kv": kv, "tensors": tensors}, indent=1))


def make_model(shape_json: Path, vocab_gguf: Path, out: Path, *, seed: int = 0, threads: int = 0) -> Path:
    """Write a random-weight Q4_K_M model with the shapes in ``shape_json``; returns ``out``."""
    import ctypes

    import gguf
    import llama_cpp
    import numpy as np

    spec = json.loads(shape_json.read_text())
    vocab = gguf.GGUFReader(vocab_gguf)
    f16 = out.with_suffix(".f16.gguf")
    w = gguf.GGUFWriter(str(f16), spec["architecture"])
    w.add_name(f"random weights, shapes of {spec['source']}")
    w.add_file_type(gguf.LlamaFileType.MOSTLY_F16)
    for row in spec["kv"]:
        w.add_key_value(row["key"], row["value"], gguf.GGUFValueType[row["type"]])
    for name, field in vocab.fields.items():
        if not name.startswith("tokenizer."):
            continue
        main = field.types[0]
        if main == gguf.GGUFValueType.ARRAY:
            w.add_key_value(name, field.contents(), main, field.types[-1])
        else:
            w.add_key_value(name, field.contents(), main)
    rng = np.random.default_rng(seed)
    for t in spec["tensors"]:
        np_shape = tuple(reversed(t["shape"]))
        if len(np_shape) == 1:
            data = (
                np.ones(np_shape, dtype=np.float32)
                if t["name"].endswith("norm.weight")
                else np.zeros(np_shape, dtype=np.float32)
            )
        else:
            data = (rng.standard_normal(np_shape, dtype=np.float32) * 0.02).astype(np.float16)
        w.add_tensor(t["name"], data)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = llama_cpp.LLAMA_FTYPE_MOSTLY_Q4_K_M
    params.nthread = threads
    rc = llama_cpp.llama_model_quantize(str(f16).encode(), str(out).encode(), ctypes.byref(params))
    f16.unlink(missing_ok=True)
    if rc != 0:
        raise RuntimeError(f"llama_model_quantize returned {rc}")
    return out
