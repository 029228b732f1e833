"""The scan on a Ray cluster: one model per actor, this process the only reader and writer.

The driver (this process) discovers the projects, plans from the index what
needs scoring and reads each file, exactly as :func:`~bestcase_core.scan.run_scan`
does: it *is* ``run_scan``, with :class:`RayScoring` as its scoring step. Each
file's text, path and role go to a pool of :class:`ScorerActor` (a
``ray.util.ActorPool``); each actor loads its model once, through the registry
with its sha256 checked, and scores many files. Results come back in any order
and are committed to the SQLite index one by one as they arrive; the records,
retention and report are written at the end by the same code as an in-process
scan. Workers need no access to the workspace or the store.

Faults: a file whose actor dies (``ray.kill``, a crashed process, a lost node)
is sent again to another actor, and a fresh actor takes the dead one's place;
after :attr:`RayOptions.max_tries` deaths the file is recorded as failed. Each
result is committed once, by the driver. A killed driver loses nothing
committed: a rerun plans only what is not in the index yet.

Ray is an optional extra: ``pip install "bestcase[ray]"``.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import logging
import os
import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import BestcaseError, ConfigError
from .scan import Outcome, ScanSummary, ScoreJob, failure_reason, run_scan
from .schema import FileScore
from .settings import Settings

log = logging.getLogger(__name__)

INSTALL_HINT = 'Ray is not installed; --ray needs it: pip install "bestcase[ray]"'
#: The address that starts a cluster in this process rather than joining one.
LOCAL = "local"


def import_ray() -> Any:
    """The ``ray`` module, or a :class:`ConfigError` that says how to install it."""
    try:
        import ray
    except ImportError:
        raise ConfigError(INSTALL_HINT) from None
    return ray


@dataclass(frozen=True)
class RayOptions:
    """How to run the scoring on Ray.

    ``address``: ``None`` or ``"local"`` starts a local cluster for this scan;
    ``"auto"`` joins the cluster running on this machine (``ray start``); else a
    ``host:port`` or ``ray://host:10001`` address. ``actors``: pool size (default:
    what the cluster's resources hold). ``threads``: llama.cpp threads per actor,
    which is also its ``num_cpus`` (default ``BESTCASE_THREADS``, else CPUs / actors,
    at most 4). ``gpus_per_actor``: its ``num_gpus``, fractional when several small
    models share one large GPU; 0 scores on CPUs.
    """

    address: str | None = None
    actors: int | None = None
    threads: int | None = None
    gpus_per_actor: float = 0.0
    max_tries: int = 3


def pool_shape(options: RayOptions, settings: Settings, resources: dict[str, float]) -> tuple[int, int]:
    """(actors, threads per actor) for the cluster's resources (``ray.cluster_resources()``)."""
    cpus = max(1, int(resources.get("CPU", 1)))
    threads = options.threads or settings.n_threads
    if options.gpus_per_actor > 0:
        gpus = resources.get("GPU", 0.0)
        if gpus <= 0:
            raise ConfigError("--gpus-per-actor was given but the Ray cluster has no GPUs; leave it out to use CPUs.")
        actors = options.actors or max(1, int(gpus / options.gpus_per_actor + 1e-9))
        return actors, threads or max(1, min(4, cpus // actors))
    if threads is None:
        threads = max(1, cpus // options.actors) if options.actors else min(4, cpus)
    return options.actors or max(1, cpus // threads), threads


class ScorerActor:
    """One model, loaded once, scoring many files. Runs as a Ray actor on any node.

    The model comes through the registry on the node itself: a registry name is
    fetched into the node's models folder (``BESTCASE_MODELS_DIR`` there, else the
    driver's path) when missing, and its sha256 is checked before it loads.
    """

    def __init__(self, settings: Settings) -> None:
        from .fetch import ensure_model
        from .scorer import Scorer

        models_dir = Path(os.environ.get("BESTCASE_MODELS_DIR") or settings.models_dir)
        settings = settings.model_copy(update={"models_dir": models_dir})
        if settings.judge == "hybrid":
            models_dir.mkdir(parents=True, exist_ok=True)
            # one fetch per node: the other actors there wait for it, then only verify
            with (models_dir / ".bestcase-fetch.lock").open("a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                ensure_model(settings.model_name(), models_dir)
        self.scorer = Scorer(settings=settings)

    def ready(self) -> str | None:
        """The GPU layers it loaded with (``"0/25"``); answering at all means the model is loaded."""
        from .gpu_monitor import layers_offloaded

        return layers_offloaded(self.scorer.load_report)

    def pid(self) -> int:
        return os.getpid()

    def score(self, key: int, text: str, path: str, role: str) -> tuple[int, FileScore | str]:
        """``(key, score)``, or ``(key, why it failed)``: a file's failure never kills the actor."""
        from .roles import role_for_path

        seen = role_for_path(path).value
        if seen != role:
            return key, f"the worker sees {path} as a {seen}, the driver as a {role}: is bestcase the same version?"
        try:
            return key, self.scorer.score_text(text, path)
        except Exception as exc:
            return key, failure_reason(exc, path)


class RayScoring:
    """The scan's scoring step on a pool of Ray actors (see the module's docstring)."""

    def __init__(self, settings: Settings, options: RayOptions) -> None:
        self.ray = ray = import_ray()
        self.options = options
        self.started = False
        if not ray.is_initialized():
            address = options.address or LOCAL
            # "local" always starts a cluster (None would join one found on this machine)
            ray.init(address=address, include_dashboard=False if address == LOCAL else None)
            self.started = True
        self.size, self.threads = pool_shape(options, settings, ray.cluster_resources())
        update: dict[str, Any] = {"n_threads": self.threads}
        if options.gpus_per_actor <= 0:
            update["vram_mb"] = 0  # a CPU actor never takes a GPU it was not given
        self.settings = settings.model_copy(update=update)
        self.actor_class = ray.remote(ScorerActor).options(
            num_cpus=self.threads, num_gpus=options.gpus_per_actor or 0, max_restarts=0
        )
        self.actors: list[Any] = []
        self.replacements = 0
        self.lost = 0  # jobs sent again because their actor died
        try:
            for _ in range(self.size):
                self._new_actor()
            layers = ray.get([a.ready.remote() for a in self.actors])
        except ray.exceptions.RayError as exc:
            self.close()
            raise BestcaseError(f"A Ray scoring actor could not start: {_first_line(exc)}") from exc
        self.gpu_layers: str | None = layers[0] if layers else None
        log.info("Ray: %d actor(s) x %d thread(s), %s GPU each", self.size, self.threads, options.gpus_per_actor)
        from ray.util import ActorPool

        self.pool = ActorPool(list(self.actors))

    def _new_actor(self) -> Any:
        actor = self.actor_class.remote(self.settings)
        self.actors.append(actor)
        return actor

    def score(self, jobs: Iterator[ScoreJob], stop: threading.Event) -> Iterator[Outcome]:
        ray = self.ray
        source = iter(jobs)
        inflight: dict[int, tuple[Any, ScoreJob]] = {}  # key -> (the ref it was sent as, the job)
        waiting: dict[int, ScoreJob] = {}  # sent or queued, result not in yet
        tries: dict[int, int] = {}
        again: deque[int] = deque()
        keys = iter(range(1 << 62))
        window = 2 * self.size
        exhausted = False

        def call(actor: Any, key: int) -> Any:
            job = waiting[key]
            ref = actor.score.remote(key, job.text, job.path, job.role)
            inflight[key] = (ref, job)
            return ref

        while True:
            if stop.is_set():
                return
            while len(waiting) - len(again) < window and (again or not exhausted):
                if again:
                    self.pool.submit(call, again.popleft())
                    continue
                job = next(source, None)
                if job is None:
                    exhausted = True
                    break
                key = next(keys)
                waiting[key] = job
                self.pool.submit(call, key)
            if not waiting:
                return
            if not self.pool.has_next():
                raise BestcaseError("No Ray scoring actor is left to send the remaining files to.")
            try:
                key, result = self.pool.get_next_unordered(timeout=1.0)
            except TimeoutError:
                continue
            except ray.exceptions.RayError as exc:
                for key in self._lost(inflight):
                    job = waiting[key]
                    tries[key] = tries.get(key, 0) + 1
                    self.lost += 1
                    if tries[key] >= self.options.max_tries:
                        del waiting[key]
                        yield job, f"the Ray actor scoring it died {tries[key]} times: {_first_line(exc)}"
                    else:
                        log.warning("Ray actor died scoring %s; sending it to another", job.path)
                        again.append(key)
                if isinstance(exc, ray.exceptions.ActorDiedError):
                    self._replace(exc)
                continue
            inflight.pop(key, None)
            job = waiting.pop(key)
            yield job, result

    def _lost(self, inflight: dict[int, tuple[Any, ScoreJob]]) -> list[int]:
        """Keys of the jobs whose task ended in a Ray error (their actor died): they need another actor."""
        ray = self.ray
        refs = {ref: key for key, (ref, _) in inflight.items()}
        if not refs:
            return []
        done, _ = ray.wait(list(refs), num_returns=len(refs), timeout=0)
        lost = []
        for ref in done:
            try:
                ray.get(ref, timeout=0)
            except ray.exceptions.RayError:
                lost.append(refs[ref])
                del inflight[refs[ref]]
        return lost

    def _replace(self, exc: BaseException) -> None:
        """A fresh actor for a dead one, within a budget (an actor that dies on start would loop forever)."""
        if self.replacements >= self.size * self.options.max_tries:
            raise BestcaseError(f"Ray scoring actors keep dying ({self.replacements} replaced): {_first_line(exc)}")
        self.replacements += 1
        self.pool.push(self._new_actor())

    def close(self) -> None:
        for actor in self.actors:
            with contextlib.suppress(Exception):  # already gone
                self.ray.kill(actor)
        self.actors = []
        if self.started:
            self.ray.shutdown()
            self.started = False


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def run_ray_scan(root: Path, settings: Settings, options: RayOptions | None = None, **kwargs: Any) -> ScanSummary:
    """:func:`~bestcase_core.scan.run_scan` with the scoring on Ray; same arguments, same summary."""
    import_ray()  # the install hint before any work
    opts = options or RayOptions(address=settings.ray_address)
    return run_scan(root, settings, backend_factory=lambda: RayScoring(settings, opts), **kwargs)


def add_ray_arguments(ap: argparse.ArgumentParser) -> Callable[[argparse.Namespace, Settings], RayOptions | None]:
    """Add ``--ray [ADDRESS]``, ``--actors`` and ``--gpus-per-actor`` to a scan command's parser.

    Returns a function of the parsed arguments and settings: the :class:`RayOptions`,
    or ``None`` for an in-process scan (neither ``--ray`` nor ``BESTCASE_RAY_ADDRESS``).
    """
    group = ap.add_argument_group("more than one machine (Ray; docs/scale.md)")
    group.add_argument(
        "--ray",
        nargs="?",
        const=LOCAL,
        metavar="ADDRESS",
        help="score on Ray: no address starts a local cluster, 'auto' joins this machine's, "
        "else host:port or ray://host:10001 (default: BESTCASE_RAY_ADDRESS)",
    )
    group.add_argument("--actors", type=int, help="Ray actors, one model each (default: what the cluster holds)")
    group.add_argument(
        "--gpus-per-actor", type=float, default=0.0, help="GPUs per actor, e.g. 0.5 (default 0: CPU actors)"
    )

    def options(ns: argparse.Namespace, settings: Settings) -> RayOptions | None:
        address = ns.ray if ns.ray not in (None, LOCAL) else (settings.ray_address or ns.ray)
        if address is None:
            if ns.actors is not None or ns.gpus_per_actor:
                raise ConfigError("--actors and --gpus-per-actor go with --ray.")
            return None
        if ns.actors is not None and ns.actors < 1:
            raise ConfigError("--actors must be at least 1.")
        if ns.gpus_per_actor < 0:
            raise ConfigError("--gpus-per-actor must be 0 or more.")
        import_ray()
        return RayOptions(address=address, actors=ns.actors, gpus_per_actor=ns.gpus_per_actor)

    return options
