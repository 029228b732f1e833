"""The judge: facts and model answers combined into 0-100 scores, the exemplar rule, and the reasons.

* **Features.** Every fact (:mod:`bestcase_core.analysis`) and every model answer
  becomes one number oriented so that higher is better, and belongs to one
  rubric dimension (:data:`FEATURES`). Model answers are the expected digit of a
  dimension (``m.<dimension>``) and the yes-probability of a checklist question
  (``q.<key>``), both scaled to -1..1.
* **Combination.** A dimension's score is ``offset + scale * sum(w_i * x_i)`` over
  its features, clipped to 0-100; the overall score is the rubric-weighted mean
  of the dimensions that apply to the file. The weights are non-negative and
  fitted on pairs of a worse and a better version of the same file
  (``bestcase bench fit``); ``scale`` and ``offset`` put the reference corpus'
  median at 75 and its 90th percentile at 85. They live in ``judge_weights.json``
  beside this module, one set per judge (``static``, and ``hybrid`` per model).
* **Exemplars** need a high score *and* something to teach (:func:`teaching_value`).
* **Reasons** are the facts' findings, with their lines; the model adds at most
  one complete sentence.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from .analysis import FileFacts, Finding
from .errors import ConfigError
from .roles import Role
from .rubric import DIMENSION_KEYS, DIMENSIONS, RUBRIC_VERSION

log = logging.getLogger(__name__)

JudgeKind = Literal["static", "hybrid"]
WEIGHTS_FILE = Path(__file__).with_name("judge_weights.json")

#: Which dimension each fact feeds (the fact's name is its key in ``FileFacts.metrics``).
FACT_DIMENSION: dict[str, str] = {
    "complexity": "structure",
    "nesting": "structure",
    "function_length": "structure",
    "arguments": "structure",
    "bumpy_road": "structure",
    "complex_conditionals": "structure",
    "file_length": "structure",
    "indentation": "structure",
    "meaningless_names": "structure",
    "comments": "structure",
    "documented_exports": "structure",
    "console_logs": "structure",
    "commented_code": "structure",
    "legacy_syntax": "structure",
    "dom_access": "stateManagement",
    "duplication": "utilityUsage",
    "composables": "utilityUsage",
    "typescript": "typeUsage",
    "typed_params": "typeUsage",
    "typed_returns": "typeUsage",
    "any": "typeUsage",
    "non_null": "typeUsage",
    "type_assertions": "typeUsage",
    "untyped_state": "typeUsage",
    "ts_ignore": "typeUsage",
    "typed_props": "typeUsage",
    "unhandled_async": "errorHandling",
    "empty_catch": "errorHandling",
    "log_only_catch": "errorHandling",
    "error_leak": "errorHandling",
    "status_lost": "errorHandling",
    "error_surfaced": "errorHandling",
    "raw_requests": "apiConnection",
    "hardcoded_urls": "apiConnection",
    "secrets": "apiConnection",
    "route_client": "apiConnection",
    "setup_fetch": "apiConnection",
    "mounted_fetch": "apiConnection",
    "late_fetch": "apiConnection",
    "unchecked_input": "typeUsage",
    "raw_write": "typeUsage",
    "typed_requests": "apiConnection",
    "props_mutated": "stateManagement",
    "watch_sync": "stateManagement",
    "module_state": "stateManagement",
    "computed": "stateManagement",
    "vfor_key": "performance",
    "deep_watch": "performance",
    "sequential_awaits": "performance",
    "inline_styles": "designSystem",
    "a11y": "designSystem",
    "components": "designSystem",
}


@dataclass(frozen=True)
class Question:
    """A yes/no question the model answers after reading the file; its P(yes) is a feature."""

    key: str
    text: str
    dimension: str
    needs: str = ""  # a dimension that must apply for the question to be asked


#: The checklist (asked in the shared prefix; answered as ``"checks": {"<key>": true|false}``).
QUESTIONS: tuple[Question, ...] = (
    Question("names", "Do the names of variables and functions say what they hold or do?", "structure"),
    Question("comments", "Do comments explain the parts that are not obvious, and match the code?", "structure"),
    Question("focused", "Does the file have one clear responsibility?", "structure"),
    Question(
        "errors", "Do failures reach the user or the caller instead of being ignored?", "errorHandling", "errorHandling"
    ),
    Question("idiomatic", "Is this how an expert in Nuxt 3 and Vue 3 would write it?", "utilityUsage"),
)
QUESTION_KEYS = tuple(q.key for q in QUESTIONS)

#: Every feature's dimension: facts, the model's digit per dimension, and the checklist.
FEATURES: dict[str, str] = {
    **FACT_DIMENSION,
    **{f"m.{k}": k for k in DIMENSION_KEYS},
    **{f"q.{q.key}": q.dimension for q in QUESTIONS},
}
_WEIGHT = {d.key: d.weight for d in DIMENSIONS}


class JudgeWeights(BaseModel):
    """One fitted combination: the weight of each feature, and the scale that calibrates it."""

    weights: dict[str, float]
    scale: float = 10.0
    offset: float = 75.0
    centers: dict[str, float] = Field(
        default_factory=dict, description="each dimension's mean weighted sum on the reference corpus"
    )
    fitted_on: str = ""
    command: str = ""


class WeightsFile(BaseModel):
    rubric_version: str
    judges: dict[str, JudgeWeights]


@lru_cache(maxsize=1)
def _weights_file() -> WeightsFile:
    try:
        return WeightsFile.model_validate_json(WEIGHTS_FILE.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"Cannot read the judge's weights {WEIGHTS_FILE}: {exc}. Reinstall bestcase.") from exc


def judge_key(judge: JudgeKind, model: str | None) -> str:
    return "static" if judge == "static" else f"hybrid:{model}"


def weights_for(judge: JudgeKind, model: str | None) -> tuple[str, JudgeWeights]:
    """The fitted weights of a judge (``hybrid`` per model; an unfitted model borrows the default model's)."""
    wf = _weights_file()
    key = judge_key(judge, model)
    if key in wf.judges:
        return key, wf.judges[key]
    fallback = next((k for k in wf.judges if k.startswith("hybrid:")), "static") if judge == "hybrid" else "static"
    if fallback not in wf.judges:
        raise ConfigError(f"{WEIGHTS_FILE} has no weights for {key}; run: bestcase bench fit")
    log.warning("no fitted weights for %s; using %s's (fit them with: bestcase bench fit)", key, fallback)
    return fallback, wf.judges[fallback]


def save_weights(key: str, weights: JudgeWeights) -> Path:
    """Record one judge's fitted weights in ``judge_weights.json``.

    In a checkout that is the source file itself, to review and commit. An installed package is
    never written to: the file goes to bestcase's cache, and the log says where to commit it.
    """
    import os

    from .paths import cache_home, in_checkout

    target = WEIGHTS_FILE if in_checkout() else cache_home() / WEIGHTS_FILE.name
    try:
        data = json.loads((target if target.is_file() else WEIGHTS_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        data = {"rubric_version": RUBRIC_VERSION, "judges": {}}
    data["rubric_version"] = RUBRIC_VERSION
    data["judges"][key] = weights.model_dump()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n", "utf-8")
    os.replace(tmp, target)
    if target != WEIGHTS_FILE:
        log.warning(
            "bestcase is installed, so its weights are not changed: the fitted file is %s; "
            "to use it, commit it as src/bestcase_core/judge_weights.json in a checkout",
            target,
        )
    _weights_file.cache_clear()
    return target


# --- features and the combination -------------------------------------------------------------


def features(facts: FileFacts, answers: dict[str, float] | None) -> dict[str, float]:
    """The judge's inputs for one file: its facts, and the model's answers scaled to -1..1."""
    x = {k: v for k, v in facts.metrics.items() if k in FACT_DIMENSION}
    for k, v in (answers or {}).items():
        x[k] = 2.0 * v - 1.0
    return x


def applicable(facts: FileFacts, role: Role) -> tuple[str, ...]:
    """The dimensions a file is scored on: its role's, less those its facts show do not apply."""
    from .rubric import ROLE_DIMENSIONS

    return tuple(k for k in ROLE_DIMENSIONS[role] if k in facts.applies)


def dimension_sums(x: dict[str, float], dims: tuple[str, ...], weights: dict[str, float]) -> dict[str, float]:
    """Each dimension's weighted sum of its features."""
    raw = {d: 0.0 for d in dims}
    for name, value in x.items():
        dim = FEATURES.get(name)
        if dim in raw:
            raw[dim] += weights.get(name, 0.0) * value
    return raw


def judge_facts(
    facts: FileFacts, dims: tuple[str, ...], answers: dict[str, float] | None, w: JudgeWeights
) -> tuple[dict[str, float], float]:
    """A file's dimension scores and overall score: :func:`combine`, then the defect cap (:data:`DEFECT_CAP`)."""
    dimensions, overall = combine(features(facts, answers), dims, w)
    if overall > DEFECT_CAP and defects(facts):
        overall = round(DEFECT_CAP + (overall - DEFECT_CAP) / 10, 1)
    return dimensions, overall


def combine(x: dict[str, float], dims: tuple[str, ...], w: JudgeWeights) -> tuple[dict[str, float], float]:
    """Dimension scores (0-100) and the overall score from features ``x``.

    A dimension is ``offset + scale * (sum - center)``: the corpus' average file sits at the
    offset on every dimension. Beyond 10 and 90 the line bends smoothly towards 0 and 100
    (:func:`soft_bound`), so two files never tie at a bound when one of them is better.
    """
    raw = dimension_sums(x, dims, w.weights)
    exact = {d: soft_bound(w.offset + w.scale * (v - w.centers.get(d, 0.0))) for d, v in raw.items()}
    return {d: round(v, 1) for d, v in exact.items()}, overall_score(exact)


def soft_bound(v: float, knee: float = 10.0) -> float:
    """``v`` between ``knee`` and ``100 - knee``; beyond, an exponential approach to 0 or 100 (slope 1 at the knee).

    Strictly increasing, so a better sum is always a higher score, where a hard clip would tie them.
    """
    if v > 100.0 - knee:
        return 100.0 - knee * math.exp(-(v - (100.0 - knee)) / knee)
    if v < knee:
        return knee * math.exp((v - knee) / knee)
    return v


def overall_score(scores: dict[str, float]) -> float:
    """Weighted mean of the scored dimensions (0-100), the rubric's weights renormalised to them.

    Kept to two decimals: small real differences between two versions of a file are not rounded away.
    """
    total = sum(_WEIGHT[k] for k in scores)
    return round(sum(_WEIGHT[k] * v for k, v in scores.items()) / total, 2) if total else 0.0


def design_row(x: dict[str, float], dims: tuple[str, ...], names: list[str]) -> list[float]:
    """The overall score as a linear function of the weights (before scale and offset): one coefficient per name.

    The fitter uses this: ``overall = offset + scale * row . weights`` when nothing is clipped.
    """
    total = sum(_WEIGHT[d] for d in dims) or 1.0
    return [(_WEIGHT[FEATURES[n]] / total) * x.get(n, 0.0) if FEATURES[n] in dims else 0.0 for n in names]


# --- exemplars ---------------------------------------------------------------------------------

#: How much a role can teach a newcomer, before size and patterns.
ROLE_TEACHING: dict[Role, float] = {
    Role.composable: 1.0,
    Role.store: 1.0,
    Role.page: 1.0,
    Role.component: 1.0,
    Role.server_route: 1.0,
    Role.util: 0.8,
    Role.plugin: 0.6,
    Role.middleware: 0.6,
    Role.layout: 0.3,
}
#: Lines of logic at which size stops adding to what a file teaches.
TEACHING_LINES = 40
#: The least teaching value an exemplar needs.
TEACHING_MIN = 0.5


#: Weaknesses that are defects, not matters of style: a secret in the source, a server error's text
#: or a lost HTTP status sent to the client, a database pool per route, a mutated prop. A file
#: showing one would teach the defect to whoever copies it.
DEFECTS = frozenset(
    {"secrets", "error_leak", "status_lost", "route_client", "props_mutated", "raw_write", "late_fetch"}
)
#: A file with a defect scores at most about this: above it, its score is squeezed tenfold (order kept,
#: so of two files with defects the better still scores higher), as a code-quality rating is set by the
#: worst issue found (SonarQube's reliability and security ratings).
DEFECT_CAP = 70.0


#: Weaknesses a reviewer sends back for clean-up before merging: debug output, commented-out code, an
#: error caught and dropped or only logged with no word on why. They lower the score as any weakness does;
#: an exemplar has none, since whoever copies it copies them too.
LEFTOVERS = frozenset({"console_logs", "commented_code", "empty_catch", "log_only_catch"})


def defects(facts: FileFacts | None) -> list[Finding]:
    """The file's findings that are defects (:data:`DEFECTS`)."""
    return [f for f in facts.findings if not f.good and f.key in DEFECTS] if facts is not None else []


def teaching_value(facts: FileFacts | None, role: Role) -> float:
    """0-1: how much a newcomer could learn from the file: its logic, the patterns it shows, its role.

    A 10-line layout, a re-export or a config (``*.config.ts``) teaches little however clean it is,
    and a file with a defect (:data:`DEFECTS`) or a leftover (:data:`LEFTOVERS`) teaches nothing worth
    copying: 0, never an exemplar.
    """
    if facts is None or defects(facts) or any(not f.good and f.key in LEFTOVERS for f in facts.findings):
        return 0.0
    name = facts.path.rsplit("/", 1)[-1]
    if ".config." in name or name.startswith("config."):
        return 0.1  # configuration: nothing a colleague would imitate
    size = min(1.0, (facts.logic_lines - facts.data_lines) / TEACHING_LINES)
    patterns = min(1.0, len(facts.patterns) / 3)
    return round(0.5 * size + 0.3 * patterns + 0.2 * ROLE_TEACHING[role], 3)


def is_exemplar(overall: float, teaching: float, threshold: float) -> bool:
    """The one exemplar rule: a score at the threshold and something to teach."""
    return overall >= threshold and teaching >= TEACHING_MIN


def answer_ceiling(x: dict[str, float], dims: tuple[str, ...], w: JudgeWeights) -> float:
    """The highest overall score the model's answers could give a file with facts ``x``: every answer at its best.

    Weights are non-negative, so an answer's best is 1 (the top of its -1..1 scale).
    """
    best = dict(x)
    for name, dim in FEATURES.items():
        if name not in FACT_DIMENSION and dim in dims:
            best[name] = 1.0 if w.weights.get(name, 0.0) >= 0 else -1.0
    return combine(best, dims, w)[1]


def in_contention(
    x: dict[str, float], dims: tuple[str, ...], w: JudgeWeights, teaching: float, threshold: float
) -> bool:
    """Whether the model's answers could make this file an exemplar (the hybrid judge's cascade).

    A file that falls short of the threshold even with every answer at its best, or that has
    nothing to teach, is not read by the model: its score is the facts' with neutral answers.
    """
    return is_exemplar(answer_ceiling(x, dims, w), teaching, threshold)


# --- reasons ------------------------------------------------------------------------------------

MAX_STRENGTHS = 4
MAX_WEAKNESSES = 4


class Reasons(BaseModel):
    """Why a file scored as it did: facts with their lines, and at most one sentence from the model."""

    summary: str = Field(description="one complete sentence: what the file is and what it shows")
    strengths: list[str] = Field(default_factory=list, max_length=MAX_STRENGTHS)
    weaknesses: list[str] = Field(default_factory=list, max_length=MAX_WEAKNESSES)
    summary_by: Literal["model", "facts"] = "facts"


def _rank(f: Finding) -> tuple[float, int]:
    return (-_WEIGHT.get(f.dimension, 0.1) - (0.05 if f.lines else 0.0), 0)


def facts_summary(facts: FileFacts, role: Role) -> str:
    shows = ", ".join(facts.patterns[:3])
    what = f"A {role.value} of {facts.logic_lines} logic lines"
    return f"{what} showing {shows}." if shows else f"{what}."


def build_reasons(facts: FileFacts, role: Role, dims: tuple[str, ...], sentence: str | None = None) -> Reasons:
    """Strengths and weaknesses from the facts (only of dimensions the file is scored on)."""
    keep = [f for f in facts.findings if f.dimension in dims]
    strengths = [f.render() for f in sorted((f for f in keep if f.good), key=_rank)][:MAX_STRENGTHS]
    weaknesses = [f.render() for f in sorted((f for f in keep if not f.good), key=_rank)][:MAX_WEAKNESSES]
    if facts.parse != "full":
        weaknesses = [*weaknesses[: MAX_WEAKNESSES - 1], "only partly parsed: " + "; ".join(facts.problems)[:100]]
    if sentence:
        return Reasons(summary=sentence, strengths=strengths, weaknesses=weaknesses, summary_by="model")
    return Reasons(summary=facts_summary(facts, role), strengths=strengths, weaknesses=weaknesses)
