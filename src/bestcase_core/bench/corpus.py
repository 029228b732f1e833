"""Real Nuxt code nobody here wrote, fetched from npm at run time and cached.

Several npm packages are Nuxt layers or apps with their sources (``nuxt.config.ts``,
``components/``, ``composables/``...). Module packages ship their runtime sources
under ``dist/runtime``; for those that folder becomes the project root. Nothing
fetched here is committed: the cache is ``npm/`` in bestcase's cache (:func:`bestcase_core.paths.cache_home`).

:func:`build_workspace` lays the packages out like the seed's workspace, some
projects one level down and some two.
"""

from __future__ import annotations

import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import FetchError
from ..paths import cache_home


@dataclass(frozen=True)
class CorpusPackage:
    spec: str  # npm name@version
    project: str  # where it goes in the workspace: "docus" or "themes/alpine"
    subdir: str = ""  # folder of the package that is the project ("dist/runtime" for modules)


#: The benchmark workspace: 9 projects, 4 of them two levels down.
PACKAGES: tuple[CorpusPackage, ...] = (
    CorpusPackage("docus@5.12.3", "docus"),
    CorpusPackage("@nuxt-themes/docus@1.15.1", "themes/docus-v1"),
    CorpusPackage("@nuxt-themes/alpine@1.6.6", "themes/alpine"),
    CorpusPackage("@nuxt-themes/elements@1.0.6", "themes/elements"),
    CorpusPackage("@nuxt-themes/typography@1.0.1", "themes/typography"),
    CorpusPackage("@nuxt-themes/website@0.1.9", "website"),
    CorpusPackage("shadcn-docs-nuxt@1.2.2", "shadcn-docs"),
    CorpusPackage("@nuxt/ui@2.22.1", "modules/nuxt-ui", "dist/runtime"),
    CorpusPackage("@nuxt/content@2.7.2", "modules/nuxt-content", "dist/runtime"),
)


def cache_dir() -> Path:
    return cache_home() / "npm"


def fetch_package(spec: str) -> Path:
    """The extracted ``package/`` folder of an npm package, fetched once with ``npm pack``."""
    safe = spec.replace("/", "__").replace("@", "_")
    dest = cache_dir() / safe
    done = dest / ".complete"
    if done.exists():
        return dest / "package"
    npm = shutil.which("npm")
    if npm is None:
        raise FetchError(f"npm is needed to fetch {spec}; install Node.js and npm.")
    tmp = cache_dir() / (safe + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    proc = subprocess.run(
        [npm, "pack", spec, "--silent", "--pack-destination", str(tmp)], capture_output=True, text=True, timeout=300
    )
    tarballs = list(tmp.glob("*.tgz"))
    if proc.returncode != 0 or not tarballs:
        raise FetchError(f"npm pack {spec} failed: {(proc.stderr or proc.stdout).strip()[-300:]}")
    with tarfile.open(tarballs[0]) as tf:
        tf.extractall(tmp, filter="data")
    tarballs[0].unlink()
    shutil.rmtree(dest, ignore_errors=True)
    tmp.rename(dest)
    done.write_text(spec)
    return dest / "package"


def build_workspace(dest: Path, packages: tuple[CorpusPackage, ...] = PACKAGES) -> Path:
    """Lay the packages out as a workspace under ``dest`` (copied, so it can be changed)."""
    dest = Path(dest)
    for pkg in packages:
        src = fetch_package(pkg.spec)
        target = dest / pkg.project
        if target.exists():
            continue
        shutil.copytree(src / pkg.subdir if pkg.subdir else src, target)
        if pkg.subdir and (src / "package.json").exists():
            shutil.copy2(src / "package.json", target / "package.json")
    return dest
