"""A project's engineering practices, read from its files, and the project score they feed.

A reviewer asked which of a team's projects is best engineered does not only read files one by
one: they look for the checks that keep every file honest. Five are looked for, each from the
files that switch it on (nothing is run, nothing is written):

- ``lint``: an ESLint, Biome or oxlint configuration, or the linter in ``package.json``;
- ``typecheck``: ``vue-tsc`` (what ``nuxi typecheck`` runs) or a script that runs a type checker;
- ``tests``: test files (``*.test.ts``, ``*.spec.ts``, or a ``test``/``tests``/``e2e`` folder with code);
- ``ci``: a CI pipeline (GitHub Actions, GitLab CI, CircleCI, Azure, Bitbucket, Jenkins, Travis);
- ``updates``: automated dependency updates (Renovate, Dependabot).

A monorepo keeps some of these at its top: the folders above a project are looked at too, up
to the repository's top (the folder with ``.git``) and never above the scanned root.

:func:`project_score` is the one place the project score is computed: the files' :func:`code_score`
(their mean, each drawn towards the middle by how little code it holds), with
:data:`PRACTICES_WEIGHT` of it given to the share of practices found.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from .errors import InputFileError
from .sourcefile import read_capped

if TYPE_CHECKING:
    from .discovery import Project

#: The share of a project's score that its practices make up; the rest is its :func:`code_score`.
#: Chosen, not fitted (known groups hold 50 projects): large enough that a project with none of
#: these checks ranks below one with most of them when their files score alike (within about 5),
#: small enough that file quality still decides between projects that differ in their code.
PRACTICES_WEIGHT = 0.1

#: Each practice: the files that show it, at a project's top or a folder above it.
_LINT_FILES = (
    "eslint.config.js",
    "eslint.config.mjs",
    "eslint.config.cjs",
    "eslint.config.ts",
    "eslint.config.mts",
    ".eslintrc",
    ".eslintrc.js",
    ".eslintrc.cjs",
    ".eslintrc.json",
    ".eslintrc.yaml",
    ".eslintrc.yml",
    "biome.json",
    "biome.jsonc",
    ".oxlintrc.json",
)
_LINT_PACKAGES = ("eslint", "@nuxt/eslint", "@nuxt/eslint-config", "@nuxtjs/eslint-module", "@biomejs/biome", "oxlint")
_TYPECHECK_PACKAGES = ("vue-tsc",)
_TYPECHECK_COMMANDS = ("vue-tsc", "nuxi typecheck", "nuxt typecheck", "tsc --noEmit", "tsc -b", "tsc -p", "tsc\n")
_CI_FILES = (
    ".gitlab-ci.yml",
    ".circleci/config.yml",
    "azure-pipelines.yml",
    "bitbucket-pipelines.yml",
    "Jenkinsfile",
    ".travis.yml",
)
_UPDATE_FILES = (
    "renovate.json",
    "renovate.json5",
    ".renovaterc",
    ".renovaterc.json",
    ".github/renovate.json",
    ".github/renovate.json5",
    ".github/dependabot.yml",
    ".github/dependabot.yaml",
)
_TEST_SUFFIXES = tuple(f".{kind}.{ext}" for kind in ("test", "spec") for ext in ("ts", "js", "mts", "mjs", "tsx"))
_TEST_FOLDERS = frozenset({"test", "tests", "e2e", "__tests__", "cypress"})
_CODE = (".ts", ".js", ".mts", ".mjs", ".tsx", ".vue")
_SKIP = frozenset({"node_modules", ".nuxt", ".output", "dist", ".git", ".bestcases", "coverage", "public"})
_MAX_MANIFEST = 256 * 1024
#: The most folder entries looked at for test files, so a huge project costs milliseconds, not seconds.
_MAX_ENTRIES = 20_000

PRACTICES: tuple[str, ...] = ("lint", "typecheck", "tests", "ci", "updates")
_LABELS = {
    "lint": "linter",
    "typecheck": "type check",
    "tests": "tests",
    "ci": "CI pipeline",
    "updates": "dependency update bot",
}


class Practice(BaseModel):
    """One practice: whether the project has it, and the file that shows it (a record's ``patterns.practices``)."""

    model_config = ConfigDict(frozen=True, extra="allow")
    name: str
    found: bool
    evidence: str = Field("", description="the file (or package.json entry) that shows it; empty when not found")

    def render(self) -> str:
        label = _LABELS.get(self.name, self.name)
        return f"{label}: {self.evidence}" if self.found else f"no {label}"


#: Lines of code (logic and template, :meth:`FileFacts.code_lines`) at which a file's score counts
#: half in its project's code score; the rest of its weight goes to :data:`NEUTRAL_SCORE`.
EVIDENCE_LINES = 10.0
#: What a file that holds no code says of its project: the middle of the scale.
NEUTRAL_SCORE = 50.0

#: One file as its project sees it: its overall score and its code lines (None when unknown,
#: as for a record scored without facts: then the score counts in full).
ScoredFile = tuple[float, int | None]


def code_score(files: Sequence[ScoredFile]) -> float:
    """The project's code score: the mean of its files' scores, each drawn towards
    :data:`NEUTRAL_SCORE` by how little code it holds.

    A 3-line component scores high because nothing in it can be wrong, not because it shows
    good work; a project of many such files would otherwise outrank one whose files do harder
    things. A file of ``n`` code lines counts ``n / (n + EVIDENCE_LINES)`` of its own score.
    """
    if not files:
        raise ValueError("a project score needs at least one scored file")
    drawn = [s if n is None else (n * s + EVIDENCE_LINES * NEUTRAL_SCORE) / (n + EVIDENCE_LINES) for s, n in files]
    return round(sum(drawn) / len(drawn), 1)


def project_score(files: Sequence[ScoredFile], practices: list[Practice] | None) -> float:
    """The project's score: its :func:`code_score`, and (when known) its practices' share."""
    code = code_score(files)
    if practices is None:
        return code
    share = 100.0 * sum(p.found for p in practices) / len(PRACTICES)
    return round((1 - PRACTICES_WEIGHT) * code + PRACTICES_WEIGHT * share, 1)


def practices_of(project: Project) -> list[Practice]:
    """The practices of a discovered project; the scanned root (above its ``name``) bounds the search."""
    root = project.path
    for _ in PurePosixPath(project.name).parts:
        root = root.parent
    return find_practices(project.path, root)


def with_repository_top(practices: list[Practice], top: Path) -> list[Practice]:
    """A project's practices with those its repository's top shows, held apart from it at ``top`` (the
    bench's monorepo apps): a practice is found if either shows it."""
    above = {p.name: p for p in find_practices(top, top)}
    return [
        p
        if p.found or not above[p.name].found
        else above[p.name].model_copy(update={"evidence": f"the repository's top: {above[p.name].evidence}"})
        for p in practices
    ]


def find_practices(project: Path, root: Path | None = None) -> list[Practice]:
    """The practices of the project at ``project``; ``root`` bounds the folders above it that are read."""
    folders = _folders(project, root)
    manifests = [m for m in (_manifest(f / "package.json", project) for f in folders) if m is not None]
    deps = {name: m[0] for m in reversed(manifests) for name in m[1]}
    scripts = [(m[0], cmd) for m in manifests for cmd in m[2]]
    found: dict[str, str | None] = {}
    found["lint"] = _first_file(folders, project, _LINT_FILES) or _first_dep(deps, _LINT_PACKAGES)
    if found["lint"] is None:
        found["lint"] = next((f"{m[0]} (eslintConfig)" for m in manifests if "eslintConfig" in m[3]), None)
    found["typecheck"] = _first_dep(deps, _TYPECHECK_PACKAGES) or next(
        (f"{where} (script `{cmd.strip()[:60]}`)" for where, cmd in scripts if _runs_typecheck(cmd)), None
    )
    found["tests"] = _test_file(project)
    found["ci"] = _workflow(folders, project) or _first_file(folders, project, _CI_FILES)
    found["updates"] = _first_file(folders, project, _UPDATE_FILES)
    return [Practice(name=n, found=found[n] is not None, evidence=found[n] or "") for n in PRACTICES]


def _folders(project: Path, root: Path | None) -> list[Path]:
    """The project's folder, then each one above it up to the repository's top, never above ``root``."""
    out = [project]
    top = root.resolve() if root is not None else None
    here = project.resolve()
    while not (here / ".git").exists() and here.parent != here:
        if top is None or here == top or top not in here.parents:
            break
        here = here.parent
        out.append(here)
    return out


def _rel(path: Path, project: Path) -> str:
    try:
        return path.relative_to(project).as_posix()
    except ValueError:
        return os.path.relpath(path, project).replace(os.sep, "/")


def _first_file(folders: list[Path], project: Path, names: tuple[str, ...]) -> str | None:
    for folder in folders:
        for name in names:
            try:
                if (folder / name).is_file():
                    return _rel(folder / name, project)
            except OSError:
                continue
    return None


def _workflow(folders: list[Path], project: Path) -> str | None:
    for folder in folders:
        flows = folder / ".github" / "workflows"
        try:
            names = sorted(e.name for e in os.scandir(flows) if e.name.endswith((".yml", ".yaml")))
        except OSError:
            continue
        if names:
            return _rel(flows / names[0], project)
    return None


def _manifest(path: Path, project: Path) -> tuple[str, set[str], list[str], dict[str, object]] | None:
    """``(where, dependency names, script commands, the whole manifest)``; None if absent or unreadable."""
    try:
        if not path.is_file():
            return None
        data = json.loads(read_capped(path, max_bytes=_MAX_MANIFEST, inside=path.parent).decode("utf-8"))
    except (OSError, ValueError, InputFileError):  # a broken package.json shows nothing; discovery reports it
        return None
    if not isinstance(data, dict):
        return None
    deps: set[str] = set()
    for key in ("dependencies", "devDependencies"):
        section = data.get(key)
        if isinstance(section, dict):
            deps.update(str(k) for k in section)
    scripts = data.get("scripts")
    commands = [str(v) for v in scripts.values()] if isinstance(scripts, dict) else []
    return _rel(path, project), deps, commands, data


def _first_dep(deps: dict[str, str], names: tuple[str, ...]) -> str | None:
    """``deps`` maps each dependency to the manifest that lists it (the project's own first)."""
    for name in names:
        if name in deps:
            return f"{deps[name]} ({name})"
    return None


def _runs_typecheck(command: str) -> bool:
    line = command + "\n"
    return any(c in line for c in _TYPECHECK_COMMANDS)


def _test_file(project: Path) -> str | None:
    """The first test file under the project (breadth-first, at most :data:`_MAX_ENTRIES` entries)."""
    queue = [(project, False)]
    seen = 0
    while queue:
        folder, in_tests = queue.pop(0)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for e in entries:
            seen += 1
            if seen > _MAX_ENTRIES:
                return None
            try:
                is_dir = e.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                if e.name not in _SKIP and not e.name.startswith("."):
                    queue.append((Path(e.path), in_tests or e.name in _TEST_FOLDERS))
            elif e.name.endswith(_TEST_SUFFIXES) or (in_tests and e.name.endswith(_CODE)):
                return _rel(Path(e.path), project)
    return None
