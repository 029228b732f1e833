#!/usr/bin/env python3
"""Random-weight GGUF models with a real model's shapes (for GPU timing without real weights).

python scripts/make_synthetic_model.py extract REAL.gguf NAME      # writes bench/shapes/NAME.json
python scripts/make_synthetic_model.py make NAME --vocab ggml-vocab-qwen2.gguf --out model.gguf
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import _common


def main() -> int:
    from bestcase_core.bench.synthetic import SHAPES, extract_shape, make_model

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    ex = sub.add_parser("extract")
    ex.add_argument("gguf", type=Path)
    ex.add_argument("name")
    mk = sub.add_parser("make")
    mk.add_argument("name", help="a shape in bench/shapes (qwen2.5-coder-1.5b)")
    mk.add_argument("--vocab", type=Path, required=True, help="llama.cpp's models/ggml-vocab-qwen2.gguf")
    mk.add_argument("--out", type=Path, required=True)
    ns = ap.parse_args()
    if ns.cmd == "extract":
        extract_shape(ns.gguf, SHAPES / f"{ns.name}.json")
        print(SHAPES / f"{ns.name}.json")
        return 0
    started = time.perf_counter()
    make_model(SHAPES / f"{ns.name}.json", ns.vocab, ns.out)
    print(f"{ns.out} ({ns.out.stat().st_size:,} bytes) in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    _common.run_cli(main)
