"""Where a fact fires in code no rule was written from: its precision, checked by reading a sample.

``bestcase bench hits --fact late_fetch --repos DIR`` reads the files at HEAD of every git
repository under ``DIR`` (``owner+name/repo``, bare or not), measures them, and prints how many
files show the fact and a seeded random sample of those hits, one per repository, each with the
flagged line, for a reader to judge right or wrong.
"""

from __future__ import annotations

import random
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..analysis import analyze
from ..discovery import looks_generated
from ..roles import role_for_path
from .suites import _git_dir_arg, git_show

#: Files the judge scores (declarations and bundles are not code a team writes).
_SOURCES = (".vue", ".ts", ".tsx", ".js", ".mjs")
_SKIP_PARTS = ("node_modules/", "dist/", ".output/", ".nuxt/")


@dataclass
class Hit:
    repo: str
    path: str
    line: int
    text: str  # the flagged line


@dataclass
class Hits:
    fact: str
    files: int = 0
    hits: list[Hit] = field(default_factory=list)

    def sample(self, n: int, seed: int) -> list[Hit]:
        """At most one hit per repository, ``n`` repositories drawn with ``seed``."""
        by_repo: dict[str, list[Hit]] = {}
        for h in self.hits:
            by_repo.setdefault(h.repo, []).append(h)
        rng = random.Random(seed)
        repos = rng.sample(sorted(by_repo), min(n, len(by_repo)))
        return [rng.choice(by_repo[r]) for r in repos]


def _head_files(git_dir: Path, grep: str | None) -> list[str]:
    """The source files at HEAD (``grep``: those with a match), as paths in the repository."""
    if grep:  # `git grep` names its hits `HEAD:path`
        cmd = ["grep", "-l", "-E", grep, "HEAD", "--", *(f"*{s}" for s in _SOURCES)]
    else:
        cmd = ["ls-tree", "-r", "--name-only", "HEAD"]
    proc = subprocess.run(["git", _git_dir_arg(git_dir), *cmd], capture_output=True, timeout=300)
    names = [n.removeprefix("HEAD:") for n in proc.stdout.decode("utf-8", "replace").splitlines()]
    return [
        n for n in names if n.endswith(_SOURCES) and not n.endswith(".d.ts") and not any(p in n for p in _SKIP_PARTS)
    ]


def find_hits(
    fact: str,
    repos: Path,
    *,
    grep: str | None = None,
    match: str = "",
    max_files: int = 400,
    max_bytes: int = 200_000,
    log: Callable[[str], None] = print,
) -> Hits:
    """Every weakness ``fact`` in the HEAD files of the repositories under ``repos`` (``grep``: only files
    with a match of that extended regular expression; ``match``: only findings whose text holds it, as
    ``boxed`` for the loose types counted under ``any``; ``max_files`` per repository)."""
    out = Hits(fact)
    dirs = sorted(d for d in repos.iterdir() if d.is_dir())
    for i, d in enumerate(dirs, 1):
        git_dir = d / "repo" if (d / "repo").exists() else d
        for path in _head_files(git_dir, grep)[:max_files]:
            text = git_show(git_dir, "HEAD", path)
            if text is None or len(text) > max_bytes or looks_generated(text[:4000]):
                continue  # as the scan skips them: a bundle or generated code is no one's to imitate
            out.files += 1
            lines = text.splitlines()
            for f in analyze(text, path, role_for_path(path).value).findings:
                if f.key == fact and not f.good and match in f.text:
                    first = f.lines[0] if f.lines else 0
                    shown = lines[first - 1].strip()[:160] if 0 < first <= len(lines) else f.text
                    out.hits.append(Hit(d.name.replace("+", "/", 1), path, first, shown))
        if i % 50 == 0:
            log(f"  {i}/{len(dirs)} repositories, {out.files} files, {len(out.hits)} hits")
    return out


def render_hits(h: Hits, sample: list[Hit]) -> str:
    repos = len({x.repo for x in h.hits})
    head = f"{h.fact}: {len(h.hits)} hits in {repos} repositories, over {h.files} files read"
    return "\n".join([head, *(f"  {x.repo} {x.path}:{x.line}  {x.text}" for x in sample)])
