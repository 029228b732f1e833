"""The rubric and the judge's combination: which dimensions apply, the weights, the fitted file, the fit."""

from __future__ import annotations

import pytest

from bestcase_core.analysis import analyze
from bestcase_core.judge import FEATURES, QUESTIONS, _weights_file, applicable, overall_score
from bestcase_core.roles import Role, role_for_path
from bestcase_core.rubric import DIMENSION_KEYS, DIMENSIONS, RUBRIC_VERSION, system_prompt, tier


def test_weights_are_the_originals_and_sum_to_one():
    assert {d.key: d.weight for d in DIMENSIONS} == {
        "structure": 0.15,
        "apiConnection": 0.15,
        "errorHandling": 0.15,
        "typeUsage": 0.13,
        "designSystem": 0.12,
        "utilityUsage": 0.10,
        "stateManagement": 0.10,
        "performance": 0.10,
    }
    assert sum(d.weight for d in DIMENSIONS) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("path", "role"),
    [
        ("pages/index.vue", Role.page),
        ("app/pages/blog/[slug].vue", Role.page),
        ("components/ui/Button.vue", Role.component),
        ("composables/useCart.ts", Role.composable),
        ("stores/cart.ts", Role.store),
        ("server/api/users.get.ts", Role.server_route),
        ("middleware/auth.ts", Role.middleware),
        ("plugins/api.ts", Role.plugin),
        ("layouts/default.vue", Role.layout),
        ("utils/format.ts", Role.util),
        ("app.vue", Role.layout),
        ("nuxt.config.ts", Role.util),
        ("src/runtime/composables/useX.ts", Role.composable),
    ],
)
def test_roles_come_from_the_path(path, role):
    assert role_for_path(path) is role


def dims(code: str, path: str) -> tuple[str, ...]:
    role = role_for_path(path)
    return applicable(analyze(code, path, role.value), role)


def test_dimensions_that_a_file_cannot_show_are_not_scored():
    pure = "export const add = (a: number, b: number) => a + b\n"
    keys = dims(pure, "utils/add.ts")
    assert "apiConnection" not in keys and "errorHandling" not in keys and "designSystem" not in keys
    fetching = "export async function load() { return await $fetch('/api/x') }\n"
    keys = dims(fetching, "utils/load.ts")
    assert "apiConnection" in keys and "errorHandling" in keys
    component = "<template><p>{{ a }}</p></template>\n<script setup>const a = 1</script>\n"
    assert "designSystem" in dims(component, "components/A.vue")
    assert "designSystem" not in ROLE_DIMENSIONS_OF(Role.composable)


def ROLE_DIMENSIONS_OF(role: Role) -> tuple[str, ...]:
    from bestcase_core.rubric import ROLE_DIMENSIONS

    return ROLE_DIMENSIONS[role]


def test_overall_renormalises_the_weights_of_the_scored_dimensions():
    assert overall_score({"structure": 80.0, "typeUsage": 60.0}) == pytest.approx(
        (0.15 * 80 + 0.13 * 60) / 0.28, abs=0.01
    )


def test_every_feature_belongs_to_a_rubric_dimension_and_every_question_is_in_the_prompt():
    assert set(FEATURES.values()) <= set(DIMENSION_KEYS)
    text = system_prompt(tuple((q.key, q.text) for q in QUESTIONS))
    assert all(q.text in text for q in QUESTIONS)


@pytest.mark.parametrize("key", ["static", "hybrid:qwen2.5-coder:0.5b", "hybrid:qwen2.5-coder:1.5b"])
def test_the_judges_are_fitted_for_this_rubric(key):
    wf = _weights_file()
    assert wf.rubric_version == RUBRIC_VERSION, "run: bestcase bench fit"
    w = wf.judges[key]
    assert w.fitted_on and w.command and w.scale > 0
    assert all(v >= 0 for v in w.weights.values())  # sign-constrained: every feature is oriented higher-is-better
    assert set(w.weights) <= set(FEATURES)
    assert key == "static" or any(k.startswith(("m.", "q.")) for k in w.weights)


def test_the_fit_keeps_weights_non_negative_and_learns_what_separates_pairs():
    from bestcase_core.bench.fit import PRIOR, fit_weights

    names = ["any", "comments"]
    # 'comments' separates every pair; 'any' points the wrong way in them
    diffs = [[-0.5, 1.0]] * 20
    w = fit_weights(diffs, names, l2=0.01).weights
    assert w["comments"] > PRIOR["comments"]
    assert w["any"] >= 0.5 * PRIOR["any"] - 1e-9  # a fact keeps half its prior at least
    assert all(v >= 0 for v in w.values())


def test_the_pull_towards_the_prior_is_chosen_by_left_out_loss_where_accuracy_ties():
    from bestcase_core.bench.fit import choose_l2

    # one fact that always tells the better version: every pull gets every left-out pair right,
    # but a weak pull lets its weight grow and the predictions grow surer
    best, accuracy, loss = choose_l2([[1.0]] * 30, [f"repo{i % 5}" for i in range(30)], ["comments"])
    assert set(accuracy.values()) == {1.0}
    assert best == min(loss, key=loss.__getitem__) == 0.02
    assert loss[0.02] < loss[2.0]


def test_model_answers_keep_weight_only_if_they_predict_left_out_groups_better_than_the_facts():
    import random

    from bestcase_core.bench.fit import answers_earn_weight, choose_l2

    rng = random.Random(7)
    names = ["comments", "q.names"]
    groups = [f"repo{i % 6}" for i in range(60)]
    # the fact tells the better version in 2 of 3 pairs; the answer in every pair
    telling = [[1.0 if i % 3 else -1.0, 0.2 + rng.random()] for i in range(60)]
    _, cv, _ = choose_l2(telling, groups, names)
    earn, with_answers, without = answers_earn_weight(telling, groups, names, cv)
    assert earn and with_answers > without
    # the answer is noise: the facts alone do as well, and the tie goes to the facts
    noise = [[1.0 if i % 3 else -1.0, rng.uniform(-1, 1)] for i in range(60)]
    _, cv, _ = choose_l2(noise, groups, names)
    earn, with_answers, without = answers_earn_weight(noise, groups, names, cv)
    assert not earn and with_answers <= without


def test_tiers_follow_the_seed():
    assert [tier(s) for s in (80, 79.9, 60, 40, 20, 19.9)] == ["S", "A", "A", "B", "C", "D"]


def test_the_prompt_describes_every_dimension_and_role():
    text = system_prompt(())
    assert all(d.key in text for d in DIMENSIONS)
    assert all(r.value in text for r in Role)
