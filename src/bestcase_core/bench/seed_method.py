"""The seed's method, reproduced in-process for a fair comparison.

What the original did per file (mission.md): ``.vue`` template and script cut
to 2,000 characters each, other files to 3,000; a prompt asking for
``{"score", "strengths", "weaknesses", "recommendations"}``; Ollama's
``format: json`` (a JSON grammar without a schema); temperature 0.3; and the
whole prompt evaluated for every file (no prefix reuse here).
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import Any

from ..engine import Engine

SYSTEM = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant."  # qwen2.5's default, as Ollama sends

PROMPT = """Analyze the following {kind} from a Nuxt 3 project and evaluate its code quality.

File: {path}

{code}

Evaluate: code structure, API usage, error handling, TypeScript usage, design system usage, reusability,
state management and performance.

Respond ONLY in JSON with this format, at most 3 short items per list:
{{"score": <number 0-100>, "strengths": ["..."], "weaknesses": ["..."], "recommendations": ["..."]}}"""

_BLOCK = re.compile(r"<(template|script)\b[^>]*>(.*?)</\1>", re.S)


def seed_cut(path: str, text: str) -> str:
    """The original's cut: template and script to 2,000 characters each for .vue, 3,000 otherwise."""
    if not path.endswith(".vue"):
        return f"```{path.rsplit('.', 1)[-1]}\n{text[:3000]}\n```"
    parts = []
    for m in _BLOCK.finditer(text):
        parts.append(f"<{m.group(1)}>\n{m.group(2).strip()[:2000]}\n</{m.group(1)}>")
    return "```vue\n" + "\n\n".join(parts or [text[:3000]]) + "\n```"


@dataclass
class SeedResult:
    path: str
    score: float | None
    parsed: bool
    prompt_tokens: int
    generated_tokens: int
    seconds: float
    text: str


def parse_seed_output(text: str) -> tuple[float | None, bool]:
    """(score, whether the output is the expected JSON object)."""
    try:
        data: Any = json.loads(text)
    except ValueError:
        return None, False
    if not isinstance(data, dict):
        return None, False
    score = data.get("score")
    if isinstance(score, str):
        try:
            score = float(score)
        except ValueError:
            score = None
    ok = (
        isinstance(score, int | float)
        and not isinstance(score, bool)
        and 0 <= score <= 100
        and all(isinstance(data.get(k), list) for k in ("strengths", "weaknesses", "recommendations"))
    )
    return (float(score) if isinstance(score, int | float) and not isinstance(score, bool) else None), ok


class SeedMethod:
    """Scores files the way the seed did, on an already loaded engine."""

    def __init__(self, engine: Engine, *, temperature: float = 0.3, max_tokens: int = 512) -> None:
        from llama_cpp.llama_grammar import JSON_GBNF, LlamaGrammar

        self.engine = engine
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.grammar = LlamaGrammar.from_string(JSON_GBNF, verbose=False)

    def prompt_tokens(self, path: str, text: str) -> list[int]:
        kind = "Vue component" if path.endswith(".vue") else "TypeScript/JavaScript file"
        user = PROMPT.format(kind=kind, path=path, code=seed_cut(path, text))
        chat = f"<|im_start|>system\n{SYSTEM}<|im_end|>\n<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n"
        return self.engine.tokenize(chat, special=True)

    def score(self, path: str, text: str, *, fixed_tokens: int | None = None, seed: int = 0) -> SeedResult:
        """One file, from an empty context. ``fixed_tokens`` forces the output length (random-weight runs)."""
        eng = self.engine
        started = time.perf_counter()
        with eng.lock:
            tokens = self.prompt_tokens(path, text)
            eng.reset()  # the seed's daemon got each file as a new request
            eng.sync([tokens])
            limit = fixed_tokens or self.max_tokens
            out, n = eng.generate(
                self.grammar, limit, temperature=self.temperature, seed=seed, min_tokens=fixed_tokens or 0
            )
        score, ok = parse_seed_output(out)
        return SeedResult(path, score, ok, len(tokens), n, time.perf_counter() - started, out)
