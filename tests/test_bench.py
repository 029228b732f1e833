"""The benchmark's own parts: the seed's cut and parser, degraded copies, tie rate, the doc writer."""

from __future__ import annotations

from pathlib import Path

import pytest

from bestcase_core.bench.markdown import write_section
from bestcase_core.bench.run import quality_block, tie_rate
from bestcase_core.bench.seed_method import parse_seed_output, seed_cut
from conftest import REPO


def test_seed_cut_keeps_2000_chars_of_template_and_script_and_3000_of_other_files():
    vue = "<template>\n" + "Q" * 5000 + "\n</template>\n<script setup>\n" + "Z" * 5000 + "\n</script>\n"
    cut = seed_cut("components/X.vue", vue)
    assert cut.count("Q") == 2000 and cut.count("Z") == 2000
    assert seed_cut("utils/x.ts", "c" * 9000).count("c") == 3000


def test_seed_output_parser_accepts_the_expected_json_only():
    good = '{"score": 80, "strengths": ["a"], "weaknesses": [], "recommendations": ["b"]}'
    assert parse_seed_output(good) == (80.0, True)
    assert parse_seed_output('{"score": "75", "strengths": [], "weaknesses": [], "recommendations": []}') == (
        75.0,
        True,
    )
    assert parse_seed_output('{"score": 80, "strengths": "x"}') == (80.0, False)
    assert parse_seed_output('{"score": 80') == (None, False)
    assert parse_seed_output("[1, 2]") == (None, False)


def test_tie_rate_counts_files_that_share_a_score():
    assert tie_rate([80, 80, 75, 70]) == 0.5
    assert tie_rate([80.04, 80.01, 70.2], 1) == pytest.approx(2 / 3)
    assert tie_rate([1.0, 2.0, 3.0]) == 0.0


def test_quality_block_counts_wins_and_ties():
    q = quality_block("x", [80, 70, 60], [70, 70, 65], [1.0, 2.0, 3.0])
    assert (q.pairs, q.original_higher, q.ties) == (3, 1, 1)
    assert q.accuracy == pytest.approx(1 / 3) and q.seconds_per_file == 2.0


def test_doc_sections_are_replaced_in_place(tmp_path):
    doc = tmp_path / "b.md"
    write_section(doc, "one", "first\n", "# Benchmarks\n")
    write_section(doc, "two", "second\n", "# Benchmarks\n")
    write_section(doc, "one", "first again\n", "# Benchmarks\n")
    text = doc.read_text()
    assert text.startswith("# Benchmarks") and "first again" in text and "first\n" not in text
    assert text.index("first again") < text.index("second")


@pytest.mark.network
def test_degraded_copies_lose_comments_types_names_and_error_handling():
    from bestcase_core.bench.degrade import degrade

    ts = (
        "// loads a user\nexport async function load(id: number): Promise<User | null> {\n"
        "  const url: string = `/api/users/${id}`\n  try {\n    return await $fetch<User>(url)\n"
        "  } catch (err) {\n    console.error(err)\n    return null\n  }\n}\n"
    )
    vue = (
        '<script setup lang="ts">\n/* props */\nconst props = defineProps<{ n: number }>()\n'
        "const double = computed((): number => props.n * 2)\n</script>\n<template><p>{{ double }}</p></template>\n"
    )
    out = degrade([("utils/load.ts", ts), ("components/D.vue", vue)])
    t = out["utils/load.ts"]
    assert t is not None
    assert "//" not in t and ": number" not in t and "Promise<" not in t
    assert "url" not in t and "catch" not in t and "export async function load(" in t
    v = out["components/D.vue"]
    assert v is not None and "<template><p>{{ double }}</p></template>" in v
    assert "/* props */" not in v and "defineProps<" not in v and "const v0 = defineProps()" in v


@pytest.mark.network
def test_each_degradation_type_changes_only_what_it_names():
    from bestcase_core.bench.degrade import degrade, flatten_indent

    ts = "// sum\nexport function sum(a: number, b: number): number {\n  const total = a + b\n  return total\n}\n"
    only_comments = degrade([("u.ts", ts)], ("comments",))["u.ts"]
    assert only_comments is not None and "//" not in only_comments and "a: number" in only_comments
    anys = degrade([("u.ts", ts)], ("anys",))["u.ts"]
    assert anys is not None and "a: any" in anys and "): any" in anys and "// sum" in anys
    names = degrade([("u.ts", ts)], ("names",))["u.ts"]
    assert names is not None and "total" not in names and "a: number" in names
    flat = flatten_indent("<template>\n  <p/>\n</template>\n<script>\n  const a = 1\n</script>\n", "A.vue")
    assert "  <p/>" in flat and "\nconst a = 1" in flat


def _git(cwd, *args):
    import subprocess

    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@e"}
    import os

    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env={**os.environ, **env}
    ).stdout.strip()


def _first_commit(work):
    """``work`` as a new git repository with everything in it committed; the commit's sha."""
    _git(work, "init", "-q")
    _git(work, "add", ".")
    _git(work, "commit", "-qm", "first")
    return _git(work, "rev-parse", "HEAD")


def test_natural_pairs_are_read_from_git_history_as_before_and_after(tmp_path):
    from bestcase_core.bench.suites import known_workspace, natural_pairs

    work = tmp_path / "acme+shop"
    (work / "app" / "composables").mkdir(parents=True)
    f = work / "app" / "composables" / "useCart.ts"
    f.write_text("export const useCart = () => { let x: any = 1; return x }\n")
    _first_commit(work)
    f.write_text("export const useCart = (): number => 1\n")
    _git(work, "commit", "-qam", "types")
    sha = _git(work, "rev-parse", "HEAD")
    tsv = tmp_path / "pairs.tsv"
    tsv.write_text(
        "repo\tcommit\tpath\tbefore_path\tkind\treason\n"
        f"acme/shop\t{sha}\tapp/composables/useCart.ts\t-\ttypes\tany replaced by a return type\n"
        f"acme/shop\t{sha}\tapp/missing.ts\t-\ttypes\tnot in the repository\n"
    )
    pairs, problems = natural_pairs(tmp_path, tsv)
    assert len(pairs) == 1 and len(problems) == 1 and "missing.ts" in problems[0]
    p = pairs[0]
    assert p.worse.startswith("export const useCart = () => { let x: any") and "(): number" in p.better
    assert p.path == "app/composables/useCart.ts" and p.group == "acme/shop" and p.split in ("fit", "test")
    groups = tmp_path / "groups.tsv"
    groups.write_text(
        "repo\tcommit\tgroup\tsubdir\treviewer_picks\treason\n"
        f"acme/shop\t{sha}\tstrong\t.\tapp/composables/useCart.ts\ttyped\n"
    )
    dest = tmp_path / "ws"
    projects = known_workspace(dest, tmp_path, groups)
    assert projects[0].picks == ("app/composables/useCart.ts",)
    assert (
        (dest / "strong" / "acme+shop" / "app" / "composables" / "useCart.ts")
        .read_text()
        .startswith("export const useCart = (): number")
    )


def test_judges_that_scored_different_pairs_are_also_compared_on_the_pairs_they_share():
    from bestcase_core.bench.quality import JudgeResult, Scored, same_pairs, select_pairs
    from bestcase_core.bench.suites import Pair

    def pair(name: str, split: str = "test") -> Pair:
        return Pair("natural", "errors", split, name, "a.ts", "new", "old", "r")

    a, b, c = pair("a"), pair("b"), pair("c", "fit")
    static = JudgeResult("static", [Scored(a, 80, 70, []), Scored(b, 70, 70, []), Scored(c, 60, 65, [])])
    model = JudgeResult("r2", [Scored(a, 60, 70, []), Scored(b, 75, 70, [])])  # no answers cached for c
    line = " ".join(same_pairs([static, model]))
    assert "on the 2 natural pairs every judge scored: static 1/2 (1 tie), r2 1/2." in line
    assert same_pairs([static, static]) == []
    near = Scored(a, 80.04, 80.01, [])  # higher, but not by a tenth as shown: a tie, and not right
    assert near.tie and not near.right
    assert [p.name for p in select_pairs([a, b, c], "natural-test")] == ["a", "b"]
    assert select_pairs([a, b, c], "synthetic") == [] and len(select_pairs([a, b, c], "natural")) == 3
    assert [p.name for p in select_pairs([a, b, c], "natural-fit")] == ["c"]


@pytest.mark.model
def test_the_bench_hybrid_judge_reads_every_file_with_the_model_whatever_the_scans_cascade(
    settings_05b, tmp_path, monkeypatch
):
    from bestcase_core.bench import judges

    monkeypatch.setattr(judges, "cache_home", lambda: tmp_path)
    judge = judges.HybridJudge(settings_05b.model_copy(update={"model_reads": "contenders"}))
    footer = "<template>\n  <footer><NuxtLink to='/'>Home</NuxtLink></footer>\n</template>\n"  # never a contender
    answers, seconds = judge.answers("components/AppFooter.vue", footer)
    assert answers and all(0.0 <= v <= 1.0 for v in answers.values()) and seconds > 0
    assert judge.has("components/AppFooter.vue", footer)  # cached for the next report
    assert any(f.name.startswith("answers-") for f in (tmp_path / "bench").iterdir())


def test_a_known_project_whose_copy_lacks_a_large_blob_is_still_laid_out_from_its_sources(tmp_path):
    from bestcase_core.bench.suites import known_workspace

    work = tmp_path / "acme+shop"
    (work / "app" / "pages").mkdir(parents=True)
    (work / "app" / "pages" / "index.vue").write_text("<template><p>hi</p></template>\n")
    (work / "package.json").write_text('{"dependencies": {"nuxt": "^3.0.0"}}\n')
    (work / "model.bin").write_bytes(b"\0binary weights\0" * 64)
    sha = _first_commit(work)
    blob = _git(work, "rev-parse", "HEAD:model.bin")
    (work / ".git" / "objects" / blob[:2] / blob[2:]).unlink()  # as a snapshot without its largest files
    groups = tmp_path / "groups.tsv"
    groups.write_text(f"repo\tcommit\tgroup\tsubdir\treviewer_picks\treason\nacme/shop\t{sha}\tweak\t.\t-\tx\n")
    dest = tmp_path / "ws"
    known_workspace(dest, tmp_path, groups)
    project = dest / "weak" / "acme+shop"
    assert (project / "app" / "pages" / "index.vue").read_text().startswith("<template>")
    assert (project / "package.json").exists() and not (project / "model.bin").exists()


def test_bench_hits_finds_a_weakness_in_a_repositorys_head_files(tmp_path):
    from bestcase_core.bench.hits import find_hits, render_hits

    work = tmp_path / "repos" / "acme+shop"
    (work / "pages").mkdir(parents=True)
    late = (
        "<script setup lang=\"ts\">\nasync function save() {\n  await useFetch('/api/items', { method: 'POST' })\n}\n"
        '</script>\n<template><button @click="save">Save</button></template>\n'
    )
    (work / "pages" / "items.vue").write_text(late)
    (work / "pages" / "index.vue").write_text(
        "<script setup lang=\"ts\">\nconst { data } = await useFetch('/api/items')\n</script>\n"
        "<template><p>{{ data }}</p></template>\n"
    )
    (work / "notes.md").write_text("useFetch in a handler\n")
    (work / "pages" / "bundle.vue").write_text("// @generated by a tool, do not edit\n" + late)  # skipped, as scans do
    _first_commit(work)
    hits = find_hits("late_fetch", tmp_path / "repos", log=lambda _: None)
    assert hits.files == 2 and [(h.repo, h.path, h.line) for h in hits.hits] == [("acme/shop", "pages/items.vue", 3)]
    assert hits.hits[0].text.startswith("await useFetch('/api/items'")
    assert render_hits(hits, hits.sample(5, 0)).startswith("late_fetch: 1 hits in 1 repositories, over 2 files")
    only = find_hits("late_fetch", tmp_path / "repos", grep="data", log=lambda _: None)
    assert only.files == 1 and not only.hits  # only index.vue matches the filter


def test_bench_checks_counts_which_judged_findings_the_rules_still_raise(tmp_path):
    import subprocess

    from bestcase_core.bench.checks import run_checks

    work = tmp_path / "repos" / "acme+shop"
    (work / "pages").mkdir(parents=True)
    sync = "const props = defineProps<{ a: string }>()\nconst b = ref('')\nwatch(() => props.a, (a) => { b.value = a })"
    (work / "pages" / "sync.vue").write_text(
        f'<script setup lang="ts">\n{sync}\n</script>\n<template><p/></template>\n'
    )
    reset = "const q = ref('')\nconst page = ref(1)\nwatch(q, () => { page.value = 1 })"
    (work / "pages" / "reset.vue").write_text(
        f'<script setup lang="ts">\n{reset}\n</script>\n<template><p/></template>\n'
    )
    _first_commit(work)

    def blob(path: str) -> str:
        out = subprocess.run(["git", "-C", str(work), "rev-parse", f"HEAD:{path}"], capture_output=True, text=True)
        return out.stdout.strip()

    tsv = tmp_path / "checks.tsv"
    rows = [
        ("watch_sync", "acme/shop", "pages/sync.vue", blob("pages/sync.vue"), "TRUE"),
        ("watch_sync", "acme/shop", "pages/reset.vue", blob("pages/reset.vue"), "FALSE"),
        ("watch_sync", "gone/repo", "pages/x.vue", "0" * 40, "TRUE"),
    ]
    lines = ["sample\tfinding\trepo\tpath\tblob\tverdict\twhy"]
    lines += ["s\t" + "\t".join(r) + "\tread" for r in rows]
    tsv.write_text("\n".join(lines) + "\n")
    checks = run_checks(tmp_path / "repos", tsv)
    assert checks.raised[("watch_sync", "TRUE")] == 1 and checks.total[("watch_sync", "TRUE")] == 1
    assert checks.raised[("watch_sync", "FALSE")] == 0 and checks.total[("watch_sync", "FALSE")] == 1
    assert checks.missing == 1
    # a row read at given lines counts only where the finding names one of them (the watcher is on line 4)
    for at, raised in (("4", 1), ("2,3", 0)):
        tsv.write_text(f"sample\tfinding\trepo\tpath\tblob\tverdict\twhy\tlines\n{lines[1]}\t{at}\n")
        assert run_checks(tmp_path / "repos", tsv).raised[("watch_sync", "TRUE")] == raised


def _read_exemplars(tmp_path: Path) -> Path:
    """A repository with an exemplar readers accepted and its copy with type checking off (rejected),
    and their verdicts in a TSV that also names a repository that is not there."""
    import subprocess

    work = tmp_path / "repos" / "acme+shop"
    (work / "app" / "composables").mkdir(parents=True)
    source = (REPO / "examples/workspace/00.common/shop-nuxt3/composables/useProducts.ts").read_text()
    (work / "app" / "composables" / "useProducts.ts").write_text(source)  # an exemplar of the example workspace
    (work / "app" / "composables" / "useUnchecked.ts").write_text("// @ts-nocheck\n" + source)
    _first_commit(work)

    def blob(path: str) -> str:
        out = subprocess.run(["git", "-C", str(work), "rev-parse", f"HEAD:{path}"], capture_output=True, text=True)
        return out.stdout.strip()

    tsv = tmp_path / "exemplars.tsv"
    lines = ["sample\trepo\tpath\tapp_path\tblob\tgroup\tverdict\twhy"]
    for path, group, verdict in (("useProducts.ts", "strong", "YES"), ("useUnchecked.ts", "weak", "NO")):
        full = f"app/composables/{path}"
        lines.append(f"s\tacme/shop\t{full}\tcomposables/{path}\t{blob(full)}\t{group}\t{verdict}\tread")
    lines.append("s\tgone/repo\tx.ts\tx.ts\t" + "0" * 40 + "\tweak\tNO\tread")
    tsv.write_text("\n".join(lines) + "\n")
    return tsv


def test_bench_checks_counts_which_judged_exemplars_are_still_exemplars(tmp_path):
    from bestcase_core.bench.checks import render_exemplar_checks, run_exemplar_checks

    tsv = _read_exemplars(tmp_path)
    checks = run_exemplar_checks(tmp_path / "repos", tsv)
    assert checks.raised[("strong", "YES")] == 1 and checks.total[("strong", "YES")] == 1
    assert checks.raised[("weak", "NO")] == 0 and checks.total[("weak", "NO")] == 1  # type checking switched off
    assert checks.missing == 1
    assert "| strong | 1/1 | - | - |" in render_exemplar_checks(checks)


@pytest.mark.model
def test_bench_checks_shows_how_well_the_models_answers_tell_accepted_exemplars_from_rejected(
    settings_05b, tmp_path, monkeypatch
):
    from bestcase_core.bench import judges
    from bestcase_core.bench.checks import exemplar_answers, render_exemplar_answers

    tsv = _read_exemplars(tmp_path)
    monkeypatch.setattr(judges, "cache_home", lambda: tmp_path / "cache")
    judge = judges.HybridJudge(settings_05b)
    assert exemplar_answers(tmp_path / "repos", judge, cached_only=True, tsv=tsv) == []  # nothing asked yet
    rows = exemplar_answers(tmp_path / "repos", judge, tsv=tsv)
    assert [(r["group"], r["verdict"]) for r in rows] == [("strong", "YES"), ("weak", "NO")]  # the gone repo left out
    assert all(0.0 <= r["values"]["q.names"] <= 1.0 for r in rows)
    assert exemplar_answers(tmp_path / "repos", judge, cached_only=True, tsv=tsv) == rows  # now from the cache
    table = render_exemplar_answers(rows, "qwen2.5-coder:0.5b")
    # the copy with type checking off scores lower: the static score orders them as the readers did
    assert "| static score |" in table and table.split("| static score |")[1].split("\n")[0].endswith("1.00 | 1.00 |")


def test_a_monorepo_app_is_shown_its_repositorys_practices_as_the_scan_reads_them(tmp_path):
    from bestcase_core.bench.suites import known_top, known_workspace
    from bestcase_core.practices import find_practices, with_repository_top

    work = tmp_path / "acme+mono"
    (work / "apps" / "web" / "pages").mkdir(parents=True)
    (work / ".github" / "workflows").mkdir(parents=True)
    (work / "apps" / "web" / "pages" / "index.vue").write_text("<template><p>hi</p></template>\n")
    (work / "apps" / "web" / "package.json").write_text('{"dependencies": {"nuxt": "^3.0.0"}}\n')
    (work / "eslint.config.js").write_text("export default []\n")
    (work / "renovate.json").write_text("{}\n")
    (work / ".github" / "workflows" / "ci.yml").write_text("on: push\n")
    (work / "packages").mkdir()
    (work / "packages" / "lib.ts").write_text("export const x = 1\n")
    sha = _first_commit(work)
    groups = tmp_path / "groups.tsv"
    groups.write_text(
        "repo\tcommit\tgroup\tsubdir\treviewer_picks\treason\n"
        f"acme/mono\t{sha}\tstrong\tapps/web\t-\tapp in a monorepo\n"
    )
    dest = tmp_path / "ws"
    (project,) = known_workspace(dest, tmp_path, groups)
    app, top = dest / project.folder, known_top(dest, project)
    assert (app / "pages" / "index.vue").is_file() and not (app / "eslint.config.js").exists()
    assert top is not None and (top / "eslint.config.js").is_file() and (top / ".github/workflows/ci.yml").is_file()
    assert not (top / "packages").exists()  # the top's files and CI folders, none of the code below it
    alone = {p.name: p.found for p in find_practices(app, app)}
    merged = {p.name: p for p in with_repository_top(find_practices(app, app), top)}
    assert not alone["lint"] and not alone["ci"] and not alone["updates"]
    assert merged["lint"].found and merged["ci"].found and merged["updates"].found
    assert merged["lint"].evidence == "the repository's top: eslint.config.js"
    assert not merged["tests"].found
