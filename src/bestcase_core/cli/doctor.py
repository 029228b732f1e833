"""``bestcase doctor``: the llama.cpp build, the GPU, the model file, the offload plan, and a real load."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ..settings import setting_help


def add(sub: Any) -> None:
    p = sub.add_parser(
        "doctor",
        help="check the build, the GPU, the model and the offload plan",
        description="Check the llama.cpp build, the model file, the GPU offload plan and (with --load) a "
        "real load. Exit status 0 when nothing needs doing, 1 when the report lists problems.",
    )
    p.add_argument("--model", help=setting_help("model"))
    p.add_argument("--vram-mb", help=setting_help("vram_mb"))
    p.add_argument("--ctx", help=setting_help("n_ctx"))
    p.add_argument("--load", action="store_true", help="also load the model and read how many layers went to the GPU")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(run=run)


def run(ns: argparse.Namespace) -> int:
    from ..doctor import diagnose, render
    from ..errors import CLIError
    from ..settings import load_settings

    for flag, value in (("--vram-mb", ns.vram_mb), ("--ctx", ns.ctx)):
        if value is not None and not value.strip().isdigit():
            raise CLIError(f"{flag} must be a whole number, got {value!r}")
    settings = load_settings(model=ns.model, vram_mb=ns.vram_mb, n_ctx=ns.ctx)
    report = diagnose(settings, load=ns.load)
    if ns.json:
        data = report.model_dump(mode="json")
        data["ok"] = report.ok
        print(json.dumps(data, indent=2))
    else:
        print(render(report))
    return 0 if report.ok else 1
