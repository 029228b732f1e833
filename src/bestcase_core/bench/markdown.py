"""The benchmark's tables, for the terminal and for docs/benchmarks.md."""

from __future__ import annotations

import json
import re
import statistics
from dataclasses import asdict
from pathlib import Path

from .run import BenchResult, RunFigures


def _median(xs: list[int]) -> str:
    return f"{statistics.median(xs):.0f}" if xs else "-"


def _ratio(base: RunFigures | None, run: RunFigures) -> str:
    if base is None or run is base:
        return "1.0x" if run is base else "-"
    if run.mean is not None and base.mean:
        return f"{base.mean / run.mean:.1f}x per file"
    if run.seconds_total > 0:
        return f"{base.seconds_total / run.seconds_total:.0f}x in total"
    return "-"


def render(result: BenchResult) -> str:
    base = next((r for r in result.runs if r.name.startswith("(a)")), None)
    lines = [
        f"### {result.model} on {result.machine}",
        "",
        f"{result.date}; command: `{result.command}`; GPU layers {result.gpu_layers}.",
        "",
        "| run | files | s/file (median) | s/file (mean) | s in all | files/s | prompt tok/file evaluated (median) "
        "| generated tok/file (median) | peak RSS MiB | vs (a), by the mean |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    runs = list(result.runs) + ([result.rescan_2000] if result.rescan_2000 else [])
    for r in runs:
        med = f"{r.median:.2f}" if r.median is not None else "-"
        mean = f"{r.mean:.2f}" if r.mean is not None else "-"
        fps = f"{r.files_per_second:.2f}" if r.files_per_second < 100 else f"{r.files_per_second:,.0f}"
        lines.append(
            f"| {r.name}{' (' + r.note + ')' if r.note else ''} | {r.files} | {med} | {mean} | "
            f"{r.seconds_total:.1f} | {fps} | {_median(r.prompt_tokens)} | {_median(r.generated_tokens)} | "
            f"{r.peak_rss_mb:.0f} | {_ratio(base, r)} |"
        )
    b = next(r for r in result.runs if r.name.startswith("(b)"))
    d = next((r for r in result.runs if r.name.startswith("(d)")), None)
    lines.append("")
    if result.seed_parsed is not None:
        lines.append(f"- (a)'s outputs that parsed as the expected JSON: {result.seed_parsed:.0%}.")
    lines.append(
        f"- Prompt-processing ceiling: {result.pp_tokens_per_s:.0f} prompt tokens/s here; (b) evaluated "
        f"{sum(b.prompt_tokens):,} prompt tokens, so at least {result.ceiling_seconds:.1f} s. (b) took "
        f"{b.seconds_total:.1f} s, {b.seconds_total / result.ceiling_seconds:.2f}x the ceiling "
        "(it includes the rubric prefix once, the dimension branches and the exemplars' reasons)."
        if result.ceiling_seconds
        else "- Prompt-processing ceiling: not measured."
    )
    if result.ceiling_at_depth_seconds:
        lines.append(
            f"- The same ceiling where a file's tokens really start, after the {result.prefix_tokens}-token "
            f"rubric: {result.pp_at_depth_tokens_per_s:.0f} tokens/s, so at least "
            f"{result.ceiling_at_depth_seconds:.1f} s; (b) took "
            f"{b.seconds_total / result.ceiling_at_depth_seconds:.2f}x that."
        )
    lines.append(
        f"- The rubric prefix is {result.prefix_tokens} tokens, evaluated once in (b) and reused by every "
        f"later file: {'yes' if result.prefix_reused else 'NO'} (from the per-file cached-token counts)."
    )
    if d is not None and b.files:
        share = result.changed_files / b.files
        lines.append(
            f"- (d): {result.changed_files} of {b.files} files changed ({share:.0%}); (d) took "
            f"{d.seconds_total:.1f} s against {share:.0%} of (b) = {b.seconds_total * share:.1f} s; "
            f"the same files took {result.changed_seconds_in_b:.1f} s in (b)."
        )
    if result.quality:
        lines += [
            "",
            f"Quality on {result.quality_pairs} original/degraded pairs (comments stripped, types removed, "
            "identifiers renamed, error handling dropped):",
            "",
            "| method | original scores higher | ties | tie rate among originals | spread (sd) | s/file (median) |",
            "|---|---|---|---|---|---|",
        ]
        for q in result.quality:
            lines.append(
                f"| {q.method} | {q.original_higher}/{q.pairs} ({q.accuracy:.0%}) | {q.ties} | "
                f"{q.tie_rate:.0%} | {q.spread:.1f} | {q.seconds_per_file:.2f} |"
            )
        for q in (q for q in result.quality if q.method == "bestcase"):
            losses = [(f, o, d) for f, o, d in q.detail if o <= d]
            if losses:
                lines.append("")
                lines.append(
                    "Pairs where bestcase did not score the original higher (original, degraded): "
                    + "; ".join(f"`{f}` {o:.1f}, {d:.1f}" for f, o, d in losses)
                    + "."
                )
    lines += [f"- {n}" for n in result.notes]
    return "\n".join(lines) + "\n"


def write_section(doc: Path, key: str, body: str, header: str) -> None:
    """Replace (or append) the section ``key`` of ``doc``, keeping the others."""
    start, end = f"<!-- bench:{key} -->", f"<!-- /bench:{key} -->"
    text = doc.read_text("utf-8") if doc.exists() else header
    block = f"{start}\n{body}{end}\n"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end) + r"\n?", re.S)
    text = pattern.sub(lambda _: block, text) if start in text else text.rstrip("\n") + "\n\n" + block
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(text, "utf-8")


def save_json(result: BenchResult, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(asdict(result), indent=1, default=str), "utf-8")
