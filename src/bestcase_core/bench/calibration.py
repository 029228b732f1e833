"""Fitting a model's score calibration on the reference corpus (real Nuxt code from npm)."""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

from ..registry import Calibration, save_calibration
from ..rubric import RUBRIC_VERSION
from ..scorer import Scorer
from ..settings import Settings
from .run import bench_workspace


def fit_calibration(settings: Settings, *, files: int, work: Path, command: str, log: Any = print) -> Calibration:
    """Score ``files`` corpus files on the raw scale and record where the median and the 90th percentile fall."""
    root, chosen = bench_workspace(work, files, settings.max_files)
    scorer = Scorer(settings=settings, exemplar_threshold=101, calibrated=False)
    raw: list[float] = []
    for i, (project, rel) in enumerate(chosen, 1):
        result = scorer.score_text((root / project / rel).read_text("utf-8"), rel)
        raw.append(result.overall)
        log(f"[{i}/{len(chosen)}] {project}/{rel}: raw {result.overall}")
    deciles = statistics.quantiles(raw, n=10, method="inclusive")
    cal = Calibration(
        rubric_version=RUBRIC_VERSION,
        p50=round(statistics.median(raw), 2),
        p90=round(deciles[8], 2),
        files=len(raw),
        command=command,
    )
    save_calibration(settings.model_name(), cal)
    return cal
