"""The rubric: which dimensions apply, the weights, the calibration."""

from __future__ import annotations

import pytest

from bestcase_core.registry import get_model
from bestcase_core.roles import Role, role_for_path
from bestcase_core.rubric import (
    DIMENSIONS,
    RUBRIC_VERSION,
    calibrate,
    dimensions_for,
    overall_score,
    system_prompt,
    tier,
)


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


def test_dimensions_that_a_file_cannot_show_are_not_scored():
    pure = "export const add = (a: number, b: number) => a + b\n"
    keys = [d.key for d in dimensions_for(Role.util, pure)]
    assert "apiConnection" not in keys and "errorHandling" not in keys and "designSystem" not in keys
    fetching = "export async function load() { return await $fetch('/api/x') }\n"
    keys = [d.key for d in dimensions_for(Role.util, fetching)]
    assert "apiConnection" in keys and "errorHandling" in keys
    component = "<template><p>{{ a }}</p></template>\n<script setup>const a = 1</script>\n"
    assert "designSystem" in [d.key for d in dimensions_for(Role.component, component)]
    assert "designSystem" not in [d.key for d in dimensions_for(Role.composable, component)]


def test_overall_renormalises_the_weights_of_the_scored_dimensions():
    assert overall_score({"structure": 80.0, "typeUsage": 60.0}) == pytest.approx(
        (0.15 * 80 + 0.13 * 60) / 0.28, abs=0.05
    )


def test_calibration_maps_the_corpus_median_to_75_and_its_90th_percentile_to_85():
    assert calibrate(70.0, 70.0, 76.0) == 75.0
    assert calibrate(76.0, 70.0, 76.0) == 85.0
    assert calibrate(10.0, 70.0, 76.0) == 0.0 and calibrate(99.0, 70.0, 76.0) == 100.0


@pytest.mark.parametrize("name", ["qwen2.5-coder:0.5b", "qwen2.5-coder:1.5b"])
def test_the_tested_models_are_calibrated_for_this_rubric(name):
    cal = get_model(name).calibration
    assert cal is not None and cal.rubric_version == RUBRIC_VERSION, "run: python scripts/bench.py calibrate"
    assert cal.p90 > cal.p50 and cal.files >= 30


def test_tiers_follow_the_seed():
    assert [tier(s) for s in (80, 79.9, 60, 40, 20, 19.9)] == ["S", "A", "A", "B", "C", "D"]


def test_the_prompt_describes_every_dimension_and_role():
    text = system_prompt()
    assert all(d.key in text for d in DIMENSIONS)
    assert all(r.value in text for r in Role)
