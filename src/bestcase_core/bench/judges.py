"""The judges the quality benchmark compares, each scoring a (path, text) to 0-100, with their seconds.

Model answers are cached by content (``bench/<judge>-<model>.jsonl`` in bestcase's cache), so a
refit or a rerun of the report does not run the model again; the seconds kept are
those measured when the answer was made. The hybrid judge caches the model's
answers, not its score: the combination is applied with the weights of the moment.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

from ..analysis import analyze
from ..judge import applicable, judge_facts, weights_for
from ..paths import cache_home
from ..roles import role_for_path
from ..settings import Settings


def cache_key(path: str, text: str) -> str:
    return hashlib.sha256(path.encode() + b"\0" + text.encode()).hexdigest()


class _Cache:
    def __init__(self, name: str) -> None:
        self.file = cache_home() / "bench" / f"{name.replace(':', '-').replace('/', '_')}.jsonl"
        self.rows: dict[str, dict[str, Any]] = {}
        if self.file.exists():
            for line in self.file.read_text("utf-8").splitlines():
                try:
                    row = json.loads(line)
                except ValueError:
                    continue  # a line cut by a kill
                self.rows[row["key"]] = row

    def get(self, key: str) -> dict[str, Any] | None:
        return self.rows.get(key)

    def put(self, key: str, row: dict[str, Any]) -> None:
        row = {"key": key, **row}
        self.rows[key] = row
        self.file.parent.mkdir(parents=True, exist_ok=True)
        with open(self.file, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(row) + "\n")


class Judge:
    """A named judge: ``score(path, text) -> (overall, seconds)``."""

    name = ""
    #: Texts the model saw cut to fit its context, by cache key (a cut file is judged on its start only).
    cut: set[str]

    def __init__(self) -> None:
        self.cut = set()

    def has(self, path: str, text: str) -> bool:
        """Whether scoring this text needs no model run (its answers are cached, or no model is used)."""
        return True

    def score(self, path: str, text: str) -> tuple[float, float]:
        raise NotImplementedError


class StaticJudge(Judge):
    name = "static"

    def __init__(self) -> None:
        super().__init__()
        self.weights = weights_for("static", None)[1]

    def score(self, path: str, text: str) -> tuple[float, float]:
        started = time.perf_counter()
        role = role_for_path(path)
        facts = analyze(text, path, role.value)
        _, overall = judge_facts(facts, applicable(facts, role), None, self.weights)
        return overall, time.perf_counter() - started


class HybridJudge(Judge):
    """The scan's hybrid judge; the model's answers come from the cache when it has them."""

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.settings = settings
        self.model = settings.model_name()
        self.name = f"hybrid {self.model}"
        self.cache = _Cache(f"answers-{self.model}-ctx{settings.n_ctx}")
        self._scorer: Any = None
        self.weights = weights_for("hybrid", self.model)[1]

    def has(self, path: str, text: str) -> bool:
        """Whether the model's answers for this text are in the cache."""
        return self.cache.get(cache_key(path, text)) is not None

    def answers(self, path: str, text: str) -> tuple[dict[str, float], float]:
        key = cache_key(path, text)
        hit = self.cache.get(key)
        if hit is None:
            if self._scorer is None:
                from ..scorer import Scorer

                # every file is read: the benchmark measures the answers (the scan's cascade would skip most)
                reads_all = self.settings.model_copy(update={"model_reads": "all"})
                self._scorer = Scorer(settings=reads_all, exemplar_threshold=101, judge="hybrid")
            result = self._scorer.score_text(text, path)
            if not result.answers:
                raise RuntimeError(f"{self.name} gave no answers for {path}: nothing cached")
            hit = {"answers": result.answers, "seconds": result.seconds, "cut": result.truncated}
            self.cache.put(key, hit)
        if hit.get("cut"):
            self.cut.add(key)
        return hit["answers"], float(hit["seconds"])

    def score(self, path: str, text: str) -> tuple[float, float]:
        answers, seconds = self.answers(path, text)
        role = role_for_path(path)
        facts = analyze(text, path, role.value)
        _, overall = judge_facts(facts, applicable(facts, role), answers, self.weights)
        return overall, seconds


class _EngineJudge(Judge):
    def __init__(self, settings: Settings, label: str) -> None:
        super().__init__()
        self.settings = settings
        self.model = settings.model_name()
        self.name = f"{label} {self.model}"
        self.cache = _Cache(f"{label}-{self.model}-ctx{settings.n_ctx}")
        self._impl: Any = None

    def _engine(self) -> Any:
        from ..scorer import Scorer

        return Scorer(settings=self.settings, exemplar_threshold=101, judge="hybrid").engine

    def _run(self, path: str, text: str) -> tuple[float, float, bool]:
        """(overall, seconds, whether the text was cut to fit)."""
        raise NotImplementedError

    def has(self, path: str, text: str) -> bool:
        return self.cache.get(cache_key(path, text)) is not None

    def score(self, path: str, text: str) -> tuple[float, float]:
        key = cache_key(path, text)
        hit = self.cache.get(key)
        if hit is None:
            overall, seconds, cut = self._run(path, text)
            hit = {"overall": overall, "seconds": seconds, "cut": cut}
            self.cache.put(key, hit)
        if hit.get("cut"):
            self.cut.add(key)
        return float(hit["overall"]), float(hit["seconds"])


class LegacyJudge(_EngineJudge):
    """Today's scorer before this judge: rubric 2026.11-r2, the model's digits alone."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings, "r2")

    def _run(self, path: str, text: str) -> tuple[float, float, bool]:
        if self._impl is None:
            from .legacy_r2 import LegacyR2

            self._impl = LegacyR2(self._engine())
        overall, seconds, cut = self._impl.score(path, text)
        return float(overall), float(seconds), cut


class SeedJudge(_EngineJudge):
    """The seed's method: free JSON at temperature 0.3, 2,000/3,000-character cuts. An unparsed answer scores -1."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings, "seed")

    def _run(self, path: str, text: str) -> tuple[float, float, bool]:
        if self._impl is None:
            from .seed_method import SeedMethod

            self._impl = SeedMethod(self._engine())
        res = self._impl.score(path, text, seed=int(cache_key(path, text)[:6], 16))
        cut = len(text) > 2000  # the seed's method keeps 2,000 characters of a block, 3,000 of a file
        return (float(res.score) if res.score is not None else -1.0), float(res.seconds), cut
