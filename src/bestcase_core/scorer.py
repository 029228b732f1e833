"""One source file in, a :class:`FileScore` out.

How a file is scored (the README says the same in fewer words):

1. The prompt is the rubric (a fixed system message, evaluated once per process
   and then reused from the KV cache), then the file, then the start of the
   answer, ``{"scores":``.
2. For each of the role's dimensions a branch `` {"<dimension>": `` continues
   that state; all branches are decoded together in one batch. The fixed text
   is never sampled: only the digit that follows it matters.
3. At each branch's end the model's probabilities over the digits 0-9 give an
   *expected* digit; the dimension's score is that expectation on a 0-100
   scale. The argmax digit would tie almost every file (1.5B puts its mode on 9
   for nearly everything); the expectation keeps the model's uncertainty, which
   is what separates a clean file from a worse copy of it.
4. ``overall`` is the role's weighted mean. Files that reach the exemplar
   threshold continue in the same context with ``"reasons":``, generated under
   a grammar built from :class:`~bestcase_core.schema.Reasons`; other files stop.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from .engine import Engine
from .errors import BestcaseError, InputFileError
from .fetch import resolve_model
from .offload import OffloadPlan, make_plan
from .registry import Calibration, get_model, is_file_model
from .roles import role_for_path
from .rubric import (
    DIMENSION_KEYS,
    RUBRIC_VERSION,
    SCORES_OPEN,
    calibrate,
    digit_to_score,
    dimensions_for,
    overall_score,
    scores_close_reasons_open,
    system_prompt,
    user_footer,
    user_header,
)
from .schema import FileScore, Reasons, model_output, reasons_json_schema
from .settings import Settings, load_settings
from .sourcefile import fit_to_budget, read_source

log = logging.getLogger(__name__)

_IM_START, _IM_END = "<|im_start|>", "<|im_end|>"
#: Most tokens the reasons may take; the grammar's length limits keep them well under.
REASONS_MAX_TOKENS = 480
_MARGIN = 16


def reasons_grammar() -> Any:
    """The GBNF for :class:`Reasons`, generated from its JSON schema.

    llama.cpp's generated string rule allows raw control characters, which JSON
    forbids; they are excluded here so every transcript is strict JSON.
    """
    from llama_cpp.llama_grammar import LlamaGrammar, json_schema_to_gbnf

    gbnf = json_schema_to_gbnf(reasons_json_schema())
    strict = gbnf.replace(r'char ::= [^"\\]', r'char ::= [^"\\\x00-\x1F]')
    return LlamaGrammar.from_string(strict, verbose=False)


# One model per process. It is planned once, when it loads, and reused by every
# Scorer with the same model file and settings; a different one frees it first.
# (Planning again from the GPU's free memory while our own engine holds it would
# put fewer layers on the GPU each time and load a second copy beside the first.)
_engine: Engine | None = None
_engine_key: tuple[Any, ...] | None = None
_engine_plan: OffloadPlan | None = None
_engines_lock = threading.Lock()


def _load_key(model_path: Path, settings: Settings) -> tuple[Any, ...]:
    real = model_path.resolve()
    try:
        st = real.stat()
        file_id: tuple[int, ...] = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
    except OSError:
        file_id = ()
    return (
        str(real),
        file_id,
        settings.n_ctx,
        settings.n_threads,
        settings.flash_attn,
        settings.kv_type,
        settings.vram_mb,
    )


def release_engine() -> None:
    """Free the process's model now (the next Scorer loads it again)."""
    with _engines_lock:
        _release_locked()


def _release_locked() -> None:
    global _engine, _engine_key, _engine_plan
    old, _engine, _engine_key, _engine_plan = _engine, None, None, None
    if old is not None:
        old.close()  # waits for a file being scored on it to finish
        del old
        gc.collect()


def get_engine_and_plan(
    model_path: Path, settings: Settings, plan: OffloadPlan | None = None
) -> tuple[Engine, OffloadPlan]:
    """The process's engine for this model and these settings, and the plan it was loaded with.

    Reused while the model file and the settings are the same. Otherwise the old
    engine is freed first, then the offload is planned (from the settings' VRAM
    budget, or the GPU's free memory once ours is released) and the model loads.
    """
    global _engine, _engine_key, _engine_plan
    key = _load_key(model_path, settings)
    with _engines_lock:
        current, current_plan = _engine, _engine_plan
        if (
            current is not None
            and current_plan is not None
            and not current.closed
            and _engine_key == key
            and (plan is None or plan.n_gpu_layers == current_plan.n_gpu_layers)
        ):
            return current, current_plan
        _release_locked()
        chosen = plan or make_plan(model_path, settings)
        engine = Engine(
            model_path,
            n_ctx=settings.n_ctx,
            n_gpu_layers=chosen.n_gpu_layers,
            n_threads=settings.n_threads,
            flash_attn=settings.flash_attn,
            kv_type=settings.kv_type,
            n_branches=len(DIMENSION_KEYS),
        )
        _engine, _engine_key, _engine_plan = engine, key, chosen
        return engine, chosen


def get_engine(model_path: Path, settings: Settings, plan: OffloadPlan | None = None) -> Engine:
    """The process's engine (see :func:`get_engine_and_plan`)."""
    return get_engine_and_plan(model_path, settings, plan)[0]


class Scorer:
    """Scores source files with a local qwen2.5-coder model. Thread-safe; loads the model once per process.

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
        calibrated: bool = True,
    ) -> None:
        self.settings = settings or load_settings()
        name = str(model) if model else self.settings.model_name()
        self.model_path = resolve_model(name, self.settings.models_dir)
        self.model_name = self.model_path.name if is_file_model(name) else name
        self._given_plan = plan
        self.exemplar_threshold = self.settings.exemplar_threshold if exemplar_threshold is None else exemplar_threshold
        self.engine, self.plan = get_engine_and_plan(self.model_path, self.settings, plan)
        self.calibration = _calibration_for(name) if calibrated else None
        if _IM_START not in self.engine.chat_template:
            log.warning(
                "%s does not use the ChatML template bestcase prompts with; scores may be poor", self.model_path.name
            )
        eng = self.engine
        self._prefix = tuple(
            eng.tokenize(f"{_IM_START}system\n{system_prompt()}{_IM_END}\n{_IM_START}user\n", special=True)
        )
        self._assistant_open = eng.tokenize(f"{_IM_END}\n{_IM_START}assistant\n", special=True) + eng.tokenize(
            SCORES_OPEN
        )
        self._branch = {k: eng.tokenize(self._branch_text(k)) for k in DIMENSION_KEYS}
        digits = [eng.tokenize(str(d)) for d in range(10)]
        if any(len(t) != 1 for t in digits):
            raise BestcaseError(f"{self.model_path.name}: digits are not single tokens; cannot score with it")
        self._digit_ids = [t[0] for t in digits]
        self._grammar = reasons_grammar()

    @contextlib.contextmanager
    def _engine_in_use(self) -> Iterator[Engine]:
        """This scorer's engine, locked; loaded again if another model or settings replaced it meanwhile."""
        while True:
            eng = self.engine
            if eng.closed:
                eng, self.plan = get_engine_and_plan(self.model_path, self.settings, self._given_plan)
                self.engine = eng
            with eng.lock:
                if not eng.closed:
                    yield eng
                    return

    @staticmethod
    def _branch_text(key: str) -> str:
        return ' {"' + key + '": '

    @property
    def load_report(self) -> Any:
        return self.engine.load_report

    @property
    def prefix_tokens(self) -> int:
        """Tokens of the rubric prefix shared by every file."""
        return len(self._prefix)

    def file_budget(self) -> int:
        """Most tokens of file content that fit beside the rubric, the answer and the reasons."""
        header = 48  # path, role and fences
        scores = max(len(b) for b in self._branch.values()) * len(DIMENSION_KEYS) + 8
        return (
            self.engine.n_ctx
            - len(self._prefix)
            - len(self._assistant_open)
            - header
            - scores
            - (REASONS_MAX_TOKENS + _MARGIN)
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
        with self._engine_in_use() as eng:
            fitted = fit_to_budget(text, filename, self.file_budget(), lambda s: len(eng.tokenize(s)))
            file_seg = (
                eng.tokenize(user_header(filename, role))
                + eng.tokenize(fitted.text)
                + eng.tokenize(user_footer(fitted.truncated))
                + self._assistant_open
            )
            _, reused = eng.sync([self._prefix, file_seg])
            dims = dimensions_for(role, fitted.text)
            branches = [self._branch[d.key] for d in dims]
            logits = eng.branch_digit_logits(branches, self._digit_ids)
            expected, chosen = _expected_digits(logits)
            raw = {d.key: digit_to_score(e) for d, e in zip(dims, expected, strict=True)}
            raw_overall = overall_score(raw)
            cal = self.calibration
            dimensions = {k: calibrate(v, cal.p50, cal.p90) for k, v in raw.items()} if cal else raw
            overall = overall_score(dimensions)
            prompt_tokens = len(self._prefix) + len(file_seg) + sum(len(b) for b in branches)
            generated = len(dims)
            reasons: Reasons | None = None
            exemplar = overall >= self.exemplar_threshold
            scores_json = " {" + ", ".join(f'"{d.key}": {c}' for d, c in zip(dims, chosen, strict=True)) + "}"
            if exemplar:
                tail = eng.tokenize(scores_json[:-1] + scores_close_reasons_open())
                eng.extend(tail)
                prompt_tokens += len(tail)
                text_out, n = eng.generate(self._grammar, REASONS_MAX_TOKENS)
                generated += n
                transcript = SCORES_OPEN + scores_json[:-1] + scores_close_reasons_open() + text_out + "}"
            else:
                transcript = SCORES_OPEN + scores_json + "}"
            reasons = self._validate(tuple(d.key for d in dims), transcript, filename)
        return FileScore(
            path=filename,
            role=role,
            overall=overall,
            dimensions=dimensions,
            raw_overall=raw_overall,
            calibrated=cal is not None,
            exemplar=exemplar and reasons is not None,
            reasons=reasons,
            model=self.model_name,
            rubric_version=RUBRIC_VERSION,
            truncated=fitted.truncated,
            prompt_tokens=prompt_tokens,
            cached_tokens=reused,
            generated_tokens=generated,
            seconds=round(time.perf_counter() - started, 3),
        )

    def _validate(self, keys: tuple[str, ...], transcript: str, filename: str) -> Reasons | None:
        """Parse what the model wrote against the schema; returns its reasons."""
        try:
            parsed = model_output(keys).model_validate_json(transcript)
        except ValueError as exc:
            # Cannot happen under the grammar unless generation hit REASONS_MAX_TOKENS.
            log.warning("%s: model output did not match the schema (%s); reasons dropped", filename, exc)
            return None
        reasons = getattr(parsed, "reasons", None)
        return reasons if isinstance(reasons, Reasons) else None


def _calibration_for(name: str) -> Calibration | None:
    """The registry's calibration of a model for the current rubric, if it has one."""
    if is_file_model(name):
        return None
    cal = get_model(name).calibration
    if cal is None or cal.rubric_version != RUBRIC_VERSION:
        log.warning(
            "%s has no calibration for rubric %s: its scores are on the model's raw scale "
            "(run: python scripts/bench.py calibrate --model %s)",
            name,
            RUBRIC_VERSION,
            name,
        )
        return None
    return cal


def _expected_digits(logits: np.ndarray) -> tuple[list[float], list[int]]:
    """Per row: the probability-weighted digit (softmax over the ten digit logits) and the argmax."""
    z = logits.astype(np.float64)
    z -= z.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    digits = np.arange(p.shape[1], dtype=np.float64)
    return [float(x) for x in p @ digits], [int(i) for i in p.argmax(axis=1)]
