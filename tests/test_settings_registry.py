"""Settings from the environment, and the model table."""

from __future__ import annotations

import pytest

from bestcase_core import load_settings
from bestcase_core.errors import ConfigError, UnknownModelError
from bestcase_core.registry import default_model_name, get_model, list_models, model_path


def test_registry_lists_the_four_seed_models_with_the_known_hashes():
    names = [m.name for m in list_models()]
    assert names == ["qwen2.5-coder:0.5b", "qwen2.5-coder:1.5b", "qwen2.5-coder:3b", "qwen2.5-coder:7b"]
    assert get_model("qwen2.5-coder:7b").sha256 == "509287f78cb4d4cf6b3843734733b914b2c158e43e22a7f4bf5e963800894d3c"
    assert get_model("qwen2.5-coder:3b").sha256 is None


def test_default_model_is_the_seeds_daily_model(monkeypatch):
    monkeypatch.delenv("LLM_MODEL", raising=False)
    assert default_model_name() == "qwen2.5-coder:1.5b"
    assert load_settings().model_name() == "qwen2.5-coder:1.5b"


def test_llm_model_env_picks_the_model_and_an_option_overrides_it(monkeypatch):
    monkeypatch.setenv("LLM_MODEL", "qwen2.5-coder:7b")
    assert load_settings().model_name() == "qwen2.5-coder:7b"
    assert load_settings(model="qwen2.5-coder:0.5b").model_name() == "qwen2.5-coder:0.5b"


def test_unknown_model_lists_the_known_ones(tmp_path):
    with pytest.raises(UnknownModelError, match="qwen2.5-coder:1.5b"):
        model_path("llama3:8b", tmp_path)


def test_gguf_path_is_a_model_too(tmp_path):
    assert model_path("/opt/m/custom.gguf", tmp_path).name == "custom.gguf"


def test_bad_setting_names_its_environment_variable(monkeypatch):
    monkeypatch.setenv("CONCURRENCY", "many")
    with pytest.raises(ConfigError, match="CONCURRENCY"):
        load_settings()
