"""A project's engineering practices, read from real files, and the project score they feed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bestcase_core.analysis import analyze
from bestcase_core.discovery import Project
from bestcase_core.practices import (
    EVIDENCE_LINES,
    NEUTRAL_SCORE,
    PRACTICES,
    PRACTICES_WEIGHT,
    code_score,
    find_practices,
    practices_of,
    project_score,
)
from bestcase_core.scan import run_scan
from bestcase_core.settings import load_settings
from bestcase_core.store import BestCaseStorage
from conftest import copy_example


def write(path: Path, text: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def found(practices) -> dict[str, str]:
    return {p.name: p.evidence for p in practices if p.found}


def test_each_practice_is_found_from_the_file_that_switches_it_on(tmp_path):
    repo = tmp_path / "team" / "shop"
    (repo / ".git").mkdir(parents=True)
    write(repo / ".github" / "workflows" / "ci.yml", "on: push\n")
    write(repo / ".github" / "renovate.json", "{}")
    app = repo / "apps" / "web"
    write(app / "eslint.config.mjs", "export default []\n")
    write(app / "package.json", json.dumps({"scripts": {"typecheck": "nuxi typecheck"}, "dependencies": {}}))
    write(app / "test" / "cart.ts", "import { it } from 'vitest'\n")
    got = found(find_practices(app, tmp_path / "team"))
    assert got == {
        "lint": "eslint.config.mjs",
        "typecheck": "package.json (script `nuxi typecheck`)",
        "tests": "test/cart.ts",
        "ci": "../../.github/workflows/ci.yml",  # a monorepo's pipeline, at the repository's top
        "updates": "../../.github/renovate.json",
    }


def test_dependencies_in_a_workspace_manifest_above_count_and_test_files_anywhere(tmp_path):
    repo = tmp_path / "mono"
    (repo / ".git").mkdir(parents=True)
    write(repo / "package.json", json.dumps({"devDependencies": {"vue-tsc": "^2", "@nuxt/eslint": "^1"}}))
    app = repo / "packages" / "site"
    write(app / "package.json", json.dumps({"dependencies": {"nuxt": "^3"}}))
    write(app / "app" / "utils" / "price.spec.ts", "it('adds', () => {})\n")
    got = found(find_practices(app, tmp_path))
    assert got["lint"] == "../../package.json (@nuxt/eslint)" and got["typecheck"] == "../../package.json (vue-tsc)"
    assert got["tests"] == "app/utils/price.spec.ts"
    assert set(got) == {"lint", "typecheck", "tests"}


def test_nothing_is_read_above_the_scanned_root_or_from_dependencies_and_build_output(tmp_path):
    write(tmp_path / ".github" / "workflows" / "ci.yml", "on: push\n")  # above the root: not this team's
    write(tmp_path / "eslint.config.mjs", "export default []\n")
    root = tmp_path / "workspace"
    app = root / "shop"
    write(app / "package.json", json.dumps({"dependencies": {"nuxt": "^3"}}))
    write(app / "node_modules" / "pkg" / "index.test.js", "")
    write(app / ".nuxt" / "tests" / "x.ts", "")
    write(app / "components" / "Cart.vue", "<template><div /></template>\n")
    practices = find_practices(app, root)
    assert [p.name for p in practices] == list(PRACTICES)
    assert found(practices) == {}
    assert [p.render() for p in practices[:2]] == ["no linter", "no type check"]


def test_a_broken_package_json_hides_only_what_it_would_have_shown(tmp_path):
    app = tmp_path / "ws" / "shop"
    write(app / "package.json", '{"devDependencies": {"vue-tsc": ')  # cut short
    write(app / ".eslintrc.json", "{}")
    got = found(practices_of(Project("shop", app, True)))
    assert got == {"lint": ".eslintrc.json"}


def test_the_project_score_gives_a_tenth_to_the_practices_found(tmp_path):
    app = tmp_path / "ws" / "shop"
    write(app / "eslint.config.js", "export default []\n")
    write(app / ".gitlab-ci.yml", "test: {}\n")
    practices = practices_of(Project("shop", app, True))
    assert sum(p.found for p in practices) == 2
    files = [(80.0, None), (70.0, None)]  # lines unknown: each score counts in full
    assert project_score(files, None) == 75.0
    assert project_score(files, practices) == pytest.approx(round(0.9 * 75.0 + 0.1 * 40.0, 1))
    assert PRACTICES_WEIGHT == 0.1
    with pytest.raises(ValueError):
        project_score([], practices)


def test_a_file_weighs_in_its_project_by_how_much_code_it_holds():
    assert (EVIDENCE_LINES, NEUTRAL_SCORE) == (10.0, 50.0)
    assert code_score([(90.0, 0)]) == 50.0  # nothing read: nothing said of the project
    assert code_score([(90.0, 10)]) == 70.0  # ten lines: half its own score
    assert code_score([(90.0, 990)]) == 89.6
    assert code_score([(90.0, None)]) == 90.0
    # a one-line component and a real composable that score alike: the composable says more
    tiny = analyze(
        '<template><p>{{ title }}</p></template>\n<script setup lang="ts">\n'
        "defineProps<{ title: string }>()\n</script>\n",
        "components/T.vue",
    )
    assert (tiny.logic_lines, tiny.template_lines, tiny.code_lines()) == (1, 1, 2)
    assert code_score([(85.0, tiny.code_lines())]) < code_score([(85.0, 40)]) < 85.0


def test_a_scan_records_the_practices_and_a_new_one_rewrites_the_record(tmp_path):
    root = copy_example(tmp_path / "ws")
    storage = tmp_path / "store"
    settings = load_settings(judge="static", projects_path=root)
    run_scan(root, settings, storage=storage, progress=False)
    store = BestCaseStorage(storage)
    before = store.latest("admin-dashboard")
    shop = store.latest("00.common/shop-nuxt3")
    assert before is not None
    p = before.patterns
    assert [x.name for x in p.practices] == list(PRACTICES) and not any(x.found for x in p.practices)
    scores = [(f.overall, f.codeLines) for f in p.fileScores]
    assert all(n is not None and n > 0 for _, n in scores)
    assert p.codeScore == code_score(scores) < round(sum(s for s, _ in scores) / len(scores), 1)
    assert p.projectScore == project_score(scores, p.practices) < p.codeScore
    # the team adds a linter: no file it scores changed, but the project's record does
    write(root / "admin-dashboard" / "eslint.config.mjs", "export default []\n")
    again = run_scan(root, settings, storage=storage, progress=False)
    assert again.files_scored == 0
    after = store.latest("admin-dashboard")
    assert after is not None and after.id != before.id
    assert found(after.patterns.practices) == {"lint": "eslint.config.mjs"}
    assert after.patterns.projectScore == project_score(scores, after.patterns.practices) > p.projectScore
    assert shop is not None and store.latest("00.common/shop-nuxt3").id == shop.id  # its practices did not change
