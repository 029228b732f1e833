"""A self-contained HTML report beside the store: no scripts, fonts or images from anywhere.

It shows each project's tier and score, a histogram of its file scores, the
exemplars with their reasons and code, and the files that failed and why.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from .index import ScanIndex
from .practices import project_score
from .rubric import EXEMPLAR_THRESHOLD, tier
from .store import BestCaseStorage, atomic_write

REPORT_FILE = "report.html"

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
header{background:#1d2330;color:#fff;padding:16px 24px}header h1{margin:0;font-size:20px}
header p{margin:4px 0 0;color:#b9c0cf}main{padding:16px 24px;max-width:1200px}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #dde1e8}
th,td{padding:6px 10px;border-bottom:1px solid #eceef2;text-align:left;vertical-align:top}
th{background:#eef0f4;font-weight:600}.num{text-align:right;font-variant-numeric:tabular-nums}
section.project{background:#fff;border:1px solid #dde1e8;border-radius:6px;margin:18px 0;padding:12px 16px}
section.project h2{margin:0 0 6px;font-size:17px}
.tier{display:inline-block;min-width:22px;text-align:center;border-radius:4px;color:#fff;font-weight:700;padding:0 6px}
.tier-S{background:#7b3fe4}.tier-A{background:#1f9d55}.tier-B{background:#2b7bb9}.tier-C{background:#d69e2e}
.tier-D{background:#c53030}.muted{color:#6b7385}
details{margin:8px 0;border:1px solid #e3e6ec;border-radius:4px;padding:6px 10px;background:#fbfcfd}
summary{cursor:pointer;font-weight:600}
pre{background:#0f1320;color:#e6e9f0;padding:10px;border-radius:4px;overflow:auto;max-height:420px;font-size:12px}
ul{margin:4px 0 8px 18px;padding:0}.fail{color:#9b2c2c}.hist{margin:6px 0}
"""


def _histogram(scores: list[float]) -> str:
    """An inline SVG bar chart of scores in ten 10-point bins."""
    bins = [0] * 10
    for s in scores:
        bins[min(9, int(s // 10))] += 1
    peak = max(bins) or 1
    w, h, bar = 320, 70, 28
    parts = [f'<svg class="hist" width="{w}" height="{h + 16}" role="img" aria-label="score histogram">']
    for i, n in enumerate(bins):
        bh = round(h * n / peak)
        x = i * (bar + 4)
        parts.append(
            f'<rect x="{x}" y="{h - bh}" width="{bar}" height="{bh}" fill="#4c6ef5"><title>'
            f"{i * 10}-{i * 10 + 9}: {n} file(s)</title></rect>"
        )
        parts.append(
            f'<text x="{x + bar / 2}" y="{h + 12}" font-size="9" text-anchor="middle" fill="#6b7385">{i * 10}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def render_report(
    store: BestCaseStorage, index: ScanIndex, summary: Any | None = None, threshold: float = EXEMPLAR_THRESHOLD
) -> str:
    projects = index.active_projects()
    rows = []
    sections = []
    latest = {r.projectName: r for r in store.latest_per_project()}
    for name in projects:
        files = index.active_files(name)
        failures = index.failures(name)
        if not files and not failures:
            continue
        scored = [(f.score.overall, f.score.code_lines) for f in files]
        scores = [s for s, _ in scored]
        record = latest.get(name)
        practices = record.patterns.practices if record is not None and record.patterns.practices else None
        score = project_score(scored, practices) if scored else 0.0
        t = tier(score)
        exemplars = sorted(
            (f.score for f in files if f.score.exemplar_at(threshold)),
            key=lambda s: -s.overall,
        )
        rows.append(
            f"<tr><td><a href='#p-{escape(name)}'>{escape(name)}</a></td><td><span class='tier tier-{t}'>{t}</span>"
            f"</td><td class='num'>{score}</td><td class='num'>{len(files)}</td><td class='num'>{len(exemplars)}</td>"
            f"<td class='num'>{len(failures)}</td></tr>"
        )
        contents = {f.path: f.content for f in record.files} if record else {}
        body = [
            f"<section class='project' id='p-{escape(name)}'><h2><span class='tier tier-{t}'>{t}</span> "
            f"{escape(name)} <span class='muted'>score {score}, {len(files)} files</span></h2>",
            _histogram(scores),
        ]
        if practices:
            body.append("<p class='muted'>Practices: " + "; ".join(escape(p.render()) for p in practices) + "</p>")
        if exemplars:
            body.append("<h3>Exemplars</h3>")
        for s in exemplars:
            dims = ", ".join(f"{escape(k)} {v:.0f}" for k, v in s.dimensions.items())
            reasons = ""
            if s.reasons:
                strengths = "".join(f"<li>{escape(x)}</li>" for x in s.reasons.strengths)
                weaknesses = "".join(f"<li>{escape(x)}</li>" for x in s.reasons.weaknesses)
                reasons = f"<p>{escape(s.reasons.summary)}</p>"
                reasons += f"<b>Strengths</b><ul>{strengths}</ul>" if strengths else ""
                reasons += f"<b>Weaknesses</b><ul>{weaknesses}</ul>" if weaknesses else ""
            code = contents.get(s.path)
            code_html = f"<pre><code>{escape(code)}</code></pre>" if code is not None else ""
            body.append(
                f"<details open><summary>{escape(s.path)} - {s.overall:.1f} ({escape(s.role.value)}, "
                f"{escape(s.judge)} judge)</summary>"
                f"<p class='muted'>{dims}</p>{reasons}{code_html}</details>"
            )
        others = sorted((f.score for f in files if f.score not in exemplars), key=lambda s: -s.overall)
        if others:
            body.append(
                "<details><summary>Other files</summary><table><tr><th>file</th><th>role</th>"
                "<th class='num'>overall</th></tr>"
            )
            body += [
                f"<tr><td>{escape(s.path)}</td><td>{escape(s.role.value)}</td><td class='num'>{s.overall:.1f}</td></tr>"
                for s in others
            ]
            body.append("</table></details>")
        if failures:
            body.append("<h3>Failed</h3><ul>")
            body += [f"<li class='fail'>{escape(p)}: {escape(r)}</li>" for _, p, r in failures]
            body.append("</ul>")
        body.append("</section>")
        sections.append("".join(body))
    head = ""
    if summary is not None:
        head = (
            f"<p>{escape(str(summary.model))} · rubric {escape(str(summary.rubric_version))} · last scan "
            f"{escape(str(summary.finished_at or summary.started_at))} · {summary.files_scored} scored, "
            f"{summary.files_unchanged} unchanged, {len(summary.files_failed)} failed</p>"
        )
    table = (
        "<table><tr><th>project</th><th>tier</th><th class='num'>score</th><th class='num'>files</th>"
        "<th class='num'>exemplars</th><th class='num'>failed</th></tr>" + "".join(rows) + "</table>"
    )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'><title>bestcase report</title>"
        f"<style>{_CSS}</style></head><body><header><h1>bestcase report</h1>{head}</header><main>"
        f"{table if rows else '<p>No scored projects yet.</p>'}{''.join(sections)}</main></body></html>"
    )


def write_report(
    store: BestCaseStorage, index: ScanIndex, summary: Any | None = None, threshold: float = EXEMPLAR_THRESHOLD
) -> Path:
    path = store.path / REPORT_FILE
    with store.write_lock():
        atomic_write(path, render_report(store, index, summary, threshold).encode("utf-8"))
    return path
