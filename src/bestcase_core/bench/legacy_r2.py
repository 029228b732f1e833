"""The scorer of rubric 2026.11-r2, frozen, as a baseline for the quality benchmark.

That scorer asked the model for one digit per dimension after the rubric and took
the probability-weighted digit; which dimensions applied came from regular
expressions over the text. It is kept here only to be measured side by side with
the current judge; scans never use it.
"""

from __future__ import annotations

import re
import time

from ..engine import Engine
from ..roles import role_for_path
from ..rubric import DIMENSIONS, ROLE_DIMENSIONS, SCALE_MAX, rubric_lines, user_footer, user_header
from ..sourcefile import fit_to_budget

_IO_RE = re.compile(
    r"\$fetch|\buse(?:Lazy)?Fetch\b|\buse(?:Lazy)?AsyncData\b|\baxios\b|\bfetch\(|\bofetch\b|"
    r"XMLHttpRequest|\bWebSocket\b|\bdefineEventHandler\b|\breadBody\b|\bgetQuery\b|\buseStorage\b"
)
_TEMPLATE_RE = re.compile(r"<template[\s>]")
_FALLIBLE_RE = re.compile(
    r"\bawait\b|\btry\s*\{|\bthrow\b|\.catch\(|\.then\(|\bPromise\b|JSON\.parse|new URL\(|"
    r"\bcreateError\b|\bshowError\b|\bonErrorCaptured\b"
)
_W = {d.key: d.weight for d in DIMENSIONS}


def _dims(role: object, text: str) -> tuple[str, ...]:
    keys = ROLE_DIMENSIONS[role]  # type: ignore[index]
    io = _IO_RE.search(text) is not None
    if not io:
        keys = tuple(k for k in keys if k != "apiConnection")
    if not io and not _FALLIBLE_RE.search(text):
        keys = tuple(k for k in keys if k != "errorHandling")
    if not _TEMPLATE_RE.search(text):
        keys = tuple(k for k in keys if k != "designSystem")
    return keys


def _system_prompt() -> str:
    """Rubric 2026.11-r2's prompt: today's rubric text with that version's answer format."""
    lines = rubric_lines()
    lines += [
        "",
        'Answer with JSON only: {"scores": {<dimension>: <digit>, ...}}. When asked for reasons, continue with '
        '"reasons": a one-line summary of what the file shows others, 2-4 concrete strengths and 2-4 concrete '
        "weaknesses, each naming the code it is about; every line under 120 characters.",
    ]
    return "\n".join(lines)


class LegacyR2:
    """Rubric 2026.11-r2's raw overall score (before its linear calibration, which keeps the order)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        eng = engine
        self._prefix = tuple(
            eng.tokenize(f"<|im_start|>system\n{_system_prompt()}<|im_end|>\n<|im_start|>user\n", special=True)
        )
        self._open = eng.tokenize("<|im_end|>\n<|im_start|>assistant\n", special=True) + eng.tokenize('{"scores":')
        self._branch = {d.key: eng.tokenize(' {"' + d.key + '": ') for d in DIMENSIONS}
        self._digits = [eng.tokenize(str(d))[0] for d in range(10)]

    def score(self, filename: str, text: str) -> tuple[float, float, bool]:
        """(overall 0-100, seconds, whether the file was cut to fit the context)."""
        import numpy as np

        eng = self.engine
        started = time.perf_counter()
        role = role_for_path(filename)
        with eng.lock:
            budget = eng.n_ctx - len(self._prefix) - len(self._open) - 48 - 100 - 496
            fitted = fit_to_budget(text, filename, budget, lambda s: len(eng.tokenize(s)))
            seg = (
                eng.tokenize(user_header(filename, role))
                + eng.tokenize(fitted.text)
                + eng.tokenize(user_footer(fitted.truncated))
                + self._open
            )
            eng.sync([self._prefix, seg])
            dims = _dims(role, fitted.text)
            logits = eng.branch_digit_logits([self._branch[k] for k in dims], self._digits).astype(np.float64)
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        expected = p @ np.arange(10, dtype=np.float64)
        scores = {k: round(float(e) * 100.0 / SCALE_MAX, 1) for k, e in zip(dims, expected, strict=True)}
        total = sum(_W[k] for k in scores)
        overall = round(sum(_W[k] * v for k, v in scores.items()) / total, 1)
        return overall, time.perf_counter() - started, fitted.truncated
