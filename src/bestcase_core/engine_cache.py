"""The process's one loaded model: reused by every scorer with the same model file and settings.

It is planned once, when it loads. A scorer asking for a different model or
different settings frees it first. (Planning again from the GPU's free memory
while our own engine holds it would put fewer layers on the GPU each time and
load a second copy beside the first.)
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .engine import Engine
from .judge import QUESTIONS
from .offload import OffloadPlan, make_plan
from .rubric import DIMENSION_KEYS
from .settings import Settings

#: Branches one file can need: every dimension and every question.
N_BRANCHES = len(DIMENSION_KEYS) + len(QUESTIONS)

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
            n_branches=N_BRANCHES,
        )
        _engine, _engine_key, _engine_plan = engine, key, chosen
        return engine, chosen


def get_engine(model_path: Path, settings: Settings, plan: OffloadPlan | None = None) -> Engine:
    """The process's engine (see :func:`get_engine_and_plan`)."""
    return get_engine_and_plan(model_path, settings, plan)[0]


class EngineLease:
    """One scorer's hold on the process's engine: the engine and plan it got, loaded again when needed."""

    def __init__(self, model_path: Path, settings: Settings, plan: OffloadPlan | None = None) -> None:
        self.model_path = model_path
        self.settings = settings
        self._given_plan = plan
        self.engine, self.plan = get_engine_and_plan(model_path, settings, plan)

    @contextlib.contextmanager
    def use(self) -> Iterator[Engine]:
        """The engine, locked; loaded again if another model or settings replaced it meanwhile."""
        while True:
            eng = self.engine
            if eng.closed:
                eng, self.plan = get_engine_and_plan(self.model_path, self.settings, self._given_plan)
                self.engine = eng
            with eng.lock:
                if not eng.closed:
                    yield eng
                    return
