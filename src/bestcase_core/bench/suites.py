"""The quality benchmark's suites: pairs of a better and a worse version of the same file, and known groups.

* **synthetic**: real files from npm against degraded copies, one degradation
  type at a time. ``comments``, ``types``, ``names`` and ``errors`` may be used
  in fitting; ``anys``, ``indent`` and ``all`` never are.
* **natural**: a file before and after a commit that made it better code, from
  the git history of public Nuxt 3 apps (``data/natural_pairs.tsv``: repository,
  commit, path and a one-line reason each, vetted by reading the diff). The
  repositories are split in two by a hash of their name: one half may be fitted
  on, the other is held out.
* **known groups**: real projects of known quality (``data/known_groups.tsv``),
  laid out as one workspace.

Repositories are read with git from ``--repos DIR`` (``owner+name/repo``,
``owner+name`` or ``owner/name`` below it); one that is not there is cloned
from GitHub into the cache.
"""

from __future__ import annotations

import csv
import hashlib
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..discovery import Project, select_files, walk_files
from ..errors import FetchError
from ..paths import cache_home
from .corpus import PACKAGES, fetch_package

DATA = Path(__file__).with_name("data")
NATURAL_TSV = DATA / "natural_pairs.tsv"
KNOWN_GROUPS_TSV = DATA / "known_groups.tsv"

FITTED_TYPES = ("comments", "types", "names", "errors")
HELD_OUT_TYPES = ("anys", "indent", "all")
TYPE_OPS: dict[str, tuple[str, ...]] = {
    "comments": ("comments",),
    "types": ("types",),
    "names": ("names",),
    "errors": ("errors",),
    "anys": ("anys",),
    "indent": ("indent",),
    "all": ("comments", "types", "names", "errors", "indent"),
}


@dataclass(frozen=True)
class Pair:
    suite: str  # synthetic or natural
    kind: str  # the degradation type, or what the commit improved
    split: str  # fit or test
    name: str  # where it comes from
    path: str  # the file's path in its project (decides the role)
    better: str
    worse: str
    group: str  # what a held-out split is grouped by: the package or the repository


def held_out(group: str) -> bool:
    """Half of the packages and repositories, by a hash of their name, never used in fitting."""
    return int(hashlib.sha1(group.encode()).hexdigest(), 16) % 2 == 1


# --- synthetic ---------------------------------------------------------------------------------


def corpus_files(per_package: int, max_bytes: int = 12_000) -> list[tuple[str, str, str]]:
    """``(package, path, text)`` of real corpus files: per package the first ``per_package`` the scan would pick."""
    out = []
    for pkg in PACKAGES:
        base = fetch_package(pkg.spec)
        root = base / pkg.subdir if pkg.subdir else base
        project = Project(pkg.project, root, True)
        files, _ = walk_files(project, max_bytes=max_bytes, root=root)
        picked = [f for f in select_files(files, 200) if 600 <= f.size <= max_bytes]
        picked.sort(key=lambda f: hashlib.sha1(f.rel.encode()).hexdigest())
        for f in picked[:per_package]:
            out.append((pkg.project, f.rel, f.path.read_text("utf-8")))
    return out


def synthetic_pairs(per_package: int, types: tuple[str, ...] = FITTED_TYPES + HELD_OUT_TYPES) -> list[Pair]:
    from .degrade import degrade

    files = corpus_files(per_package)
    named = [(f"{p}/{r}", t) for p, r, t in files]
    reprinted = degrade(named, ("reprint",))  # Babel's output with nothing changed
    pairs = []
    for kind in types:
        worse = degrade(named, TYPE_OPS[kind])
        for project, rel, text in files:
            bad = worse.get(f"{project}/{rel}")
            same = reprinted.get(f"{project}/{rel}")
            if not bad or bad.strip() == text.strip() or (kind != "indent" and bad == same):
                continue  # the degradation found nothing to take away
            split = "test" if kind in HELD_OUT_TYPES or held_out(project) else "fit"
            pairs.append(Pair("synthetic", kind, split, f"{project}/{rel}", rel, text, bad, project))
    return pairs


# --- git history ---------------------------------------------------------------------------------


def repo_dir(repo: str, repos: Path | None) -> Path:
    """A git directory of ``owner/name``: under ``repos`` if it is there, else cloned into the cache."""
    owner, name = repo.split("/", 1)
    candidates = []
    if repos is not None:
        candidates += [repos / f"{owner}+{name}" / "repo", repos / f"{owner}+{name}", repos / owner / name]
    cached = cache_home() / "repos" / f"{owner}+{name}.git"
    candidates.append(cached)
    for c in candidates:
        if (c / "HEAD").exists() or (c / ".git").exists():
            return c
    git = shutil.which("git")
    if git is None:
        raise FetchError("The natural suite needs git to read the repositories' history.")
    cached.parent.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [git, "clone", "--bare", "--quiet", f"https://github.com/{repo}.git", str(cached)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    if proc.returncode != 0:
        shutil.rmtree(cached, ignore_errors=True)
        raise FetchError(f"Cannot clone {repo}: {proc.stderr.strip()[-200:]}. Pass --repos DIR with a copy of it.")
    return cached


def _git_dir_arg(repo: Path) -> str:
    """``--git-dir=`` for a bare repository or a work tree."""
    return f"--git-dir={repo / '.git' if (repo / '.git').exists() else repo}"


def git_show(git_dir: Path, rev: str, path: str) -> str | None:
    proc = subprocess.run(["git", _git_dir_arg(git_dir), "show", f"{rev}:{path}"], capture_output=True, timeout=60)
    if proc.returncode != 0:
        return None
    try:
        return proc.stdout.decode("utf-8")
    except UnicodeDecodeError:
        return None


def read_tsv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return [
            row for row in csv.DictReader(fh, delimiter="\t") if row.get("repo") and not row["repo"].startswith("#")
        ]


def natural_pairs(repos: Path | None, tsv: Path = NATURAL_TSV) -> tuple[list[Pair], list[str]]:
    """The vetted history pairs, and a line for each row that could not be read."""
    pairs, problems = [], []
    known = {p.repo for p in known_projects()} if KNOWN_GROUPS_TSV.exists() else set()
    for row in read_tsv(tsv):
        try:
            git_dir = repo_dir(row["repo"], repos)
        except FetchError as exc:
            problems.append(str(exc))
            continue
        before_path = row["path"] if row.get("before_path", "-") in ("", "-") else row["before_path"]
        after = git_show(git_dir, row["commit"], row["path"])
        before = git_show(git_dir, row["commit"] + "^", before_path)
        if after is None or before is None:
            problems.append(f"{row['repo']}@{row['commit'][:8]}:{row['path']} could not be read")
            continue
        path = _project_path(row["path"])
        # repositories of the known-groups suite stay out of fitting too
        split = "test" if held_out(row["repo"]) or row["repo"] in known else "fit"
        name = f"{row['repo']}@{row['commit'][:8]}:{row['path']}"
        pairs.append(Pair("natural", row["kind"], split, name, path, after, before, row["repo"]))
    return pairs, problems


def _project_path(path: str) -> str:
    """The path inside its Nuxt app: a monorepo's ``apps/web/components/X.vue`` -> ``components/X.vue``."""
    from ..discovery import ROLE_FOLDERS

    parts = path.split("/")
    for i, part in enumerate(parts[:-1]):
        if part in ROLE_FOLDERS or part in ("app", "src"):
            return "/".join(parts[i:])
    return path


# --- known groups ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class KnownProject:
    repo: str
    commit: str
    group: str  # strong or weak
    subdir: str
    picks: tuple[str, ...]
    reason: str

    @property
    def folder(self) -> str:
        return f"{self.group}/{self.repo.replace('/', '+')}"


def known_projects(tsv: Path = KNOWN_GROUPS_TSV) -> list[KnownProject]:
    out = []
    for row in read_tsv(tsv):
        picks = tuple(p for p in (row.get("reviewer_picks") or "").split(",") if p.strip() and p.strip() != "-")
        out.append(
            KnownProject(
                row["repo"],
                row["commit"],
                row["group"],
                row.get("subdir") or ".",
                tuple(p.strip() for p in picks),
                row["reason"],
            )
        )
    return out


#: Where the bench keeps the top of a monorepo app's repository (its files and CI folders, no code below):
#: the scan reads a project's practices up to its repository's top, so a project cut out of a
#: monorepo (``subdir``) is shown its repository's too. A dot folder, so discovery never scans it.
TOPS = ".tops"
_TOP_FOLDERS = (".github/", ".circleci/", ".gitlab/")


def known_top(dest: Path, p: KnownProject) -> Path | None:
    """The folder holding ``p``'s repository top, or None for a project that is its repository's top."""
    return None if p.subdir in ("", ".") else dest / TOPS / p.repo.replace("/", "+")


def known_workspace(dest: Path, repos: Path | None, tsv: Path = KNOWN_GROUPS_TSV) -> list[KnownProject]:
    """Each project's tree at its commit, as ``dest/<group>/<owner+name>`` (a two-level workspace); for a
    project in a ``subdir``, its repository's top files go to :func:`known_top`."""
    import io
    import tarfile

    projects = known_projects(tsv)
    for p in projects:
        target = dest / p.folder
        if (target / ".complete").exists():
            continue
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        git_dir = repo_dir(p.repo, repos)
        spec = p.commit if p.subdir in ("", ".") else f"{p.commit}:{p.subdir}"
        proc = subprocess.run(
            ["git", _git_dir_arg(git_dir), "archive", "--format=tar", spec], capture_output=True, timeout=300
        )
        if proc.returncode == 0:
            with tarfile.open(fileobj=io.BytesIO(proc.stdout)) as tf:
                tf.extractall(target, filter="data")
        else:  # a shallow or partial copy may lack some blobs (large binaries): take the text files it has
            _extract_readable(git_dir, spec, target, f"{p.repo}@{p.commit[:8]}: {proc.stderr.decode()[-200:]}")
        top = known_top(dest, p)
        if top is not None:
            shutil.rmtree(top, ignore_errors=True)
            _extract_readable(git_dir, p.commit, top, f"{p.repo}@{p.commit[:8]}", _top_file)
        (target / ".complete").write_text(p.commit)
    return projects


#: What a known project needs to be scanned: its sources, and the manifests that mark a Nuxt app.
_KNOWN_SUFFIXES = (".vue", ".ts", ".tsx", ".js", ".mjs", ".cjs", ".json")


def _top_file(rel: str) -> bool:
    """A file at a repository's top, or in its CI folders."""
    return "/" not in rel or rel.startswith(_TOP_FOLDERS)


def _source_file(rel: str) -> bool:
    return rel.endswith(_KNOWN_SUFFIXES)


def _extract_readable(
    git_dir: Path, spec: str, target: Path, why: str, wanted: Callable[[str], bool] = _source_file
) -> None:
    """Each ``wanted`` file of ``spec`` (``commit`` or ``commit:subdir``) that the repository holds, one by one
    (default: the source files)."""
    proc = subprocess.run(
        ["git", _git_dir_arg(git_dir), "ls-tree", "-r", "-z", "--name-only", spec], capture_output=True, timeout=120
    )
    if proc.returncode != 0:
        raise FetchError(f"cannot read the tree of {why}")
    for rel in proc.stdout.decode("utf-8", "replace").split("\0"):
        if not wanted(rel) or rel.startswith("/") or ".." in rel.split("/"):
            continue
        blob = subprocess.run(
            ["git", _git_dir_arg(git_dir), "cat-file", "blob", f"{spec}/{rel}" if ":" in spec else f"{spec}:{rel}"],
            capture_output=True,
            timeout=60,
        )
        if blob.returncode == 0:
            out = target / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(blob.stdout)
