#!/usr/bin/env python3
"""Check the llama.cpp build, the model file, the GPU offload plan and (with --load) a real load.

    python scripts/doctor.py [--model NAME] [--vram-mb N] [--ctx N] [--load] [--json]

Exit status 0 when nothing needs doing, 1 when the report lists problems.
"""

from __future__ import annotations

import argparse

import _common


def main() -> int:
    from bestcase_core.doctor import diagnose, render
    from bestcase_core.errors import CLIError
    from bestcase_core.settings import load_settings

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", help="registry name or .gguf path (default: LLM_MODEL, else the registry default)")
    ap.add_argument("--vram-mb", help="VRAM budget in MiB (default: BESTCASE_VRAM_MB, a visible GPU, else 6144)")
    ap.add_argument("--ctx", help="context size in tokens (default: BESTCASE_CTX or 8192)")
    ap.add_argument("--load", action="store_true", help="also load the model and read how many layers went to the GPU")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ns = ap.parse_args()
    for flag, value in (("--vram-mb", ns.vram_mb), ("--ctx", ns.ctx)):
        if value is not None and not value.strip().isdigit():
            raise CLIError(f"{flag} must be a whole number, got {value!r}")
    settings = load_settings(model=ns.model, vram_mb=ns.vram_mb, n_ctx=ns.ctx)
    report = diagnose(settings, load=ns.load)
    if ns.json:
        data = report.model_dump(mode="json")
        data["ok"] = report.ok
        import json

        print(json.dumps(data, indent=2))
    else:
        print(render(report))
    return 0 if report.ok else 1


if __name__ == "__main__":
    _common.run_cli(main)
