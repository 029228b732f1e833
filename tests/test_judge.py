"""The judge's cascade bound, on real facts and the shipped weights (no model)."""

from __future__ import annotations

import itertools

from bestcase_core.analysis import analyze
from bestcase_core.judge import (
    FEATURES,
    answer_ceiling,
    applicable,
    combine,
    features,
    in_contention,
    weights_for,
)
from bestcase_core.roles import role_for_path

CODE = """import type { User } from '~/types'

/** The signed-in user, loaded once per request. */
export function useCurrentUser() {
  const { data, error, refresh } = useFetch<User>('/api/me')
  const name = computed(() => data.value?.name ?? 'guest')
  return { user: data, name, error, refresh }
}
"""


def _inputs(model: str):
    path = "composables/useCurrentUser.ts"
    role = role_for_path(path)
    facts = analyze(CODE, path, role.value)
    _, w = weights_for("hybrid", model)
    return features(facts, None), applicable(facts, role), w


def test_the_answer_ceiling_bounds_every_answer_the_model_could_give():
    x, dims, w = _inputs("qwen2.5-coder:0.5b")
    answers = {k: 1.0 for k in FEATURES if k.startswith(("m.", "q."))}  # answers weighted: above the facts alone
    w = w.model_copy(update={"weights": {**w.weights, **answers}})
    neutral = combine(x, dims, w)[1]
    ceiling = answer_ceiling(x, dims, w)
    assert ceiling > neutral
    answer_keys = [k for k in w.weights if k.startswith(("m.", "q."))]
    for value in (-1.0, 0.0, 0.3, 1.0):
        assert combine({**x, **{k: value for k in answer_keys}}, dims, w)[1] <= ceiling
    assert in_contention(x, dims, w, teaching=0.9, threshold=ceiling)
    assert not in_contention(x, dims, w, teaching=0.9, threshold=ceiling + 0.01)
    assert not in_contention(x, dims, w, teaching=0.4, threshold=0)  # nothing to teach: never a contender


def test_answers_weighted_zero_leave_the_ceiling_at_the_facts_score():
    x, dims, w = _inputs("qwen2.5-coder:1.5b")
    assert all(v == 0 for k, v in w.weights.items() if k.startswith(("m.", "q.")))
    assert answer_ceiling(x, dims, w) == combine(x, dims, w)[1]


def test_dimension_scores_bend_towards_the_bounds_so_a_better_file_never_ties_at_100():
    from bestcase_core.judge import dimension_sums, soft_bound

    assert soft_bound(50.0) == 50.0 and soft_bound(89.0) == 89.0 and soft_bound(11.0) == 11.0
    ys = [soft_bound(v) for v in (-200.0, -20.0, 0.0, 5.0, 10.0, 50.0, 90.0, 95.0, 100.0, 120.0, 300.0)]
    assert all(a < b for a, b in itertools.pairwise(ys)) and all(0.0 < y < 100.0 for y in ys)
    # this file's structure is past 100 on the line; a little more commenting still scores higher
    path = "composables/useCurrentUser.ts"
    role = role_for_path(path)
    _, w = weights_for("static", None)
    facts = analyze(CODE, path, role.value)
    x, dims = features(facts, None), applicable(facts, role)

    def line(x: dict[str, float]) -> float:
        return w.offset + w.scale * (dimension_sums(x, dims, w.weights)["structure"] - w.centers["structure"])

    while line(x) <= 100:  # comment it more until its structure is past 100 on the line
        x = {**x, "comments": x["comments"] + 0.5}
    assert line(x) > 100  # a hard clip would have scored both versions 100
    more = {**x, "comments": x["comments"] + 0.1}
    assert combine(more, dims, w)[0]["structure"] > combine(x, dims, w)[0]["structure"]
    assert combine(more, dims, w)[1] > combine(x, dims, w)[1]


def test_a_file_with_review_leftovers_teaches_nothing_and_is_never_an_exemplar():
    from bestcase_core.analysis import analyze
    from bestcase_core.judge import teaching_value
    from bestcase_core.roles import role_for_path

    clean = (
        "import type { Todo } from '~/types'\n\n"
        "/** The signed-in user's todos, with add and remove. */\n"
        "export function useTodos() {\n"
        "  const { data: todos, error, refresh } = useFetch<Todo[]>('/api/todos', { key: 'todos' })\n"
        "  const open = computed(() => (todos.value ?? []).filter((t) => !t.done))\n"
        "  async function add(title: string): Promise<void> {\n"
        "    await $fetch('/api/todos', { method: 'POST', body: { title } })\n"
        "    await refresh()\n  }\n"
        "  async function remove(id: number): Promise<void> {\n"
        "    await $fetch(`/api/todos/${id}`, { method: 'DELETE' })\n"
        "    await refresh()\n  }\n"
        "  return { todos, open, error, add, remove }\n}\n"
    )
    path = "composables/useTodos.ts"
    role = role_for_path(path)
    assert teaching_value(analyze(clean, path, role.value), role) >= 0.5
    for leftover in ("    console.log('adding', title)\n", "    // await $fetch('/api/old-todos')\n"):
        text = clean.replace(
            "    await refresh()\n  }\n  async function remove",
            leftover + "    await refresh()\n  }\n  async function remove",
        )
        assert teaching_value(analyze(text, path, role.value), role) == 0


def test_a_file_with_a_defect_is_never_an_exemplar_and_scores_at_most_about_the_cap():
    from bestcase_core.analysis import analyze
    from bestcase_core.judge import DEFECT_CAP, applicable, defects, judge_facts, teaching_value, weights_for
    from bestcase_core.roles import role_for_path

    clean = (
        "import { z } from 'zod'\n\n"
        "const body = z.object({ title: z.string().min(1) })\n\n"
        "/** Creates a todo for the signed-in user. */\n"
        "export default defineEventHandler(async (event) => {\n"
        "  const { user } = await requireUserSession(event)\n"
        "  const { title } = await readValidatedBody(event, body.parse)\n"
        "  return await useDrizzle().insert(tables.todos).values({ userId: user.id, title }).returning().get()\n"
        "})\n"
    )
    leaky = clean.replace(
        "/** Creates", "const API_KEY = process.env.TODO_API_KEY || 'sk-live-1234567890'\n\n/** Creates"
    )
    path = "server/api/todos/index.post.ts"
    role = role_for_path(path)
    _, w = weights_for("static", None)
    good, bad = analyze(clean, path, role.value), analyze(leaky, path, role.value)
    assert not defects(good) and [f.key for f in defects(bad)] == ["secrets"]
    assert teaching_value(bad, role) == 0 < teaching_value(good, role)
    good_score = judge_facts(good, applicable(good, role), None, w)[1]
    bad_score = judge_facts(bad, applicable(bad, role), None, w)[1]
    assert bad_score <= DEFECT_CAP + (100 - DEFECT_CAP) / 10 and bad_score < good_score
