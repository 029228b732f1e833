"""Finding projects and files; no model involved."""

from __future__ import annotations

import json
import os

import pytest

from bestcase_core.discovery import find_projects, select_files, walk_files
from bestcase_core.errors import WorkspaceError
from bestcase_core.roles import Role
from conftest import EXAMPLE, copy_example


def test_example_workspace_has_a_depth_1_and_a_depth_2_project_and_skips_the_non_nuxt_folder():
    found = find_projects(EXAMPLE)
    assert [p.name for p in found.projects] == ["00.common/shop-nuxt3", "admin-dashboard"]
    assert found.problems == []


def test_all_projects_also_takes_js_projects_with_a_package_json():
    names = [p.name for p in find_projects(EXAMPLE, all_projects=True).projects]
    assert "tools/release-scripts" in names


def test_nuxt_is_recognised_by_nuxt3_or_any_nuxt_scoped_package(tmp_path):
    for name, deps in {"a": {"nuxt3": "^3"}, "b": {"@nuxt/kit": "^3"}, "c": {"vue": "^3"}}.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "package.json").write_text(json.dumps({"devDependencies": deps}))
    assert [p.name for p in find_projects(tmp_path).projects] == ["a", "b"]


def test_broken_package_json_is_reported_and_nuxt_config_still_counts(tmp_path):
    proj = tmp_path / "broken"
    proj.mkdir()
    (proj / "package.json").write_text('{"dependencies": {"nuxt": "^3",}')
    (proj / "nuxt.config.ts").write_text("export default defineNuxtConfig({})\n")
    found = find_projects(tmp_path)
    assert [p.name for p in found.projects] == ["broken"]
    assert any("package.json is not valid JSON" in p.reason for p in found.problems)


def test_missing_root_is_a_clear_error(tmp_path):
    with pytest.raises(WorkspaceError, match="--root or set PROJECTS_PATH"):
        find_projects(tmp_path / "nope")


def _project(tmp_path):
    root = copy_example(tmp_path / "ws")
    return root, next(p for p in find_projects(root).projects if p.name == "00.common/shop-nuxt3")


def test_files_come_from_role_folders_and_the_root_with_roles(tmp_path):
    root, project = _project(tmp_path)
    files, problems = walk_files(project, max_bytes=256 * 1024, root=root)
    by_rel = {f.rel: f.role for f in files}
    assert by_rel["composables/useProducts.ts"] is Role.composable
    assert by_rel["server/api/products.get.ts"] is Role.server_route
    assert by_rel["stores/cart.ts"] is Role.store
    assert "nuxt.config.ts" in by_rel and problems == []


def test_build_and_lint_tool_configs_at_the_root_are_not_the_apps_code(tmp_path):
    root, project = _project(tmp_path)
    tools = ["eslint.config.mjs", "tailwind.config.js", "vitest.config.ts", "vitest.workspace.ts", "uno.config.ts"]
    for name in [*tools, "app.config.ts"]:
        (project.path / name).write_text("export default {}\n")
    rels = {f.rel for f in walk_files(project, max_bytes=256 * 1024, root=root)[0]}
    assert not rels & set(tools)
    assert {"nuxt.config.ts", "app.config.ts"} <= rels


def test_nitro_handlers_are_server_routes_and_the_code_they_call_is_a_util():
    from bestcase_core.roles import role_for_path

    for path in ("server/api/todos/[id].patch.ts", "server/routes/auth/github.get.ts", "server/middleware/auth.ts"):
        assert role_for_path(path) is Role.server_route, path
    for path in ("server/utils/db.ts", "server/db/schema.ts", "apps/shelve/server/services/variables.ts"):
        assert role_for_path(path) is Role.util, path
    assert role_for_path("app/components/server/Status.vue") is Role.component


def test_skipped_folders_tests_and_gitignored_files_are_not_taken(tmp_path):
    root, project = _project(tmp_path)
    p = project.path
    for rel in [
        "node_modules/x/components/A.vue",
        ".nuxt/components/B.vue",
        "dist/components/C.vue",
        "components/Card.spec.ts",
        "components/types.d.ts",
        "generated/components/D.vue",
        "components/ignored/E.vue",
        "docs/F.ts",
    ]:
        (p / rel).parent.mkdir(parents=True, exist_ok=True)
        (p / rel).write_text("export const a = 1\n")
    (p / ".gitignore").write_text("generated/\ncomponents/ignored/\n")
    files, _ = walk_files(project, max_bytes=256 * 1024, root=root)
    rels = {f.rel for f in files}
    assert not rels & {
        "node_modules/x/components/A.vue",
        ".nuxt/components/B.vue",
        "dist/components/C.vue",
        "components/Card.spec.ts",
        "components/types.d.ts",
        "generated/components/D.vue",
        "components/ignored/E.vue",
        "docs/F.ts",
    }


def test_oversized_files_and_symlink_loops_are_reported_not_followed(tmp_path):
    root, project = _project(tmp_path)
    (project.path / "components" / "Huge.vue").write_text("x" * 300_000)
    os.symlink(project.path, project.path / "components" / "loop")
    files, problems = walk_files(project, max_bytes=256 * 1024, root=root)
    reasons = {p.path.rsplit("/", 1)[-1]: p.reason for p in problems}
    assert "over the 256 KiB limit" in reasons["Huge.vue"]
    assert "symlink loop" in reasons["loop"]
    assert all("loop/" not in f.rel for f in files)


def _assert_locked_reported(project, root) -> None:
    files, problems = walk_files(project, max_bytes=256 * 1024, root=root)
    assert any(p.path.endswith("components/private") and "cannot" in p.reason for p in problems)
    assert "composables/useProducts.ts" in {f.rel for f in files}


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads folders whatever their mode")
def test_unreadable_folder_is_reported_and_the_walk_goes_on(tmp_path):
    root, project = _project(tmp_path)
    locked = project.path / "components" / "private"
    locked.mkdir()
    locked.chmod(0)
    try:
        _assert_locked_reported(project, root)
    finally:
        locked.chmod(0o755)


def test_unreadable_folder_fake_permission_error_for_root_is_reported(tmp_path, monkeypatch):
    """As root no folder is unreadable, so os.scandir is made to refuse it (a fake, hence the name)."""
    root, project = _project(tmp_path)
    locked = project.path / "components" / "private"
    locked.mkdir()
    real = os.scandir

    def scandir(path):
        if str(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    _assert_locked_reported(project, root)


def test_selection_is_capped_deterministic_and_covers_every_role(tmp_path):
    root, project = _project(tmp_path)
    for i in range(30):
        (project.path / "components" / f"Gen{i:02d}.vue").write_text("<template><p/></template>\n")
    files, _ = walk_files(project, max_bytes=256 * 1024, root=root)
    picked = select_files(files, 12)
    assert len(picked) == 12
    assert picked == select_files(list(reversed(files)), 12)
    roles = {f.role for f in picked}
    assert {Role.composable, Role.store, Role.page, Role.component, Role.server_route} <= roles


def test_files_under_services_and_lib_are_found_and_scored(tmp_path):
    """Before: discovery kept its own list of role folders without services/ and lib/ (roles.py has them),
    so their files were never scanned."""
    import shutil

    from bestcase_core.scan import run_scan
    from bestcase_core.settings import load_settings
    from bestcase_core.store import BestCaseStorage

    root = copy_example(tmp_path / "ws")
    shop = root / "00.common" / "shop-nuxt3"
    (shop / "services").mkdir()
    (shop / "lib" / "money").mkdir(parents=True)
    shutil.copy(shop / "composables" / "useProducts.ts", shop / "services" / "products.ts")
    shutil.copy(shop / "utils" / "format.ts", shop / "lib" / "money" / "format.ts")
    project = next(p for p in find_projects(root).projects if p.name == "00.common/shop-nuxt3")
    files, _ = walk_files(project, max_bytes=256 * 1024, root=root)
    roles = {f.rel: f.role for f in files}
    assert roles["services/products.ts"] == Role.util and roles["lib/money/format.ts"] == Role.util

    settings = load_settings(judge="static")
    run_scan(root, settings, storage=tmp_path / "store", progress=False)
    record = BestCaseStorage(tmp_path / "store").latest("00.common/shop-nuxt3")
    scored = {f.path: f for f in record.patterns.fileScores}
    assert {"services/products.ts", "lib/money/format.ts"} <= set(scored)
    assert scored["services/products.ts"].role == "util" and scored["services/products.ts"].overall > 0
