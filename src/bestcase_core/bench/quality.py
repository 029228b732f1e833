"""``bestcase bench quality`` and ``fit``: judges side by side on the same pairs, and the judge's fit.

Pair accuracy counts a pair right when the better version scores strictly higher;
a tie is reported as a tie (and is not right). Seconds per file are medians of
the seconds each judge took per file when it scored it.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..analysis import analyze
from ..judge import (
    FEATURES,
    JudgeWeights,
    applicable,
    design_row,
    features,
    judge_facts,
    judge_key,
    save_weights,
)
from ..practices import PRACTICES
from ..roles import role_for_path
from ..settings import Settings
from .judges import HybridJudge, Judge, LegacyJudge, SeedJudge, StaticJudge
from .suites import Pair, corpus_files, natural_pairs, synthetic_pairs


@dataclass
class Scored:
    pair: Pair
    better: float
    worse: float
    seconds: list[float]

    @property
    def right(self) -> bool:
        return self.better > self.worse and not self.tie

    @property
    def tie(self) -> bool:
        return round(self.better, 1) == round(self.worse, 1)


@dataclass
class JudgeResult:
    judge: str
    scored: list[Scored] = field(default_factory=list)

    def rows(self, pred: Callable[[Scored], bool]) -> tuple[int, int, int]:
        sel = [s for s in self.scored if pred(s)]
        return len(sel), sum(s.right for s in sel), sum(s.tie for s in sel)

    def seconds(self) -> float:
        xs = [x for s in self.scored for x in s.seconds]
        return statistics.median(xs) if xs else 0.0


def make_judge(spec: str, settings: Settings) -> Judge:
    """``static``, ``hybrid:<model>``, ``r2:<model>`` or ``seed:<model>``; ``@<ctx>`` sets that judge's context."""
    spec, _, ctx = spec.partition("@")
    kind, _, model = spec.partition(":")
    if kind == "static":
        return StaticJudge()
    s = settings.model_copy(update={"model": model or settings.model, **({"n_ctx": int(ctx)} if ctx else {})})
    return {"hybrid": HybridJudge, "r2": LegacyJudge, "seed": SeedJudge}[kind](s)


def score_pairs(judge: Judge, pairs: list[Pair], log: Any = print, *, cached_only: bool = False) -> JudgeResult:
    """The judge on every pair (with ``cached_only``, on the pairs it can score without running the model)."""
    out = JudgeResult(judge.name)
    if cached_only:
        pairs = [p for p in pairs if judge.has(p.path, p.better) and judge.has(p.path, p.worse)]
    for i, p in enumerate(pairs, 1):
        b, sb = judge.score(p.path, p.better)
        w, sw = judge.score(p.path, p.worse)
        out.scored.append(Scored(p, b, w, [sb, sw]))
        if i % 10 == 0 or i == len(pairs):
            log(f"  {judge.name}: {i}/{len(pairs)} pairs")
    return out


def build_pairs(per_package: int, repos: Path | None, log: Any = print, natural_tsv: Path | None = None) -> list[Pair]:
    natural, problems = natural_pairs(repos, natural_tsv) if natural_tsv else natural_pairs(repos)
    for p in problems:
        log(f"  natural pair skipped: {p}")
    return natural + synthetic_pairs(per_package)


def select_pairs(pairs: list[Pair], which: str) -> list[Pair]:
    """``all``, a suite (``natural``, ``synthetic``), or its held-out or fitting pairs (``natural-test``, ``-fit``)."""
    if which == "all":
        return pairs
    suite, _, split = which.partition("-")
    return [p for p in pairs if p.suite == suite and (not split or p.split == split)]


# --- the report ----------------------------------------------------------------------------------


def _pct(n: int, right: int) -> str:
    return f"{right}/{n} ({100 * right / n:.0f}%)" if n else "-"


def render_quality(results: list[JudgeResult], pairs: list[Pair], command: str, machine: str, date: str) -> str:
    kinds = sorted({(p.suite, p.kind) for p in pairs})
    lines = [
        f"### Judge quality on {machine}",
        "",
        f"{date}; command: `{command}`.",
        "",
        "Pair accuracy: the better version scores strictly higher. *held out*: pairs whose package or repository, "
        "or whose degradation type, was never used in fitting.",
        "",
        "| judge | synthetic, all | synthetic, held out | natural, all | natural, held-out repos | ties "
        "| s/file (median) |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        syn = r.rows(lambda s: s.pair.suite == "synthetic")
        syn_t = r.rows(lambda s: s.pair.suite == "synthetic" and s.pair.split == "test")
        nat = r.rows(lambda s: s.pair.suite == "natural")
        nat_t = r.rows(lambda s: s.pair.suite == "natural" and s.pair.split == "test")
        n_all = len(r.scored)
        ties = sum(s.tie for s in r.scored)
        lines.append(
            f"| {r.judge} | {_pct(syn[0], syn[1])} | {_pct(syn_t[0], syn_t[1])} | {_pct(nat[0], nat[1])} | "
            f"{_pct(nat_t[0], nat_t[1])} | {ties}/{n_all} ({100 * ties / max(1, n_all):.1f}%) | {r.seconds():.3f} |"
        )
    lines += same_pairs(results)
    lines += ["", "Per type (synthetic: degradation; natural: what the commit improved):", ""]
    lines.append("| suite | type | pairs | " + " | ".join(r.judge for r in results) + " |")
    lines.append("|---|---|---|" + "---|" * len(results))
    for suite, kind in kinds:
        cells = []
        n = sum(1 for p in pairs if p.suite == suite and p.kind == kind)
        for r in results:

            def of_kind(s: Scored, suite: str = suite, kind: str = kind) -> bool:
                return s.pair.suite == suite and s.pair.kind == kind

            scored, right, _ = r.rows(of_kind)
            cells.append(f"{100 * right / scored:.0f}%" if scored else "-")
        held = " (held out)" if suite == "synthetic" and kind in ("anys", "indent", "all") else ""
        lines.append(f"| {suite} | {kind}{held} | {n} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def same_pairs(results: list[JudgeResult]) -> list[str]:
    """Where judges scored different pairs (a model judge's cached ones), each on the natural pairs all scored."""
    names = [{s.pair.name for s in r.scored if s.pair.suite == "natural"} for r in results]
    if len(results) < 2 or all(n == names[0] for n in names):
        return []
    common = set.intersection(*names)
    cells = []
    for r in results:
        n, right, ties = r.rows(lambda s: s.pair.suite == "natural" and s.pair.name in common)
        cells.append(f"{r.judge} {right}/{n}" + (f" ({ties} tie{'s' if ties > 1 else ''})" if ties else ""))
    return ["", f"Side by side on the {len(common)} natural pairs every judge scored: " + ", ".join(cells) + "."]


def misses(result: JudgeResult, suite: str = "natural") -> list[str]:
    return [
        f"`{s.pair.name}` ({s.pair.kind}, {s.pair.split}): {s.better:.1f} after vs {s.worse:.1f} before"
        for s in result.scored
        if s.pair.suite == suite and not s.right
    ]


# --- fitting --------------------------------------------------------------------------------------


def _static_facts_silent_answers(names: list[str]) -> dict[str, float]:
    """The static judge's fact weights, and 0 for every model answer."""
    from ..judge import weights_for
    from .fit import PRIOR

    static = weights_for("static", None)[1].weights
    return {n: 0.0 if n.startswith(("m.", "q.")) else static.get(n, PRIOR[n]) for n in names}


def fit_judge(
    judge: str,
    settings: Settings,
    pairs: list[Pair],
    command: str,
    log: Any = print,
    *,
    cached_only: bool = False,
    keep_weights: bool = False,
) -> tuple[str, float | None, int]:
    """Fit ``static`` or ``hybrid:<model>`` on the pairs of the ``fit`` split; write judge_weights.json.

    ``cached_only`` (hybrid): use only pairs and corpus files whose model answers are already
    cached; when no fit pair is, the facts keep the static judge's fitted weights and every
    answer gets weight 0 (held-out pairs never set a weight). A hybrid judge's answers also get 0
    when, on the fit pairs, they do not raise leave-one-group-out accuracy over the facts alone.
    ``keep_weights`` (static): keep the weights written last and only calibrate them again, for
    a rubric that changes facts but not what they are worth.
    Returns (the weights' key, training accuracy, training pairs); the accuracy is None when the
    weights written are the static judge's (answers weighted 0) or kept.
    """
    from ..judge import weights_for
    from ..rubric import RUBRIC_VERSION
    from .fit import PRIOR, answers_earn_weight, calibrate, choose_l2, fit_weights

    hybrid = judge.startswith("hybrid")
    model = judge.partition(":")[2] or settings.model_name()
    hj = HybridJudge(settings.model_copy(update={"model": model})) if hybrid else None
    names = [n for n in FEATURES if n in PRIOR and (hybrid or not n.startswith(("m.", "q.")))]

    def ready(path: str, text: str) -> bool:
        return hj is None or not cached_only or hj.has(path, text)

    def inputs(path: str, text: str, answered: bool = True) -> tuple[dict[str, float], tuple[str, ...]]:
        role = role_for_path(path)
        facts = analyze(text, path, role.value)
        answers = hj.answers(path, text)[0] if hj is not None and answered else None
        return features(facts, answers), applicable(facts, role)

    def row(path: str, text: str) -> list[float]:
        return design_row(*inputs(path, text), names)

    if keep_weights and hybrid:
        from ..errors import CLIError

        raise CLIError("--keep-weights recalibrates the static judge: run it with --judge static")
    train = (
        []
        if keep_weights
        else [p for p in pairs if p.split == "fit" and ready(p.path, p.better) and ready(p.path, p.worse)]
    )
    diffs = []
    for i, p in enumerate(train, 1):
        rb, rw = row(p.path, p.better), row(p.path, p.worse)
        diffs.append([b - w for b, w in zip(rb, rw, strict=True)])
        if i % 20 == 0:
            log(f"  features: {i}/{len(train)} training pairs")
    if train:
        l2, cv, cv_loss = choose_l2(diffs, [p.group for p in train], names)
        log(
            "  leave-one-group-out by L2 (accuracy, logistic loss): "
            + ", ".join(f"{k}: {v:.1%}, {cv_loss[k]:.3f}" for k, v in cv.items())
        )
        report = fit_weights(diffs, names, l2=l2)
        weights = report.weights
        acc: float | None = report.train_accuracy
        log(f"  fitted on {report.pairs} pairs (L2 {l2}): training accuracy {report.train_accuracy:.1%}")
        kinds: defaultdict[str, int] = defaultdict(int)
        for p in train:
            kinds[f"{p.suite}/{p.kind}"] += 1
        what = ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))
        fitted_on = f"L2 {l2}; {report.pairs} pairs ({what})"
        if hybrid:
            earn, with_answers, without = answers_earn_weight(diffs, [p.group for p in train], names, cv)
            log(f"  leave-one-group-out accuracy with the answers {with_answers:.1%}, facts alone {without:.1%}")
            if hj is not None:
                sep = answer_separation(hj, [p for p in pairs if p.suite == "natural"])
                n = max((total for _, _, total in sep.values()), default=0)
                log(
                    f"  each answer on the {n} answered natural pairs (higher for the better version / for the worse): "
                    + ", ".join(f"{k} {up}/{down}" for k, (up, down, _) in sorted(sep.items()))
                )
            if not earn:
                weights, acc = _static_facts_silent_answers(names), None  # not this fit's weights
                fitted_on = (
                    f"facts: the static judge's fitted weights; model answers: 0, as on {report.pairs} fit pairs "
                    f"({what}) they did not raise leave-one-group-out accuracy ({with_answers:.1%} with them, "
                    f"{without:.1%} with the facts alone)"
                )
    elif keep_weights:
        _, current = weights_for("static", None)
        weights, acc = dict(current.weights), None
        fitted_on = current.fitted_on.split("; calibrated on")[0] + f"; weights kept under rubric {RUBRIC_VERSION}"
        log("  " + fitted_on)
    else:
        weights = _static_facts_silent_answers(names)  # no training pair has shown what an answer is worth
        acc = None
        fitted_on = "facts: the static judge's fitted weights; model answers: 0 (no fit pair had answers)"
        if hj is not None:
            sep = answer_separation(hj, [p for p in pairs if p.suite == "natural" and p.split == "test"])
            if sep:
                n = max(total for _, _, total in sep.values())
                preferred = sorted(k for k, (up, down, _) in sep.items() if up > down)
                fitted_on += (
                    f"; for the record, answers that preferred the better version on {n} held-out natural "
                    f"pairs (not used): {', '.join(preferred) or 'none'}"
                )
        log("  " + fitted_on)
    # answers all weighted 0 add nothing: calibrate on the static judge's corpus, without the model
    answered = any(weights.get(n, 0.0) for n in names if n.startswith(("m.", "q.")))
    originals = {(rel, text) for _, rel, text in corpus_files(per_package=8 if answered else 40)}
    originals |= {(p.path, p.better) for p in pairs if p.suite == "synthetic"}
    corpus = [inputs(rel, text, answered) for rel, text in sorted(originals) if not answered or ready(rel, text)]
    if not corpus:
        from ..errors import CLIError

        raise CLIError(
            f"the answers earned weight, and calibrating them needs the model's answers on {len(originals)} "
            "corpus files, of which none is cached: run the same fit without --cached-only (nothing was written)"
        )
    weights_obj = calibrate(corpus, weights, f"{fitted_on}; calibrated on {len(corpus)} corpus files", command)
    log("  " + exemplar_bar_report(originals, weights_obj, settings.exemplar_threshold))
    key = judge_key("hybrid" if hybrid else "static", model if hybrid else None)
    save_weights(key, weights_obj)
    return key, acc, len(train)


def answer_separation(hj: HybridJudge, pairs: list[Pair]) -> dict[str, tuple[int, int, int]]:
    """Per model answer: (pairs where it is higher for the better version, for the worse, pairs), on cached pairs."""
    out: dict[str, list[int]] = {}
    for p in pairs:
        if not (hj.has(p.path, p.better) and hj.has(p.path, p.worse)):
            continue
        better, worse = hj.answers(p.path, p.better)[0], hj.answers(p.path, p.worse)[0]
        for k in better.keys() & worse.keys():
            row = out.setdefault(k, [0, 0, 0])
            row[0] += better[k] > worse[k]
            row[1] += better[k] < worse[k]
            row[2] += 1
    return {k: (v[0], v[1], v[2]) for k, v in out.items()}


def exemplar_bar_report(files: set[tuple[str, str]], weights: JudgeWeights, bar: float) -> str:
    """Where the exemplar bar sits on the calibration corpus: its 75th percentile, and how many of its
    files with something to teach reach the bar and the seed's 85 (``docs/scoring.md``, section 4)."""
    from ..judge import TEACHING_MIN, teaching_value

    scores, teaching = [], []
    for rel, text in sorted(files):
        role = role_for_path(rel)
        facts = analyze(text, rel, role.value)
        score = judge_facts(facts, applicable(facts, role), None, weights)[1]
        scores.append(score)
        if teaching_value(facts, role) >= TEACHING_MIN:
            teaching.append(score)
    if len(scores) < 2:
        return "exemplar bar: no corpus to place it on"
    p75 = statistics.quantiles(scores, n=4, method="inclusive")[2]
    return (
        f"exemplar bar {bar:g}: corpus 75th percentile {p75:.1f} ({len(scores)} files); of its {len(teaching)} "
        f"files with something to teach, {sum(s >= bar for s in teaching)} reach {bar:g} and "
        f"{sum(s >= 85 for s in teaching)} reach 85"
    )


# --- known groups ---------------------------------------------------------------------------------


@dataclass
class ProjectResult:
    name: str
    group: str
    score: float
    files: int
    code_score: float
    practices: int
    exemplars: list[str]
    top3: list[str]
    picks: tuple[str, ...]

    @property
    def picks_in_top3(self) -> int:
        return sum(1 for p in self.picks if p in self.top3)


def known_groups(
    judge: Judge,
    settings: Settings,
    dest: Path,
    repos: Path | None,
    max_files: int,
    log: Any = print,
    tsv: Path | None = None,
) -> list[ProjectResult]:
    """Each known project scanned as the scan does it (discovery, selection, the judge, the exemplar rule).

    ``tsv`` lists the projects (default: the bundled ``known_groups.tsv``).
    """
    from ..discovery import find_projects, select_files, walk_files
    from ..judge import is_exemplar, teaching_value
    from ..practices import code_score, practices_of, project_score, with_repository_top
    from .suites import KNOWN_GROUPS_TSV, known_top, known_workspace

    known = {p.folder: p for p in known_workspace(dest, repos, tsv or KNOWN_GROUPS_TSV)}
    out = []
    for project in find_projects(dest).projects:
        meta = known.get(project.name)
        if meta is None:
            continue
        files, _ = walk_files(project, max_bytes=settings.max_file_bytes, root=dest)
        scored = []
        for f in select_files(files, max_files):
            try:
                text = f.path.read_text("utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            if not text.strip():
                continue
            overall, _ = judge.score(f.rel, text)
            facts = analyze(text, f.rel, f.role.value)
            teach = teaching_value(facts, f.role)
            ex = (
                is_exemplar(overall, teach, settings.exemplar_threshold)
                if isinstance(judge, StaticJudge | HybridJudge)
                else overall >= settings.exemplar_threshold
            )
            scored.append((f.rel, overall, teach, ex, facts.code_lines()))
        log(f"  {judge.name}: {project.name} {len(scored)} files")
        if not scored:
            continue
        eligible = sorted((s for s in scored if s[2] >= 0.5), key=lambda s: -s[1])
        practices = practices_of(project)
        top = known_top(dest, meta)
        if top is not None:  # the scan reads a monorepo app's practices up to its repository's top
            practices = with_repository_top(practices, top)
        out.append(
            ProjectResult(
                name=project.name,
                group=meta.group,
                score=project_score([(s[1], s[4]) for s in scored], practices),
                files=len(scored),
                code_score=code_score([(s[1], s[4]) for s in scored]),
                practices=sum(p.found for p in practices),
                exemplars=[s[0] for s in scored if s[3]],
                top3=[s[0] for s in eligible[:3]],
                picks=meta.picks,
            )
        )
    return out


def _ranges(strong: list[ProjectResult], weak: list[ProjectResult], key: Callable[[ProjectResult], float]) -> str:
    if not (strong and weak):
        return "-"
    s, w = [key(r) for r in strong], [key(r) for r in weak]
    return f"{min(s):.1f}-{max(s):.1f} / {min(w):.1f}-{max(w):.1f}"


def render_known(results: dict[str, list[ProjectResult]], max_files: int, threshold: float) -> str:
    lines = [
        f"Known groups: real projects of known quality in one workspace (at most {max_files} files each, as the scan "
        f"picks them; exemplar threshold {threshold:g}). A project's score is its code score with a tenth given "
        "to the engineering practices found (lint, typecheck, tests, CI, dependency updates); *files alone* is "
        "the code score: the files' mean, each file drawn towards 50 by how little code it holds "
        "(`bestcase_core/practices.py`).",
        "",
        "| judge | every strong above every weak | strong/weak score range | files alone | exemplars from strong "
        "| reviewer picks in top 3 |",
        "|---|---|---|---|---|---|",
    ]
    for judge, rows in results.items():
        strong = [r for r in rows if r.group == "strong"]
        weak = [r for r in rows if r.group == "weak"]
        ok = bool(strong and weak) and min(r.score for r in strong) > max(r.score for r in weak)
        ex_strong = sum(len(r.exemplars) for r in strong)
        ex_all = ex_strong + sum(len(r.exemplars) for r in weak)
        picks = sum(r.picks_in_top3 for r in rows)
        n_picks = sum(min(3, len(r.picks)) for r in rows)
        rng = _ranges(strong, weak, lambda r: r.score)
        code_ok = bool(strong and weak) and min(r.code_score for r in strong) > max(r.code_score for r in weak)
        code = f"{'yes' if code_ok else 'no'}, {_ranges(strong, weak, lambda r: r.code_score)}"
        lines.append(
            f"| {judge} | {'yes' if ok else 'no'} | {rng} | {code} | {ex_strong}/{ex_all} | {picks}/{n_picks} |"
        )
    lines += ["", "| project | group | " + " | ".join(results) + " |", "|---|---|" + "---|" * len(results)]
    names = sorted(
        {(r.group, r.name) for rows in results.values() for r in rows}, key=lambda x: (x[0] != "strong", x[1])
    )
    for group, name in names:
        cells = []
        for rows in results.values():
            r = next((x for x in rows if x.name == name), None)
            cells.append(
                f"{r.score:.1f} (files {r.code_score:.1f}, {r.practices}/{len(PRACTICES)} practices, "
                f"{len(r.exemplars)} ex., {r.picks_in_top3}/{len(r.picks)} picks)"
                if r
                else "-"
            )
        lines.append(f"| {name.split('/', 1)[1].replace('+', '/')} | {group} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
