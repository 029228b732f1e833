"""The scorer's data: what the model writes, and the result bestcase keeps.

:class:`ModelOutput` is the one definition of the JSON the model produces. The
grammar for the free text (``reasons``) is generated from it, the fixed text of
the scores is written from the same keys, and every transcript is validated
against it before a :class:`FileScore` is made.
"""

from __future__ import annotations

import json
from functools import cache, lru_cache
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, create_model

from .roles import Role
from .rubric import DIMENSION_KEYS, REASON_MAX_CHARS, ROLE_DIMENSIONS, SCALE_MAX

Line = Annotated[str, StringConstraints(min_length=3, max_length=REASON_MAX_CHARS)]
Digit = Literal[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
assert SCALE_MAX == 9  # Digit above spells the scale out


class Reasons(BaseModel):
    """Why a file is an exemplar: written only for files that reach the threshold."""

    model_config = ConfigDict(extra="forbid")
    summary: Line = Field(description="one line: what this file shows others")
    strengths: list[Line] = Field(min_length=2, max_length=4)
    weaknesses: list[Line] = Field(min_length=2, max_length=4)


@cache
def scores_model(keys: tuple[str, ...]) -> type[BaseModel]:
    """``{"structure": <digit>, ...}`` with exactly the dimensions ``keys``, in that order."""
    unknown = set(keys) - set(DIMENSION_KEYS)
    if unknown:
        raise ValueError(f"not rubric dimensions: {sorted(unknown)}")
    fields: dict[str, object] = {k: (Digit, ...) for k in keys}
    return create_model(  # type: ignore[call-overload]
        "Scores", __config__=ConfigDict(extra="forbid"), **fields
    )


@cache
def model_output(keys: tuple[str, ...]) -> type[BaseModel]:
    """What the model writes for a file scored on ``keys``: scores, then reasons for exemplars."""
    return create_model(
        "ModelOutput",
        __config__=ConfigDict(extra="forbid"),
        scores=(scores_model(keys), ...),
        reasons=(Reasons | None, None),
    )


@lru_cache(maxsize=1)
def reasons_json_schema() -> str:
    """The JSON schema the reasons grammar is built from (inlined, no $refs)."""
    return json.dumps(Reasons.model_json_schema())


class FileScore(BaseModel):
    """One file's score. ``overall`` and ``dimensions`` are 0-100."""

    path: str
    role: Role
    overall: float = Field(ge=0, le=100)
    dimensions: dict[str, float]
    raw_overall: float | None = Field(None, description="before calibration (the model's own scale)")
    calibrated: bool = False
    exemplar: bool
    reasons: Reasons | None = None
    model: str
    rubric_version: str
    truncated: bool = False
    prompt_tokens: int = Field(ge=0, description="tokens of this file's prompt (rubric prefix included)")
    cached_tokens: int = Field(0, ge=0, description="prompt tokens reused from the KV cache, not evaluated")
    generated_tokens: int = Field(ge=0, description="tokens the model chose: one digit per dimension, plus reasons")
    seconds: float = Field(ge=0)

    def dimension_keys_valid(self) -> bool:
        """The dimensions are rubric dimensions of this file's role."""
        return bool(self.dimensions) and set(self.dimensions) <= set(ROLE_DIMENSIONS[self.role])
