"""Findings read against their code, run again: does the judge still raise what readers called right?

``bench/data/finding_checks.tsv`` holds findings sampled from public repositories (one per repository,
``bestcase bench hits``) and a reader's verdict on each: TRUE (right, and a weakness), FALSE (wrong about
the code) or NOT_WEAK (right, but no weakness there). ``bestcase bench checks --repos DIR`` reads each
file at its blob from ``DIR/owner+name/repo``, measures it with the current rules and counts, per
verdict and per finding, how many are still raised: a rule change should keep the TRUE ones and drop
the FALSE ones. A row with ``lines`` was read at those lines: it counts as raised only where the finding
names one of them (the file may have the same weakness elsewhere).

``bench/data/exemplar_checks.tsv`` holds exemplars of the known groups that readers who did not know
which app was which called YES (hand it to a new colleague), MAYBE or NO; the same command scores each
file alone with the static judge and counts, per group and verdict, how many are still exemplars. With
``--judge hybrid:MODEL`` it also asks the model about each of those files (or reads its cached answers)
and shows how well each answer, and the static score, tells the files readers accepted from the rest.
"""

from __future__ import annotations

import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..analysis import analyze
from ..roles import role_for_path
from .suites import DATA, _git_dir_arg, read_tsv

#: The verdicts a reader gives, in the order they are shown.
VERDICTS = ("TRUE", "FALSE", "NOT_WEAK")


@dataclass
class Checks:
    raised: Counter[tuple[str, str]] = field(default_factory=Counter)  # (finding, verdict) still raised
    total: Counter[tuple[str, str]] = field(default_factory=Counter)  # (finding, verdict) read
    missing: int = 0  # rows whose file could not be read (no mirror, no blob)


def _blob(repos: Path, repo: str, sha: str) -> str | None:
    git_dir = repos / repo.replace("/", "+", 1)
    git_dir = git_dir / "repo" if (git_dir / "repo").exists() else git_dir
    if not git_dir.exists():
        return None
    proc = subprocess.run(["git", _git_dir_arg(git_dir), "cat-file", "blob", sha], capture_output=True, timeout=60)
    return proc.stdout.decode("utf-8", "replace") if proc.returncode == 0 else None


def run_checks(repos: Path, tsv: Path | None = None) -> Checks:
    """Each distinct (finding, repository, path) of ``tsv`` measured again; its first verdict counts."""
    out = Checks()
    seen: set[tuple[str, str, str]] = set()
    for row in read_tsv(tsv or DATA / "finding_checks.tsv"):
        key = (row["finding"], row["repo"], row["path"])
        if key in seen:
            continue
        seen.add(key)
        text = _blob(repos, row["repo"], row["blob"])
        if text is None:
            out.missing += 1
            continue
        facts = analyze(text, row["path"], role_for_path(row["path"]).value)
        cell = (row["finding"], row["verdict"])
        lines = {int(x) for x in (row.get("lines") or "").split(",") if x.strip()}
        out.total[cell] += 1
        out.raised[cell] += any(
            f.key == row["finding"] and not f.good and (not lines or lines & set(f.lines)) for f in facts.findings
        )
    return out


def render_checks(c: Checks) -> str:
    """A Markdown table: per finding, how many of each verdict are still raised, of how many read."""
    findings = sorted({f for f, _ in c.total})
    lines = ["| finding | " + " | ".join(f"{v} still raised" for v in VERDICTS) + " |", "|---|---|---|---|"]
    for f in [*findings, "all"]:
        cells = []
        for v in VERDICTS:
            keys = [(x, v) for x in findings] if f == "all" else [(f, v)]
            raised, total = sum(c.raised[k] for k in keys), sum(c.total[k] for k in keys)
            cells.append(f"{raised}/{total}" if total else "-")
        lines.append(f"| {f} | " + " | ".join(cells) + " |")
    if c.missing:
        lines.append(f"\n{c.missing} checked finding(s) not measured: their repository is not under --repos")
    return "\n".join(lines)


#: A reader's verdict on an exemplar, in the order shown.
EXEMPLAR_VERDICTS = ("YES", "MAYBE", "NO")


def run_exemplar_checks(repos: Path, tsv: Path | None = None, threshold: float = 80.0) -> Checks:
    """Each exemplar readers judged, scored again alone by the static judge: (group, verdict) still an exemplar."""
    from ..judge import applicable, is_exemplar, judge_facts, teaching_value, weights_for

    _, weights = weights_for("static", None)
    out = Checks()
    for row in read_tsv(tsv or DATA / "exemplar_checks.tsv"):
        text = _blob(repos, row["repo"], row["blob"])
        if text is None:
            out.missing += 1
            continue
        role = role_for_path(row["app_path"])
        facts = analyze(text, row["app_path"], role.value)
        score = judge_facts(facts, applicable(facts, role), None, weights)[1]
        cell = (row["group"], row["verdict"])
        out.total[cell] += 1
        out.raised[cell] += is_exemplar(score, teaching_value(facts, role), threshold)
    return out


def render_exemplar_checks(c: Checks) -> str:
    """A Markdown table: per group, how many of each verdict are still exemplars, of how many read."""
    lines = ["| group | " + " | ".join(f"{v} still exemplars" for v in EXEMPLAR_VERDICTS) + " |", "|---|---|---|---|"]
    for g in sorted({g for g, _ in c.total}):
        cells = [f"{c.raised[(g, v)]}/{c.total[(g, v)]}" if c.total[(g, v)] else "-" for v in EXEMPLAR_VERDICTS]
        lines.append(f"| {g} | " + " | ".join(cells) + " |")
    if c.missing:
        lines.append(f"\n{c.missing} read exemplar(s) not measured: their repository is not under --repos")
    return "\n".join(lines)


def _auc(pos: list[float], neg: list[float]) -> float | None:
    """The chance that a random ``pos`` value is above a random ``neg`` one (ties count half)."""
    if not pos or not neg:
        return None
    return sum((p > n) + 0.5 * (p == n) for p in pos for n in neg) / (len(pos) * len(neg))


def exemplar_answers(repos: Path, judge: Any, cached_only: bool = False, tsv: Path | None = None) -> list[dict]:
    """Per read exemplar: its verdict, group, static score and teaching value, and the hybrid ``judge``'s
    answers (``judge.answers``); with ``cached_only``, files whose answers are not cached are left out."""
    from ..judge import applicable, judge_facts, teaching_value, weights_for

    _, weights = weights_for("static", None)
    rows = []
    for row in read_tsv(tsv or DATA / "exemplar_checks.tsv"):
        text = _blob(repos, row["repo"], row["blob"])
        path = row["app_path"]
        if text is None or (cached_only and not judge.has(path, text)):
            continue
        role = role_for_path(path)
        facts = analyze(text, path, role.value)
        values = {
            "static score": judge_facts(facts, applicable(facts, role), None, weights)[1],
            "teaching value": teaching_value(facts, role),
            **judge.answers(path, text)[0],
        }
        rows.append({"verdict": row["verdict"], "group": row["group"], "values": values})
    return rows


def render_exemplar_answers(rows: list[dict], model: str) -> str:
    """A Markdown table: per value, its mean for each verdict and how well it orders accepted (YES, MAYBE)
    above rejected (NO) exemplars, and strong apps' above weak apps' (0.5: no better than chance)."""
    keys = list(dict.fromkeys(k for r in rows for k in r["values"]))
    lines = [
        f"{len(rows)} read exemplars with {model}'s answers (P(yes), or the digit's expectation for `m.*`).",
        "",
        "| value | mean, YES | mean, MAYBE | mean, NO | AUC accepted over NO | AUC strong over weak |",
        "|---|---|---|---|---|---|",
    ]

    def vals(k: str, pred: Any) -> list[float]:
        return [r["values"][k] for r in rows if k in r["values"] and pred(r)]

    for k in keys:
        means = []
        for v in EXEMPLAR_VERDICTS:
            xs = vals(k, lambda r, v=v: r["verdict"] == v)
            means.append(f"{sum(xs) / len(xs):.3f}" if xs else "-")
        aucs = [
            _auc(vals(k, lambda r: r["verdict"] != "NO"), vals(k, lambda r: r["verdict"] == "NO")),
            _auc(vals(k, lambda r: r["group"] == "strong"), vals(k, lambda r: r["group"] == "weak")),
        ]
        cells = " | ".join(f"{a:.2f}" if a is not None else "-" for a in aucs)
        lines.append(f"| {k} | " + " | ".join(means) + f" | {cells} |")
    return "\n".join(lines)
