"""The scorer's result: what bestcase keeps for every file it judged.

The reasons model lives with the judge (:class:`bestcase_core.judge.Reasons`);
the facts with the analysis (:class:`bestcase_core.analysis.FileFacts`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from .analysis import FileFacts
from .judge import Reasons, is_exemplar
from .roles import Role
from .rubric import ROLE_DIMENSIONS

__all__ = ["FileScore", "Reasons"]


class FileScore(BaseModel):
    """One file's score. ``overall`` and ``dimensions`` are 0-100."""

    path: str
    role: Role
    overall: float = Field(ge=0, le=100)
    dimensions: dict[str, float]
    judge: Literal["static", "hybrid"] = Field("hybrid", description="static: facts only; hybrid: facts and the model")
    weights: str = Field("", description="the fitted combination used (judge_weights.json key)")
    exemplar: bool
    teaching: float = Field(
        0.0, ge=0, le=1, description="how much a newcomer could learn from it (size, patterns, role)"
    )
    reasons: Reasons | None = None
    facts: FileFacts | None = None
    code_lines: int | None = Field(
        None, ge=0, description="logic and template lines read (FileFacts.code_lines); weighs it in its project's score"
    )
    answers: dict[str, float] | None = Field(
        None,
        description=(
            "the model's answers: m.<dimension> expected digit / 9, q.<question> P(yes); "
            "None when the model did not read the file (static judge, or not a contender)"
        ),
    )
    model: str
    rubric_version: str
    parse: str = Field("full", description="full, partial or failed: how much of the file the parser read")
    truncated: bool = False
    prompt_tokens: int = Field(0, ge=0, description="tokens of this file's prompt (rubric prefix included)")
    cached_tokens: int = Field(0, ge=0, description="prompt tokens reused from the KV cache, not evaluated")
    generated_tokens: int = Field(0, ge=0, description="tokens the model chose (the summary sentence)")
    seconds: float = Field(ge=0)
    static_seconds: float = Field(0.0, ge=0, description="of which parsing and facts")

    def exemplar_at(self, threshold: float) -> bool:
        """An exemplar under ``threshold`` (which may differ from the one it was scored with):
        :func:`bestcase_core.judge.is_exemplar`, the one rule."""
        return is_exemplar(self.overall, self.teaching, threshold)

    def dimension_keys_valid(self) -> bool:
        """The dimensions are rubric dimensions of this file's role."""
        return bool(self.dimensions) and set(self.dimensions) <= set(ROLE_DIMENSIONS[self.role])
