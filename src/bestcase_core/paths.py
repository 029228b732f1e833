"""Where bestcase's own files are: the data it ships, its user cache, and a checkout when it runs from one.

* **Shipped data** (the model table, the judge's weights, the CMake presets) is read from the
  package; nothing is ever written there at run time.
* **The user cache** holds weights assembled from PyPI parts, npm packages, built wheels and the
  benchmark's caches: ``$BESTCASE_HOME``, else, in a checkout, ``<checkout>/.cache`` (models in
  ``<checkout>/models``), else the XDG user cache (``~/.cache/bestcase``).
* **Files from the Hugging Face hub** stay in the hub's own cache, shared with every other tool.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
#: The folder two levels up: the checkout's root when this package runs from ``src/bestcase_core``.
REPO_ROOT = PACKAGE_DIR.parents[1]


def in_checkout() -> bool:
    """True when this package runs from a source checkout (``<root>/src/bestcase_core`` beside ``pyproject.toml``)."""
    return (
        PACKAGE_DIR.parent.name == "src"
        and (REPO_ROOT / "pyproject.toml").is_file()
        and (REPO_ROOT / "src" / "bestcase_core" / "__init__.py").is_file()
    )


def package_file(name: str) -> Path:
    """A data file shipped in the wheel; in a checkout, the same file at the repository's top level."""
    shipped = PACKAGE_DIR / name
    if shipped.is_file() or not in_checkout():
        return shipped
    return REPO_ROOT / name


def _user_cache_dir() -> Path:
    """The XDG user cache (``~/.cache``), macOS's ``~/Library/Caches``, or Windows' local app data."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "bestcase" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "bestcase"
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache") / "bestcase"


def _home_env() -> Path | None:
    value = os.environ.get("BESTCASE_HOME", "").strip()
    return Path(value).expanduser() if value else None


def cache_home() -> Path:
    """bestcase's cache: ``$BESTCASE_HOME``, else ``<checkout>/.cache``, else the user cache."""
    home = _home_env()
    if home is not None:
        return home
    return REPO_ROOT / ".cache" if in_checkout() else _user_cache_dir()


def default_models_dir() -> Path:
    """Where weights assembled by bestcase go: ``$BESTCASE_HOME/models``, else ``<checkout>/models``,
    else ``models`` in the user cache. Weights from the hub stay in the hub's cache."""
    home = _home_env()
    if home is not None:
        return home / "models"
    return REPO_ROOT / "models" if in_checkout() else _user_cache_dir() / "models"


def model_notes(model: Path, notes_name: str) -> tuple[Path, str]:
    """Where bestcase keeps what it learnt about a model file (its verified hash, its shape), and the key.

    Beside the file, keyed by its name; for a file in the Hugging Face hub's cache
    (``.../snapshots/<rev>/<file>``), in bestcase's cache instead, keyed by the file's path,
    so the hub's cache holds only the hub's files.
    """
    if model.parent.parent.name == "snapshots":
        return cache_home() / notes_name.lstrip("."), str(model.absolute())
    return model.parent / notes_name, model.name
