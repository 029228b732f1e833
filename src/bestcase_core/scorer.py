"""One source file in, a :class:`FileScore` out.

How a file is judged (``docs/scoring.md`` says it at more length):

1. **Facts.** The file is parsed with real grammars (:mod:`bestcase_core.analysis`)
   and measured: complexity, types, error paths, requests, state, template.
   That alone is the ``static`` judge: no model, thousands of files a second.
2. **Answers** (``hybrid``), for the files the facts leave in contention for
   exemplar (every file with ``model_reads=all``; see :func:`judge.in_contention`).
   The prompt is the rubric and the checklist (a fixed
   system message, evaluated once per process and then reused from the KV cache),
   then the file, then the start of the answer. Each applicable dimension
   (`` "scores": {"<dimension>": ``) and each checklist question
   (`` "checks": {"<key>": ``) is a branch of that state, and all branches are
   decoded together in one batch: the expected digit of a dimension and
   ``P(true) / (P(true) + P(false))`` of a question are read from the logits.
   Nothing is sampled.
3. **Combination.** Facts and answers go through the fitted weights
   (:mod:`bestcase_core.judge`) into 0-100 dimension scores and the overall score.
4. **Reasons** come from the facts, with their lines. An exemplar also gets one
   model-written sentence, sampled under a grammar and kept only when it ends
   as a sentence.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import numpy as np

from .analysis import analyze
from .engine import Engine
from .engine_cache import EngineLease
from .errors import BestcaseError, InputFileError
from .fetch import resolve_model
from .judge import (
    QUESTIONS,
    JudgeKind,
    applicable,
    build_reasons,
    features,
    in_contention,
    is_exemplar,
    judge_facts,
    teaching_value,
    weights_for,
)
from .offload import OffloadPlan
from .registry import is_file_model
from .roles import role_for_path
from .rubric import (
    ANSWER_OPEN,
    DIMENSION_KEYS,
    RUBRIC_VERSION,
    SCALE_MAX,
    SUMMARY_OPEN,
    check_branch,
    score_branch,
    system_prompt,
    user_footer,
    user_header,
)
from .schema import FileScore
from .settings import Settings, load_settings
from .sourcefile import fit_to_budget, read_source

log = logging.getLogger(__name__)

_IM_START, _IM_END = "<|im_start|>", "<|im_end|>"
#: Most tokens the exemplar's sentence may take, and its longest accepted length.
SUMMARY_MAX_TOKENS = 80
SUMMARY_MAX_CHARS = 240
_MARGIN = 16
#: Tokens per evaluated chunk of a file (see Scorer._ask).
FILE_CHUNK = 128

#: One sentence as one JSON string: a JSON schema cannot say "one sentence", so the grammar is
#: written here. ``.``, ``!`` and ``?`` appear only inside a code span (`` `index.vue` ``) or at
#: the end, where they close the string; the model may go on with the ``,`` or ``}`` it would
#: write next (dropped). Control characters, which JSON forbids, are excluded.
SUMMARY_GBNF = r"""
root ::= "\"" ([A-Z] | code) unit+ [.!?] "\"" [,}]?
unit ::= [^"\\.!?`\x00-\x1F] | code
code ::= "`" [^"\\`\x00-\x1F]+ "`"
"""


def summary_grammar() -> Any:
    """The GBNF for the exemplar's sentence (:data:`SUMMARY_GBNF`)."""
    from llama_cpp.llama_grammar import LlamaGrammar

    return LlamaGrammar.from_string(SUMMARY_GBNF, verbose=False)


def complete_sentence(raw: str) -> str | None:
    """The sentence the model wrote, if it is one: ends with . ! or ?, and was not cut by the length limit."""
    import json

    try:
        text, _ = json.JSONDecoder().raw_decode(raw.strip())  # what may follow the string is not the sentence
    except ValueError:
        return None
    text = " ".join(str(text).split())
    if len(text) >= SUMMARY_MAX_CHARS - 1 or len(text) < 10 or text[-1] not in ".!?":
        return None
    return text


class Scorer:
    """Judges source files: ``static`` (facts only) or ``hybrid`` (facts and a local qwen2.5-coder model).

    Thread-safe; a hybrid scorer loads the model once per process.

    >>> scorer = Scorer("qwen2.5-coder:1.5b")          # doctest: +SKIP
    >>> scorer.score_file(Path("composables/useCart.ts")).overall   # doctest: +SKIP
    81.4
    """

    def __init__(
        self,
        model: str | Path | None = None,
        settings: Settings | None = None,
        plan: OffloadPlan | None = None,
        *,
        exemplar_threshold: float | None = None,
        judge: JudgeKind | None = None,
    ) -> None:
        self.settings = settings or load_settings()
        self.judge: JudgeKind = judge or self.settings.judge
        self.exemplar_threshold = self.settings.exemplar_threshold if exemplar_threshold is None else exemplar_threshold
        self._lease: EngineLease | None = None
        if self.judge == "static":
            self.model_name = "static"
            self.model_path: Path | None = None
            self.weights_key, self.weights = weights_for("static", None)
            return
        name = str(model) if model else self.settings.model_name()
        self.model_path = resolve_model(name, self.settings.models_dir)
        self.model_name = self.model_path.name if is_file_model(name) else name
        self.weights_key, self.weights = weights_for("hybrid", self.model_name)
        self._lease = EngineLease(self.model_path, self.settings, plan)
        eng = self._lease.engine
        if _IM_START not in eng.chat_template:
            log.warning(
                "%s does not use the ChatML template bestcase prompts with; scores may be poor", self.model_path.name
            )
        checklist = tuple((q.key, q.text) for q in QUESTIONS)
        self._prefix = tuple(
            eng.tokenize(f"{_IM_START}system\n{system_prompt(checklist)}{_IM_END}\n{_IM_START}user\n", special=True)
        )
        self._assistant_open = eng.tokenize(f"{_IM_END}\n{_IM_START}assistant\n", special=True) + eng.tokenize(
            ANSWER_OPEN
        )
        self._score_branch = {k: eng.tokenize(score_branch(k)) for k in DIMENSION_KEYS}
        self._check_branch = {q.key: eng.tokenize(check_branch(q.key)) for q in QUESTIONS}
        self._summary_open = eng.tokenize(SUMMARY_OPEN)
        digits = [eng.tokenize(str(d)) for d in range(SCALE_MAX + 1)]
        bools = [eng.tokenize("true"), eng.tokenize("false")]
        if any(len(t) != 1 for t in digits + bools):
            raise BestcaseError(
                f"{self.model_path.name}: digits or true/false are not single tokens; cannot judge with it"
            )
        self._digit_ids = [t[0] for t in digits]
        self._bool_ids = [t[0] for t in bools]
        self._grammar = summary_grammar()

    @property
    def engine(self) -> Engine | None:
        """The model this scorer runs on (None for the static judge)."""
        return self._lease.engine if self._lease is not None else None

    @property
    def plan(self) -> OffloadPlan | None:
        """The offload plan its model was loaded with (None for the static judge)."""
        return self._lease.plan if self._lease is not None else None

    @property
    def load_report(self) -> Any:
        return self.engine.load_report if self.engine is not None else None

    @property
    def prefix_tokens(self) -> int:
        """Tokens of the rubric prefix shared by every file (0 for the static judge)."""
        return len(self._prefix) if self.engine is not None else 0

    def file_budget(self) -> int:
        """Most tokens of file content that fit beside the rubric, the branches and the summary."""
        assert self.engine is not None
        header = 48  # path, role and fences
        branches = max(len(b) for b in [*self._score_branch.values(), *self._check_branch.values()]) + 2
        return (
            self.engine.n_ctx
            - len(self._prefix)
            - len(self._assistant_open)
            - header
            - branches
            - (SUMMARY_MAX_TOKENS + len(self._summary_open) + _MARGIN)
        )

    # --- public -----------------------------------------------------------------------

    def score_file(self, path: Path, display_path: str | None = None) -> FileScore:
        """Score a file on disk. ``display_path`` (relative to its project) decides the role."""
        shown = display_path or Path(path).name
        text = read_source(Path(path), max_bytes=self.settings.max_file_bytes, display=shown)
        return self.score_text(text, shown)

    def score_text(self, text: str, filename: str) -> FileScore:
        """Score source text; ``filename`` is its path in the project (``pages/index.vue``)."""
        if not text.strip():
            raise InputFileError(filename, "empty file, nothing to score")
        if "\x00" in text:
            raise InputFileError(filename, "binary content (NUL bytes), not source code")
        role = role_for_path(filename)
        started = time.perf_counter()
        facts = analyze(text, filename, role.value)
        static_seconds = time.perf_counter() - started
        dims = applicable(facts, role)
        answers: dict[str, float] | None = None
        usage = (0, 0, 0)
        truncated = False
        sentence: str | None = None
        if self._lease is None or not self._model_reads(facts, role, dims):
            dimensions, overall, teaching, exemplar = self._combine(facts, role, dims, None)
        else:
            with self._lease.use():
                answers, usage, truncated = self._ask(text, filename, role, dims)
                dimensions, overall, teaching, exemplar = self._combine(facts, role, dims, answers)
                if exemplar:
                    sentence, generated = self._summary()
                    usage = (usage[0], usage[1], generated)
        return FileScore(
            path=filename,
            role=role,
            overall=overall,
            dimensions=dimensions,
            judge=self.judge,
            weights=self.weights_key,
            exemplar=exemplar,
            teaching=teaching,
            reasons=build_reasons(facts, role, dims, sentence),
            facts=facts,
            code_lines=facts.code_lines(),
            answers=answers,
            model=self.model_name,
            rubric_version=RUBRIC_VERSION,
            parse=facts.parse,
            truncated=truncated,
            prompt_tokens=usage[0],
            cached_tokens=usage[1],
            generated_tokens=usage[2],
            seconds=round(time.perf_counter() - started, 4),
            static_seconds=round(static_seconds, 5),
        )

    def _model_reads(self, facts: Any, role: Any, dims: tuple[str, ...]) -> bool:
        """Whether the model reads this file: always with ``model_reads=all``, else only a contender."""
        if self.settings.model_reads == "all":
            return True
        teaching = teaching_value(facts, role)
        return in_contention(features(facts, None), dims, self.weights, teaching, self.exemplar_threshold)

    def _combine(
        self, facts: Any, role: Any, dims: tuple[str, ...], answers: dict[str, float] | None
    ) -> tuple[dict[str, float], float, float, bool]:
        """Dimension scores, overall, teaching value and whether the file is an exemplar."""
        dimensions, overall = judge_facts(facts, dims, answers, self.weights)
        teaching = teaching_value(facts, role)
        return dimensions, overall, teaching, is_exemplar(overall, teaching, self.exemplar_threshold)

    # --- the model's part ------------------------------------------------------------------

    def _ask(
        self, text: str, filename: str, role: Any, dims: tuple[str, ...]
    ) -> tuple[dict[str, float], tuple[int, int, int], bool]:
        """One prefill of the file, then every dimension and question as a branch of one batch."""
        eng = self.engine
        assert eng is not None
        fitted = fit_to_budget(text, filename, self.file_budget(), lambda s: len(eng.tokenize(s)))
        file_seg = (
            eng.tokenize(user_header(filename, role))
            + eng.tokenize(fitted.text)
            + eng.tokenize(user_footer(fitted.truncated))
            + self._assistant_open
        )
        # fixed-size chunks: a second version of the same file (an edit, a rescore) reuses the
        # KV cache of every chunk before its first change, and logits stay the same either way
        chunks = [file_seg[i : i + FILE_CHUNK] for i in range(0, len(file_seg), FILE_CHUNK)]
        _, reused = eng.sync([self._prefix, *chunks])
        questions = [q for q in QUESTIONS if not q.needs or q.needs in dims]
        branches = [self._score_branch[d] for d in dims] + [self._check_branch[q.key] for q in questions]
        ids = self._digit_ids + self._bool_ids
        logits = eng.branch_digit_logits(branches, ids)
        nd = len(self._digit_ids)
        answers: dict[str, float] = {}
        for i, d in enumerate(dims):
            answers[f"m.{d}"] = round(_expected(logits[i, :nd]) / SCALE_MAX, 4)
        for j, q in enumerate(questions):
            answers[f"q.{q.key}"] = round(_softmax(logits[len(dims) + j, nd:])[0], 4)  # P(true) of true/false
        prompt_tokens = len(self._prefix) + len(file_seg) + sum(len(b) for b in branches)
        return answers, (prompt_tokens, reused, 0), fitted.truncated

    def _summary(self) -> tuple[str | None, int]:
        """One sentence from the model about an exemplar, or None when it did not finish one."""
        eng = self.engine
        assert eng is not None
        eng.extend(self._summary_open)
        raw, n = eng.generate(self._grammar, SUMMARY_MAX_TOKENS)
        sentence = complete_sentence(raw)
        if sentence is None:
            log.debug("summary dropped (not one complete sentence): %r", raw[:400])
        return sentence, n


def _softmax(z: np.ndarray) -> list[float]:
    v = z.astype(np.float64)
    v = np.exp(v - v.max())
    return [float(p) for p in v / v.sum()]


def _expected(z: np.ndarray) -> float:
    """The probability-weighted digit (softmax over the ten digit logits)."""
    p = np.array(_softmax(z))
    return float(p @ np.arange(len(p), dtype=np.float64))
