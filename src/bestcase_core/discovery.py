"""Finding Nuxt projects under a workspace root and the files worth scoring in them.

Discovery only reads: it never loads a model and never writes. Whatever it
cannot read (a broken ``package.json``, an unreadable folder, a symlink loop)
becomes a :class:`Problem` and the walk goes on.

Projects sit at depth 1, or at depth 2 when their depth-1 folder is not a
project itself (``00.common/openerd-nuxt3``). A folder is a Nuxt project when
its ``package.json`` lists ``nuxt``, ``nuxt3`` or an ``@nuxt/*`` package, or when
it has a ``nuxt.config.{ts,js,mjs}``.

Files come from the role folders that :data:`bestcase_core.roles.FOLDER_ROLES`
defines (``pages``, ``components``, ``composables``, ``stores``, ``utils``, ``services``,
``lib``, ...) at any depth, and from the project root. At most ``max_files`` per project are
kept, chosen by :func:`select_files`.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pathspec

from .errors import InputFileError, WorkspaceError
from .roles import FOLDER_ROLES, Role, role_for_path
from .sourcefile import read_capped

EXTENSIONS = (".vue", ".ts", ".tsx", ".js", ".mjs")
SKIP_DIRS = frozenset(
    {
        "node_modules",
        ".nuxt",
        ".output",
        "dist",
        ".bestcases",
        "coverage",
        "vendor",
        "third_party",
        "__tests__",
        "__mocks__",
        ".git",
    }
)
#: Folders whose files are scored: the role folders of :data:`bestcase_core.roles.FOLDER_ROLES`.
ROLE_FOLDERS = frozenset(FOLDER_ROLES)
NUXT_CONFIGS = ("nuxt.config.ts", "nuxt.config.js", "nuxt.config.mjs")
#: The most bytes read of any one file (package.json, .gitignore, sources) unless told otherwise.
DEFAULT_MAX_BYTES = 256 * 1024
_TEST_FILE = re.compile(r"\.(spec|test|stories|story)\.[cm]?[jt]sx?$|\.d\.[cm]?ts$")
#: A build or lint tool's configuration at a project's root (eslint, tailwind, vitest...): not the app's
#: code, so neither scored nor an exemplar. Nuxt's own ``nuxt.config`` and ``app.config`` are kept.
_TOOL_CONFIG = re.compile(r"^(?!nuxt\.|app\.)[\w.-]+\.(config|workspace)\.[cm]?[jt]s$")
_GENERATED = re.compile(r"@generated|auto-?generated|do not edit|this file was generated", re.I)

#: The order roles are picked in when a project has more than ``max_files`` files.
ROLE_PRIORITY: tuple[Role, ...] = (
    Role.composable,
    Role.store,
    Role.page,
    Role.component,
    Role.server_route,
    Role.layout,
    Role.middleware,
    Role.plugin,
    Role.util,
)


@dataclass(frozen=True)
class Problem:
    """Something discovery skipped, and why (goes into the scan summary)."""

    path: str
    reason: str


@dataclass(frozen=True)
class Project:
    name: str  # posix path relative to the root: "00.common/openerd-nuxt3"
    path: Path
    nuxt: bool


@dataclass(frozen=True)
class SourceFile:
    project: str
    rel: str  # posix path relative to the project
    path: Path
    role: Role
    size: int


@dataclass
class Discovery:
    projects: list[Project] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


# --- projects -------------------------------------------------------------------------


def _read_package_json(
    folder: Path, problems: list[Problem], root: Path, max_bytes: int = DEFAULT_MAX_BYTES
) -> dict[str, object] | None:
    pkg = folder / "package.json"
    if not os.path.lexists(pkg):
        return None
    try:
        raw = read_capped(pkg, max_bytes=max_bytes, inside=folder).decode("utf-8")
    except (InputFileError, UnicodeDecodeError) as exc:
        why = exc.reason if isinstance(exc, InputFileError) else str(exc)
        problems.append(Problem(_rel(pkg, root), f"cannot read package.json ({why}); judged by nuxt.config only"))
        return None
    try:
        data = json.loads(raw)
    except ValueError as exc:
        problems.append(Problem(_rel(pkg, root), f"package.json is not valid JSON ({exc}); judged by nuxt.config only"))
        return {}
    if not isinstance(data, dict):
        problems.append(Problem(_rel(pkg, root), "package.json is not a JSON object; judged by nuxt.config only"))
        return {}
    return data


def _lists_nuxt(pkg: dict[str, object]) -> bool:
    for key in ("dependencies", "devDependencies"):
        deps = pkg.get(key)
        if isinstance(deps, dict) and any(n in ("nuxt", "nuxt3") or n.startswith("@nuxt/") for n in deps):
            return True
    return False


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _project_kind(folder: Path, problems: list[Problem], root: Path, max_bytes: int) -> tuple[bool, bool]:
    """(is a Nuxt project, is some JS/TS project)."""
    pkg = _read_package_json(folder, problems, root, max_bytes)
    has_config = any((folder / c).is_file() for c in NUXT_CONFIGS)
    nuxt = has_config or (pkg is not None and _lists_nuxt(pkg))
    return nuxt, nuxt or pkg is not None


def _child_dirs(folder: Path, problems: list[Problem], root: Path, ignore: pathspec.PathSpec | None) -> list[Path]:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        problems.append(Problem(_rel(folder, root) or ".", f"cannot list folder: {exc.strerror or exc}"))
        return []
    out = []
    for e in entries:
        if e.name.startswith(".") or e.name in SKIP_DIRS:
            continue
        try:
            if e.is_symlink():
                if e.is_dir():
                    problems.append(Problem(_rel(Path(e.path), root), "symlinked folder not followed"))
                continue
            if not e.is_dir(follow_symlinks=False):
                continue
        except OSError:
            continue
        rel = _rel(Path(e.path), root) + "/"
        if ignore is not None and ignore.match_file(rel):
            continue
        out.append(Path(e.path))
    return out


def find_projects(root: Path, *, all_projects: bool = False, max_bytes: int = DEFAULT_MAX_BYTES) -> Discovery:
    """Projects at depth 1, or depth 2 under a depth-1 folder that is not a project.

    ``max_bytes`` caps what is read of each ``package.json`` and ``.gitignore``.
    """
    root = Path(root)
    if not root.is_dir():
        raise WorkspaceError(f"Workspace root {root} is not a folder. Pass --root or set PROJECTS_PATH.")
    if not os.access(root, os.R_OK | os.X_OK):
        raise WorkspaceError(f"Workspace root {root} cannot be read. Check its permissions.")
    found = Discovery()
    ignore = _gitignore(root, found.problems, root, root, max_bytes)
    for top in _child_dirs(root, found.problems, root, ignore):
        nuxt, js = _project_kind(top, found.problems, root, max_bytes)
        if nuxt or (all_projects and js):
            found.projects.append(Project(_rel(top, root), top, nuxt))
            continue
        for sub in _child_dirs(top, found.problems, root, ignore):
            nuxt, js = _project_kind(sub, found.problems, root, max_bytes)
            if nuxt or (all_projects and js):
                found.projects.append(Project(_rel(sub, root), sub, nuxt))
    return found


# --- files ----------------------------------------------------------------------------


def _gitignore(
    folder: Path, problems: list[Problem], root: Path, inside: Path, max_bytes: int = DEFAULT_MAX_BYTES
) -> pathspec.PathSpec | None:
    """The patterns of ``folder/.gitignore``; lines that are not valid patterns are skipped, as git does."""
    path = folder / ".gitignore"
    if not os.path.lexists(path):
        return None
    try:
        lines = read_capped(path, max_bytes=max_bytes, inside=inside).decode("utf-8", "replace").splitlines()
    except InputFileError as exc:
        problems.append(Problem(_rel(path, root), f"cannot read .gitignore ({exc.reason}); its patterns are not used"))
        return None
    good: list[str] = []
    bad: list[int] = []
    for n, line in enumerate(lines, start=1):
        try:
            pathspec.GitIgnoreSpec.from_lines([line])
        except Exception:  # pathspec's GitIgnorePatternError, or whatever a future version raises
            bad.append(n)
            continue
        good.append(line)
    if bad:
        shown = ", ".join(str(n) for n in bad[:10]) + (" ..." if len(bad) > 10 else "")
        problems.append(Problem(_rel(path, root), f"line(s) {shown} are not valid patterns; skipped, as git does"))
    return pathspec.GitIgnoreSpec.from_lines(good)


def looks_generated(head: str) -> bool:
    """Minified or generated: a marker comment near the top, or very long lines."""
    if _GENERATED.search(head[:600]):
        return True
    lines = head.splitlines() or [""]
    longest = max(len(x) for x in lines)
    return longest > 1000 or (len(head) > 2000 and len(head) / len(lines) > 250)


def walk_files(project: Project, *, max_bytes: int, root: Path) -> tuple[list[SourceFile], list[Problem]]:
    """Every candidate file of a project (role folders at any depth, and the root), before selection."""
    files: list[SourceFile] = []
    problems: list[Problem] = []
    project_real = Path(os.path.realpath(project.path))
    stack: list[tuple[Path, list[tuple[Path, pathspec.PathSpec]], bool]] = [(project.path, [], False)]
    seen_dirs: set[tuple[int, int]] = set()
    while stack:
        folder, ignores, in_role = stack.pop()
        try:
            st = folder.stat()
        except OSError as exc:
            problems.append(Problem(_rel(folder, root), f"cannot read folder: {exc.strerror or exc}"))
            continue
        if (st.st_dev, st.st_ino) in seen_dirs:
            continue
        seen_dirs.add((st.st_dev, st.st_ino))
        spec = _gitignore(folder, problems, root, project.path, max_bytes)
        if spec is not None:
            ignores = [*ignores, (folder, spec)]
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            problems.append(Problem(_rel(folder, root), f"cannot list folder: {exc.strerror or exc}"))
            continue
        for e in entries:
            p = Path(e.path)
            name = e.name
            if name.startswith("."):
                continue
            try:
                is_link = e.is_symlink()
                is_dir = e.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_link:
                if p.is_dir():
                    target = p.resolve()
                    loop = target == project.path.resolve() or project.path.resolve() in target.parents
                    if loop or any(target == a.resolve() for a in [folder, *folder.parents]):
                        problems.append(Problem(_rel(p, root), "symlink loop; not followed"))
                    else:
                        problems.append(Problem(_rel(p, root), "symlinked folder not followed"))
                    continue
                if not p.exists():
                    problems.append(Problem(_rel(p, root), "broken symlink; skipped"))
                    continue
                real = Path(os.path.realpath(p))
                if real != project_real and project_real not in real.parents:
                    problems.append(Problem(_rel(p, root), "symlink leads outside its project; not followed"))
                    continue
            if any(spec.match_file(p.relative_to(base).as_posix() + ("/" if is_dir else "")) for base, spec in ignores):
                continue
            if is_dir:
                if name in SKIP_DIRS:
                    continue
                stack.append((p, ignores, in_role or name in ROLE_FOLDERS))
                continue
            if not name.endswith(EXTENSIONS) or _TEST_FILE.search(name) or name.endswith((".min.js", ".min.mjs")):
                continue
            at_root = folder == project.path
            if not (in_role or at_root) or (at_root and _TOOL_CONFIG.match(name)):
                continue
            rel = p.relative_to(project.path).as_posix()
            try:
                st = p.stat()
            except OSError as exc:
                problems.append(Problem(f"{project.name}/{rel}", f"cannot read it: {exc.strerror or exc}"))
                continue
            if not stat.S_ISREG(st.st_mode):  # a FIFO or a device would hang or never end a read
                problems.append(
                    Problem(f"{project.name}/{rel}", "not a regular file (FIFO, device or socket); skipped")
                )
                continue
            size = st.st_size
            if size > max_bytes:
                problems.append(
                    Problem(
                        f"{project.name}/{rel}",
                        f"{size / 1e6:.1f} MB is over the {max_bytes // 1024} KiB limit; skipped",
                    )
                )
                continue
            files.append(SourceFile(project.name, rel, p, role_for_path(rel), size))
    return files, problems


def select_files(files: list[SourceFile], max_files: int) -> list[SourceFile]:
    """At most ``max_files``, picked deterministically.

    Files are grouped by role and taken round-robin in :data:`ROLE_PRIORITY`
    order (composables, stores, pages, components, server routes, layouts,
    middleware, plugins, utils), so every role is represented. Within a role,
    shallower files come first, then by path.
    """
    groups: dict[Role, list[SourceFile]] = defaultdict(list)
    for f in files:
        groups[f.role].append(f)
    for g in groups.values():
        g.sort(key=lambda f: (len(PurePosixPath(f.rel).parts), f.rel))
    chosen: list[SourceFile] = []
    cursor = dict.fromkeys(ROLE_PRIORITY, 0)
    while len(chosen) < max_files and any(cursor[r] < len(groups[r]) for r in ROLE_PRIORITY):
        for role in ROLE_PRIORITY:
            if cursor[role] < len(groups[role]) and len(chosen) < max_files:
                chosen.append(groups[role][cursor[role]])
                cursor[role] += 1
    return sorted(chosen, key=lambda f: f.rel)
