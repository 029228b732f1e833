"""Cutting files to the context budget (no model needed: tokens counted as words)."""

from __future__ import annotations

from bestcase_core.sourcefile import TRUNCATION_MARK, fit_to_budget, vue_blocks_script_first


def words(text: str) -> int:
    return len(text.split())


VUE = """<template>
  <div class="a">{{ x }}</div>
</template>

<script setup lang="ts">
const x = ref(1)
const y = computed(() => x.value * 2)
</script>

<style scoped>
.a { color: red; }
</style>
"""


def test_a_file_that_fits_is_untouched():
    fitted = fit_to_budget(VUE, "components/A.vue", 10_000, words)
    assert fitted.text == VUE and not fitted.truncated


def test_vue_blocks_are_reordered_script_first_then_template_then_style():
    out = vue_blocks_script_first(VUE)
    assert out.index("<script") < out.index("<template") < out.index("<style")


def test_a_vue_file_that_does_not_fit_keeps_its_whole_script_first():
    fitted = fit_to_budget(VUE, "components/A.vue", 28, words)
    assert fitted.truncated
    assert fitted.text.startswith("<script setup")
    assert "const y = computed" in fitted.text
    assert fitted.text.endswith(TRUNCATION_MARK)
    assert words(fitted.text) <= 28 and "<div" not in fitted.text and "<style" not in fitted.text


def test_cutting_never_splits_a_multibyte_character():
    text = "const s = '한국어 텍스트'\n" * 400
    fitted = fit_to_budget(text, "utils/k.ts", 100, words)
    assert fitted.truncated
    body = fitted.text.removesuffix(TRUNCATION_MARK)
    assert body.encode("utf-8").decode("utf-8") == body
    assert all(line == "const s = '한국어 텍스트'" for line in body.splitlines())
