"""Reads stay inside the project: regular files only, every read capped, .gitignore read like git.

Real files, FIFOs and symlinks (to /dev/zero, /etc/passwd, out of the project); no model.
Each test's docstring says what it caught on the code before issue 11.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bestcase_core.discovery import find_projects, walk_files
from bestcase_core.errors import InputFileError
from bestcase_core.index import ScanIndex
from bestcase_core.scan import plan_scan
from bestcase_core.sourcefile import read_capped
from conftest import REPO
from reliability_helpers import nuxt_project, settings

# --- reads stay inside the project ------------------------------------------------------------


def test_a_symlink_leading_outside_the_project_is_never_read(tmp_path):
    """Before: composables/useLeak.ts -> a file outside was walked, hashed and could be quoted in a record."""
    secret = tmp_path / "outside" / "hostname"
    secret.parent.mkdir()
    secret.write_text("export const SECRET = 'outside the workspace'\n")
    root = tmp_path / "ws"
    proj = nuxt_project(root / "app", {"composables/useReal.ts": "export const useReal = () => 1\n"})
    os.symlink(secret, proj / "composables" / "useLeak.ts")
    os.symlink("/etc/passwd", proj / "composables" / "useHost.ts")
    os.symlink(proj / "composables" / "useReal.ts", proj / "composables" / "useAlias.ts")  # inside: fine
    files, problems = walk_files(find_projects(root).projects[0], max_bytes=256 * 1024, root=root)
    rels = {f.rel for f in files}
    assert "composables/useLeak.ts" not in rels and "composables/useHost.ts" not in rels
    assert {"composables/useReal.ts", "composables/useAlias.ts"} <= rels
    assert sum("leads outside its project" in p.reason for p in problems) == 2
    with ScanIndex(tmp_path / "store") as index:
        plan = plan_scan(root, index, settings(), force=True)
    assert all(b"SECRET" not in u.data for p in plan.projects for u in p.work)


def test_a_file_swapped_for_a_link_after_discovery_is_refused_at_read_time(tmp_path):
    """Before: the scan read whatever the path led to when it read it (no check at read time)."""
    proj = nuxt_project(tmp_path / "app")
    target = proj / "utils" / "a.ts"
    target.parent.mkdir()
    os.symlink("/etc/passwd", target)
    with pytest.raises(InputFileError, match="outside its project"):
        read_capped(target, max_bytes=1 << 20, inside=proj)


def test_dev_zero_and_a_fifo_are_not_read_and_every_read_is_capped(tmp_path):
    """Before: /dev/zero reports size 0, so it was read without end; a FIFO hung the scan holding the lock."""
    with pytest.raises(InputFileError, match="a device"):
        read_capped(Path("/dev/zero"), max_bytes=4096)
    fifo = tmp_path / "pipe.ts"
    os.mkfifo(fifo)
    started = time.monotonic()
    with pytest.raises(InputFileError, match="a FIFO"):
        read_capped(fifo, max_bytes=4096)
    assert time.monotonic() - started < 5
    big = tmp_path / "big.ts"
    big.write_bytes(b"x" * 5000)
    with pytest.raises(InputFileError, match="over the 4 KiB limit"):
        read_capped(big, max_bytes=4096)
    assert read_capped(big, max_bytes=5000) == b"x" * 5000


_HAZARD_SCAN = """
import sys, json
from pathlib import Path
from bestcase_core.index import ScanIndex
from bestcase_core.scan import plan_scan
from bestcase_core.settings import load_settings
root, store = Path(sys.argv[1]), Path(sys.argv[2])
with ScanIndex(store) as index:
    plan = plan_scan(root, index, load_settings(model="qwen2.5-coder:0.5b", max_file_bytes=65536), force=True)
print(json.dumps({
    "projects": [p.project.name for p in plan.projects],
    "work": sorted(f"{p.project.name}/{u.file.rel}" for p in plan.projects for u in p.work),
    "problems": [[x.path, x.reason] for x in plan.problems],
}))
"""


def test_fifos_devices_and_links_in_a_workspace_neither_hang_nor_exhaust_memory(tmp_path):
    """Before: the FIFO blocked forever and /dev/zero as package.json or .gitignore read until memory ran out.

    Run in a subprocess with a 1.5 GB address-space cap and a timeout, so the old behaviour fails the test
    instead of taking the machine down.
    """
    root = tmp_path / "ws"
    good = nuxt_project(root / "good", {"utils/ok.ts": "export const ok = 1\n"})
    os.mkfifo(good / "utils" / "pipe.ts")
    os.symlink("/dev/zero", good / "utils" / "zero.ts")
    os.mkfifo(good / ".gitignore")
    zero_pkg = root / "zero-pkg"
    nuxt_project(zero_pkg, {"utils/z.ts": "export const z = 1\n"})
    os.symlink("/dev/zero", zero_pkg / "package.json")
    linked = nuxt_project(root / "linked-ignore", {"utils/l.ts": "export const l = 1\n"})
    os.symlink("/dev/zero", linked / ".gitignore")
    os.symlink("/dev/zero", root / ".gitignore")

    def cap_memory():
        resource.setrlimit(resource.RLIMIT_AS, (1536 << 20, 1536 << 20))

    out = subprocess.run(
        [sys.executable, "-c", _HAZARD_SCAN, str(root), str(tmp_path / "store")],
        capture_output=True,
        text=True,
        timeout=30,
        preexec_fn=cap_memory,
        cwd=REPO,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    got = json.loads(out.stdout)
    assert got["projects"] == ["good", "linked-ignore", "zero-pkg"]
    assert {"good/utils/ok.ts", "linked-ignore/utils/l.ts", "zero-pkg/utils/z.ts"} <= set(got["work"])
    assert not any("pipe.ts" in w or "zero.ts" in w for w in got["work"])
    reasons = " ".join(r for _, r in got["problems"])
    assert "not a regular file" in reasons and "outside" in reasons


def test_invalid_gitignore_lines_are_skipped_like_git_and_the_rest_still_apply(tmp_path):
    """Before: a '!' or 'cache\\\\' line raised GitIgnorePatternError and failed the whole scan."""
    root = tmp_path / "ws"
    (root).mkdir()
    (root / ".gitignore").write_text("!\nignored-project/\n")
    proj = nuxt_project(root / "app", {"utils/keep.ts": "export const k = 1\n", "utils/skip.ts": "x\n"})
    nuxt_project(root / "ignored-project")
    (proj / ".gitignore").write_text("cache\\\n!\n\\\nutils/skip.ts\n")
    found = find_projects(root)
    assert [p.name for p in found.projects] == ["app"]
    files, problems = walk_files(found.projects[0], max_bytes=256 * 1024, root=root)
    assert {f.rel for f in files} == {"nuxt.config.ts", "utils/keep.ts"}
    assert any("not valid patterns" in p.reason for p in [*found.problems, *problems])
