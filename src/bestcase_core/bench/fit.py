"""Fitting the judge's weights on pairs, and calibrating its scale on the reference corpus.

The model: for a pair (better, worse) of the same file,
``P(better wins) = sigmoid(w . (row(better) - row(worse)))`` where ``row`` is the
overall score's coefficient for each feature (:func:`bestcase_core.judge.design_row`).
Every feature is oriented so that higher is better, so every weight is kept
non-negative (a sign-constrained Bradley-Terry model), and a fact keeps at least
half its prior weight (:data:`FACT_FLOOR`). The loss is the mean
logistic loss plus an L2 pull towards the prior below, so a feature the pairs say
little about keeps its prior weight instead of an arbitrary one. Solved by
projected gradient descent (numpy; a few hundred pairs and fifty weights need
nothing more).

Then ``scale`` and ``offset`` are set so that on the reference corpus (real Nuxt
code from npm) the median file scores 75 and the 90th percentile 85.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..judge import FACT_DIMENSION, FEATURES, JudgeWeights
from ..rubric import CALIBRATION_ANCHORS

#: Prior weights: points of a dimension (before scale) per unit of each feature.
PRIOR: dict[str, float] = {
    "complexity": 1.0,
    "nesting": 0.5,
    "function_length": 0.5,
    "arguments": 0.3,
    "bumpy_road": 0.3,
    "complex_conditionals": 0.3,
    "file_length": 0.3,
    "indentation": 2.0,
    "meaningless_names": 2.0,
    "comments": 0.5,
    "documented_exports": 0.3,
    "console_logs": 0.5,
    "commented_code": 0.5,
    "legacy_syntax": 0.5,
    "dom_access": 0.5,
    "duplication": 1.0,
    "composables": 0.3,
    "typescript": 1.0,
    "typed_params": 1.0,
    "typed_returns": 0.2,
    "any": 0.5,
    "non_null": 0.2,
    "type_assertions": 0.2,
    "untyped_state": 0.5,
    "ts_ignore": 0.3,
    "typed_props": 0.5,
    "unhandled_async": 1.0,
    "empty_catch": 0.5,
    "log_only_catch": 0.3,
    "error_leak": 0.5,
    "status_lost": 0.5,
    "route_client": 0.5,
    "error_surfaced": 0.5,
    "raw_requests": 0.5,
    "hardcoded_urls": 0.5,
    "secrets": 1.0,
    "setup_fetch": 0.5,
    "mounted_fetch": 0.5,
    "late_fetch": 0.5,
    "unchecked_input": 0.5,
    "raw_write": 0.5,
    "typed_requests": 0.2,
    "props_mutated": 0.5,
    "watch_sync": 0.5,
    "module_state": 0.5,
    "computed": 0.2,
    "vfor_key": 0.5,
    "deep_watch": 0.3,
    "sequential_awaits": 0.3,
    "inline_styles": 0.5,
    "a11y": 0.3,
    "components": 0.3,
    **{k: 1.0 for k in FEATURES if k.startswith("m.")},
    **{k: 0.5 for k in FEATURES if k.startswith("q.")},
}


#: A fact keeps at least this share of its prior weight: a few hundred pairs should not switch off
#: a measure that research validated (cognitive complexity, typing, error paths), only tune it.
FACT_FLOOR = 0.5


@dataclass
class FitReport:
    pairs: int
    train_accuracy: float
    weights: dict[str, float]


def fit_weights(
    diffs: Sequence[Sequence[float]],
    names: list[str],
    *,
    l2: float = 0.05,
    steps: int = 3000,
    lr: float = 0.5,
) -> FitReport:
    """Non-negative weights for ``names`` from rows of (better - worse) coefficients."""
    x = np.asarray(diffs, dtype=np.float64)
    prior = np.array([PRIOR.get(n, 0.0) for n in names])
    floor = np.array([FACT_FLOOR * PRIOR.get(n, 0.0) if n in FACT_DIMENSION else 0.0 for n in names])
    w = prior.copy()
    if len(x) == 0:
        return FitReport(0, 0.0, dict(zip(names, prior.tolist(), strict=True)))
    # features differ in range: scale each column so one step size suits all; a feature the
    # pairs never vary keeps its prior
    col = np.abs(x).max(axis=0)
    col[col < 1e-9] = 1.0
    xs = x / col
    ws = w * col
    ps = prior * col
    lam = l2  # in the scaled space: each feature is pulled in proportion to its range
    for _ in range(steps):
        margin = xs @ ws
        p = 1.0 / (1.0 + np.exp(np.clip(margin, -50, 50)))  # d loss / d margin = -p
        grad = -(xs * p[:, None]).mean(axis=0) + 2 * lam * (ws - ps)
        ws = np.maximum(floor * col, ws - lr * grad)
    w = ws / col
    acc = float(((x @ w) > 0).mean())
    return FitReport(len(x), acc, {n: round(float(v), 5) for n, v in zip(names, w, strict=True)})


def choose_l2(
    diffs: Sequence[Sequence[float]],
    groups: Sequence[str],
    names: list[str],
    candidates: Sequence[float] = (0.02, 0.1, 0.5, 2.0),
) -> tuple[float, dict[float, float], dict[float, float]]:
    """The pull towards the prior that predicts held-out groups best (leave one package or repository out).

    Returns (best L2, left-out accuracy by L2, left-out mean logistic loss by L2). The choice is by the
    loss: accuracy moves in whole pairs and often ties between candidates (229 fit pairs under rubric
    r18 gave 73.8% at L2 0.02 and at 2.0, and the strongest pull scored 250 of 386 natural pairs
    against 283), while the loss also weighs how sure each prediction was.
    """
    x = np.asarray(diffs, dtype=np.float64)
    g = np.asarray(groups)
    accuracy: dict[float, float] = {}
    loss: dict[float, float] = {}
    for l2 in candidates:
        right, total = 0, 0.0
        for grp in sorted(set(groups)):
            test = g == grp
            if test.all():
                continue
            w = fit_weights(x[~test], names, l2=l2, steps=800).weights
            margin = x[test] @ np.array([w[n] for n in names])
            right += int((margin > 0).sum())
            total += float(np.logaddexp(0.0, -margin).sum())
        accuracy[l2] = right / len(x)
        loss[l2] = total / len(x)
    best = min(candidates, key=lambda c: (round(loss[c], 6), -c))
    return best, accuracy, loss


def answers_earn_weight(
    diffs: Sequence[Sequence[float]], groups: Sequence[str], names: list[str], cv: dict[float, float]
) -> tuple[bool, float, float]:
    """Whether a model's answers (``m.*``, ``q.*``) predict left-out groups better than the facts alone.

    ``cv`` is :func:`choose_l2`'s accuracy by L2 with every feature. Returns (earn, best accuracy
    with the answers, best accuracy with the facts alone); a tie goes to the facts, which cost no model.
    """
    facts = [i for i, n in enumerate(names) if not n.startswith(("m.", "q."))]
    _, cv_facts, _ = choose_l2([[d[i] for i in facts] for d in diffs], groups, [names[i] for i in facts])
    with_answers, without = max(cv.values()), max(cv_facts.values())
    return round(with_answers, 3) > round(without, 3), with_answers, without


def calibrate(
    corpus: Sequence[tuple[dict[str, float], tuple[str, ...]]], weights: dict[str, float], fitted_on: str, command: str
) -> JudgeWeights:
    """Centers, scale and offset that put the corpus median at 75 and its 90th percentile at 85.

    ``corpus`` holds each reference file's features and applicable dimensions.
    """
    from ..judge import _WEIGHT, dimension_sums

    sums = [dimension_sums(x, dims, weights) for x, dims in corpus]
    per_dim: dict[str, list[float]] = {}
    for s in sums:
        for d, v in s.items():
            per_dim.setdefault(d, []).append(v)
    centers = {d: round(statistics.fmean(v), 5) for d, v in per_dim.items()}
    raw = [sum(_WEIGHT[d] * (v - centers[d]) for d, v in s.items()) / sum(_WEIGHT[d] for d in s) for s in sums if s]
    lo, hi = CALIBRATION_ANCHORS
    p50 = statistics.median(raw)
    p90 = statistics.quantiles(raw, n=10, method="inclusive")[8]
    scale = (hi - lo) / max(p90 - p50, 1e-6)
    return JudgeWeights(
        weights=weights,
        scale=round(scale, 4),
        offset=round(lo - scale * p50, 4),
        centers=centers,
        fitted_on=fitted_on,
        command=command,
    )
