"""Worse copies of real files: comments stripped, types removed, identifiers renamed, error handling dropped.

The work is done by Babel and Vue's SFC parser (``degrade.mjs``), installed with
npm into ``node/`` in bestcase's cache the first time: parsing TypeScript and Vue by regex would
be wrong too often.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from ..errors import FetchError
from ..paths import cache_home

NODE_PACKAGES = ("@babel/core@7.28.5", "@babel/preset-typescript@7.28.5", "@vue/compiler-sfc@3.5.25")
SCRIPT = Path(__file__).with_name("degrade.mjs")


def node_dir() -> Path:
    return cache_home() / "node"


def ensure_node_tools() -> Path:
    """Install Babel and the Vue SFC parser into the cache once; returns the folder."""
    folder = node_dir()
    stamp = folder / ".installed"
    if stamp.exists() and stamp.read_text() == " ".join(NODE_PACKAGES):
        return folder
    npm = shutil.which("npm")
    if npm is None:
        raise FetchError("The quality benchmark needs Node.js and npm (for Babel).")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "package.json").write_text('{"private": true, "type": "module"}\n')
    proc = subprocess.run(
        [npm, "install", "--silent", "--no-audit", "--no-fund", *NODE_PACKAGES],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if proc.returncode != 0:
        raise FetchError(f"npm install of {' '.join(NODE_PACKAGES)} failed: {proc.stderr.strip()[-300:]}")
    stamp.write_text(" ".join(NODE_PACKAGES))
    return folder


#: What Babel can do to a copy (see degrade.mjs); ``indent`` is done here.
BABEL_OPS = ("comments", "types", "names", "errors", "anys", "reprint")
ALL_OPS = ("comments", "types", "names", "errors")


def degrade(files: list[tuple[str, str]], ops: tuple[str, ...] = ALL_OPS) -> dict[str, str | None]:
    """``{path: degraded content}`` for ``[(path, content)]``; None where a file could not be parsed.

    ``ops`` picks the degradations: any of :data:`BABEL_OPS`, and ``indent`` (every
    line of the scripts flush left). ``reprint`` changes nothing but passes the scripts
    through Babel, to tell a real degradation from Babel's reformatting.
    """
    babel = [op for op in ops if op in BABEL_OPS]
    out: dict[str, str | None] = _babel(files, tuple(babel)) if babel else dict(files)
    if "indent" in ops:
        out = {p: (flatten_indent(c, p) if c is not None else None) for p, c in out.items()}
    return out


def flatten_indent(text: str, path: str) -> str:
    """The file with every script line flush left (a ``.vue`` file's template and style are left alone)."""
    if not path.endswith(".vue"):
        return "\n".join(line.lstrip() for line in text.splitlines()) + "\n"
    out, in_script = [], False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("<script"):
            in_script = True
        elif stripped.startswith("</script>"):
            in_script = False
        out.append(line.lstrip() if in_script else line)
    return "\n".join(out) + "\n"


def _babel(files: list[tuple[str, str]], ops: tuple[str, ...]) -> dict[str, str | None]:
    folder = ensure_node_tools()
    script = folder / "degrade.mjs"
    shutil.copy2(SCRIPT, script)  # run from the folder whose node_modules it imports
    payload = json.dumps([{"path": p, "content": c, "ops": list(ops)} for p, c in files])
    proc = subprocess.run(["node", str(script)], input=payload, capture_output=True, text=True, cwd=folder, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"degrade.mjs failed: {proc.stderr.strip()[-500:]}")
    return {row["path"]: row["content"] for row in json.loads(proc.stdout)}
