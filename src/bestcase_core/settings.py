"""One settings object for the scan, the scorer and the MCP server.

Values come from keyword arguments (command-line options), then from the
environment (the seed's names: ``LLM_MODEL``, ``CONCURRENCY``,
``PROJECTS_PATH``, ``BESTCASE_STORAGE_PATH``; bestcase's own start with
``BESTCASE_``), then from the defaults below.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .errors import ConfigError
from .paths import default_models_dir
from .rubric import EXEMPLAR_THRESHOLD

KVType = Literal["f16", "q8_0", "q4_0"]


class Settings(BaseSettings):
    """Everything a user can set. Build it with :func:`load_settings`."""

    model_config = SettingsConfigDict(populate_by_name=True, extra="ignore", frozen=True)

    model: str = Field(
        default="",
        validation_alias="LLM_MODEL",
        description="a registry name (qwen2.5-coder:0.5b, :1.5b, :3b, :7b) or a path to a .gguf file; "
        "empty means the registry's default",
    )
    models_dir: Path = Field(
        default_factory=default_models_dir,
        validation_alias="BESTCASE_MODELS_DIR",
        description="where weights assembled from PyPI parts go (files from the Hugging Face hub stay in its "
        "cache); default $BESTCASE_HOME/models, in a checkout models/, else ~/.cache/bestcase/models",
    )
    concurrency: int = Field(
        default=1,
        ge=1,
        le=64,
        validation_alias="CONCURRENCY",
        description="threads reading and hashing files; scoring queues behind the one model",
    )
    projects_path: Path | None = Field(default=None, validation_alias="PROJECTS_PATH", description="workspace root")
    storage_path: Path | None = Field(
        default=None,
        validation_alias="BESTCASE_STORAGE_PATH",
        description="where .bestcases JSON, the index and the report go; default <root>/.bestcases",
    )
    vram_mb: int | None = Field(
        default=None,
        ge=0,
        validation_alias="BESTCASE_VRAM_MB",
        description="VRAM budget in MiB; default: free memory of a visible GPU, else 6144 (GTX 1060)",
    )
    n_ctx: int = Field(
        default=8192, ge=512, le=131072, validation_alias="BESTCASE_CTX", description="context size in tokens"
    )
    kv_type: KVType = Field(default="f16", validation_alias="BESTCASE_KV_TYPE")
    n_threads: int | None = Field(default=None, ge=1, validation_alias="BESTCASE_THREADS")
    flash_attn: Literal["auto", "on", "off"] = Field(default="auto", validation_alias="BESTCASE_FLASH_ATTN")
    exemplar_threshold: float = Field(
        default=EXEMPLAR_THRESHOLD,
        ge=0,
        le=100,
        validation_alias="BESTCASE_EXEMPLAR_THRESHOLD",
        description="exemplar threshold, 0-100",
    )
    max_files: int = Field(default=50, ge=1, validation_alias="BESTCASE_MAX_FILES", description="files per project")
    max_file_bytes: int = Field(default=256 * 1024, ge=1024, validation_alias="BESTCASE_MAX_FILE_BYTES")
    keep: int = Field(default=3, ge=1, validation_alias="BESTCASE_KEEP", description="scan records kept per project")
    judge: Literal["static", "hybrid"] = Field(
        default="hybrid",
        validation_alias="BESTCASE_JUDGE",
        description="static: parser facts only, no model; hybrid: facts and the model's answers",
    )
    model_reads: Literal["contenders", "all"] = Field(
        default="contenders",
        validation_alias="BESTCASE_MODEL_READS",
        description=(
            "hybrid: the model reads only the files the facts leave in contention for exemplar "
            "(contenders), or every file (all)"
        ),
    )
    ray_address: str | None = Field(
        default=None,
        validation_alias="BESTCASE_RAY_ADDRESS",
        description="score on Ray: 'local' starts a cluster, 'auto' joins this machine's, or host:port / ray://host:10001",
    )

    @field_validator("model")
    @classmethod
    def _strip(cls, v: str) -> str:
        return v.strip()

    def model_name(self) -> str:
        """The model asked for, or the registry's default."""
        from .registry import default_model_name

        return self.model or default_model_name()

    def storage_for(self, root: Path | None) -> Path:
        """The store folder: BESTCASE_STORAGE_PATH, else ``<root>/.bestcases``."""
        if self.storage_path is not None:
            return self.storage_path
        base = root or self.projects_path
        if base is None:
            raise ConfigError(
                "No storage folder: pass --storage, set BESTCASE_STORAGE_PATH, "
                "or give a workspace root (--root or PROJECTS_PATH)."
            )
        return Path(base) / ".bestcases"


def env_name(field: str) -> str:
    """The environment variable behind a settings field (``vram_mb`` -> ``BESTCASE_VRAM_MB``)."""
    alias = Settings.model_fields[field].validation_alias
    return alias if isinstance(alias, str) else field


def setting_help(field: str, text: str | None = None) -> str:
    """A command-line option's help for a settings field: its description, environment variable and default,
    all read from :class:`Settings` (``text`` replaces the description)."""
    info = Settings.model_fields[field]
    if field == "model":
        from .registry import default_model_name

        default: object = default_model_name()
    else:
        default = info.get_default(call_default_factory=True)
    if isinstance(default, float):
        default = f"{default:g}"
    shown = f"; default {default}" if default is not None and field != "models_dir" else ""
    return f"{text or info.description or field} (env {env_name(field)}{shown})".replace("%", "%%")


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment, with non-None ``overrides`` on top.

    Raises :class:`ConfigError` naming the option and its environment variable
    when a value does not fit (``BESTCASE_VRAM_MB=lots``).
    """
    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**given)
    except ValidationError as exc:
        problems = []
        by_env = {env_name(f): f for f in Settings.model_fields}
        for err in exc.errors():
            loc = str(err["loc"][0]) if err["loc"] else "?"
            field = by_env.get(loc, loc)
            env = env_name(field) if field in Settings.model_fields else loc
            problems.append(f"{field} (env {env}) = {err.get('input')!r}: {err['msg']}")
        raise ConfigError("Invalid setting: " + "; ".join(problems)) from None
