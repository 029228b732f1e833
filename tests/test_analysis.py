"""The parser's facts, each on a small snippet whose right answer is known."""

from __future__ import annotations

import time

import pytest

from bestcase_core.analysis import analyze
from bestcase_core.analysis.complexity import functions
from bestcase_core.analysis.parse import parse_source
from bestcase_core.judge import defects


def fn(code: str, name: str, path: str = "utils/x.ts"):
    parsed = parse_source(code, path)
    return next(f for s in parsed.scripts for f in functions(s) if f.name == name)


def keys(facts, good: bool) -> set[str]:
    return {f.key for f in facts.findings if f.good is good}


def vue(script: str, template: str = "<div />", lang: str = "ts") -> str:
    return f'<script setup lang="{lang}">\n{script}\n</script>\n\n<template>\n{template}\n</template>\n'


# --- structure ---------------------------------------------------------------------------------


def test_cognitive_complexity_matches_sonars_sum_of_primes_example():
    code = """
function sumOfPrimes(max: number): number {
  let total = 0
  OUT: for (let i = 1; i <= max; ++i) {
    for (let j = 2; j < i; ++j) {
      if (i % j === 0) {
        continue OUT
      }
    }
    total += i
  }
  return total
}
"""
    f = fn(code, "sumOfPrimes")
    assert f.cognitive == 7  # the white paper's figure
    assert f.nesting == 3


def test_a_switch_counts_once_and_else_if_chains_add_one_each():
    assert fn("function w(n: number) { switch (n) { case 1: return 'a'; default: return 'b' } }", "w").cognitive == 1
    code = "function g(a: number) { if (a > 1) { return 1 } else if (a > 0) { return 2 } else { return 3 } }"
    assert fn(code, "g").cognitive == 3


def test_runs_of_like_boolean_operators_count_once_each():
    f = fn("function c(a: boolean, b: boolean, d: boolean, e: boolean) { if (a && b && d || e) { return 1 } }", "c")
    assert f.cognitive == 3  # if, the && run, the || run
    assert f.complex_conditions == 1


def test_conditions_chained_in_the_template_are_complex_conditionals():
    template = '<div v-if="user && user.roles && user.roles.length > 0" :title="a || b">'
    template += '<span v-show="(open || pinned) && !hidden" /></div>'
    facts = analyze(vue("const open = ref(false)", template), "components/Menu.vue", "component")
    assert facts.metrics["complex_conditionals"] < 0 and "complex_conditionals" in keys(facts, False)
    plain = '<div v-if="hasRoles" :title="a || b" />'
    simple = analyze(vue("const open = ref(false)", plain), "components/M.vue", "component")
    assert simple.metrics["complex_conditionals"] == 0


def test_function_length_arguments_and_bumpy_road():
    body = "\n".join(f"  const v{i} = a + {i}" for i in range(90))
    code = f"""
function big(a: number, b: number, c: number, d: number, e: number, f: number) {{
  if (a) {{ if (b) {{ return 1 }} }}
{body}
  if (c) {{ if (d) {{ return 2 }} }}
  return e + f
}}
"""
    f = fn(code, "big")
    assert f.params == 6 and f.length > 90 and f.bumps == 2
    facts = analyze(code, "utils/big.ts", "util")
    assert {"function_length", "arguments", "bumpy_road"} <= keys(facts, False)


def test_a_functions_length_is_its_own_lines_not_its_nested_functions_or_data():
    handlers = "\n".join(f"  function h{i}(x: number) {{\n    return x + {i}\n  }}" for i in range(30))
    composable = f"export function useThings() {{\n  const count = ref(0)\n{handlers}\n  return {{ count }}\n}}\n"
    outer = fn(composable, "useThings")
    assert outer.length == 34  # its header, `count`, the 30 handlers' first lines, `return`, `}`
    rows = "\n".join(f"    {{ label: 'Item {i}', icon: 'i-{i}' }}," for i in range(60))
    menu = f"export function useMenu() {{\n  const items = [\n{rows}\n  ]\n  return {{ items }}\n}}\n"
    assert fn(menu, "useMenu").length == 4  # its header, `const items = [`, `return`, `}`
    assert "function_length" not in keys(analyze(menu, "composables/useMenu.ts", "composable"), False)


def test_deep_nesting_is_a_weakness_with_its_line():
    code = "function d(a: number[]) {\n  for (const x of a) { if (x) { while (x) { if (x > 2) { return x } } } }\n}\n"
    facts = analyze(code, "utils/d.ts", "util")
    weak = next(f for f in facts.findings if f.key == "nesting")
    assert weak.lines == [1] and not weak.good


def test_duplicated_blocks_inside_a_file_are_found():
    block = """
  const res = await $fetch<User[]>('/api/users', { query: { page: page.value, size: 20 } })
  users.value = res.filter((u) => u.active).map((u) => ({ id: u.id, name: u.name }))
  total.value = res.length
"""
    code = f"async function a() {{{block}}}\nasync function b() {{{block}}}\n"
    facts = analyze(code, "composables/useUsers.ts", "composable")
    assert facts.metrics["duplication"] < -0.3
    assert "duplication" in keys(facts, False)
    once = analyze(f"async function a() {{{block}}}\n", "composables/useUsers.ts", "composable")
    assert once.metrics["duplication"] == 0


def test_rows_of_one_shape_in_a_data_table_are_not_duplication_but_copied_code_with_new_messages_is():
    rows = ",\n".join(f"  {{ kind: 'k{i}', label: 'Label {i}', icon: 'i-lucide-{i}', level: 1 }}" for i in range(12))
    table = f"export const items = [\n{rows}\n]\n"
    assert analyze(table, "utils/items.ts", "util").metrics["duplication"] == 0
    copied = "\n".join(
        f"export function check{i}(v: string) {{\n  if (!v || v.length > 20) {{\n"
        f"    throw createError({{ statusCode: 400, statusMessage: 'Field {i} is invalid', data: {{ field: v }} }})\n"
        "  }\n  return v.trim().toLowerCase()\n}"
        for i in range(3)
    )
    assert analyze(copied, "utils/check.ts", "util").metrics["duplication"] < -0.3


def test_unindented_code_is_noticed():
    code = "export function f(a: number): number {\nif (a > 1) {\nreturn a\n}\n"
    code += "const b = a * 2\nconst c = b + 1\nreturn c\n}\n"
    assert "indentation" in keys(analyze(code, "utils/f.ts", "util"), False)
    pretty = "export function f(a: number): number {\n  if (a > 1) {\n    return a\n  }\n  return a * 2\n}\n"
    assert analyze(pretty, "utils/f.ts", "util").metrics["indentation"] == 0


def test_unindented_properties_and_elements_are_noticed_but_other_layouts_are_not():
    prop = "{name}: {{\ntype: Array as PropType<string[]>,\ndefault: () => []\n}},\n"
    flat = vue("defineProps({\n" + "".join(prop.format(name=n) for n in ("colors", "sizes", "labels")) + "})")
    assert "indentation" in keys(analyze(flat, "components/A.vue", "component"), False)
    pretty = vue("defineProps({\n  colors: {\n    type: Array as PropType<string[]>,\n    default: () => [],\n  },\n})")
    assert analyze(pretty, "components/A.vue", "component").metrics["indentation"] == 0
    # objects hugging each other (`}, {`) and an array continued from its opening line
    hugging = "export const rows = [{\n  a: 1,\n}, {\n  a: 2,\n}]\nexport const cls = [base, size,\n  extra, more]\n"
    assert analyze(hugging, "utils/rows.ts", "util").metrics["indentation"] == 0
    # a condition continued over lines closes with `) {` as deep as the body
    cond = "export function f(to: string) {\n    if (to.startsWith('/a') ||\n        to.startsWith('/b')\n        ) {\n"
    cond += "        go()\n        stop()\n        leave()\n        end()\n        quit()\n    }\n}\n"
    assert analyze(cond, "utils/f.ts", "util").metrics["indentation"] == 0


def test_meaningless_names_and_descriptive_ones():
    bad = "export function f(v0: number, v1: number) { const v2 = v0 + v1; const v3 = v2 * 2; return v3 }"
    facts = analyze(bad, "utils/f.ts", "util")
    assert facts.metrics["meaningless_names"] < -0.5 and "meaningless_names" in keys(facts, False)
    good = "export function total(price: number, count: number) { const sum = price * count; return sum }"
    assert analyze(good, "utils/f.ts", "util").metrics["meaningless_names"] == 0


def test_one_short_name_in_a_tiny_file_weighs_less_than_the_same_share_of_a_large_one():
    tiny = analyze(
        "export const load = async (id: string) => {\n  const s1 = await get(id)\n  return s1\n}\n",
        "utils/load.ts",
        "util",
    )
    names = ["s1"] + [f"value{i}" for i in range(9)]
    big = analyze("".join(f"export const {n} = 1\n" for n in names * 1), "utils/x.ts", "util")
    assert tiny.metrics["meaningless_names"] < 0 and big.metrics["meaningless_names"] < 0
    # 1 of 3 names and 1 of 10, drawn towards none by the same prior: neither counts as a raw share
    assert -tiny.metrics["meaningless_names"] < 1 / 3 and -big.metrics["meaningless_names"] < 1 / 10


def test_a_one_letter_name_read_only_next_to_its_declaration_is_not_meaningless():
    """Before: `v => !!v || 'required'` and `r`, `g`, `b` in a colour helper were "names that say nothing";
    12 of 12 such findings sampled from public apps were idiomatic. A one-letter name read far away still is."""
    near = (
        "export const rules = [(v: string) => !!v || 'required']\n"
        "export function hex(c: number[]): string {\n  const r = c[0]\n  const g = c[1]\n  const b = c[2]\n"
        "  return `#${r}${g}${b}`\n}\n"
    )
    assert analyze(near, "utils/color.ts", "util").metrics["meaningless_names"] == 0
    far = "export function total(items: number[]): number {\n  const s = items.length\n" + "  log()\n" * 12
    far += "  return s\n}\n"
    assert analyze(far, "utils/total.ts", "util").metrics["meaningless_names"] < 0


def test_an_import_renamed_to_a_meaningless_name_counts_as_one():
    code = "import { PropType as v0 } from 'vue'\nimport * as q from './q'\nexport const sizes: v0<string> = q.all\n"
    facts = analyze(code, "utils/f.ts", "util")
    assert facts.metrics["meaningless_names"] == pytest.approx(-2 / 5, abs=1e-3)  # v0, q of v0, q, sizes; prior 2
    finding = next(f for f in facts.findings if f.key == "meaningless_names")
    assert "`v0`" in finding.text and "`q`" in finding.text and finding.lines == [1, 2]
    kept = "import { PropType } from 'vue'\nimport * as routes from './routes'\nexport const all = routes.all\n"
    assert analyze(kept, "utils/f.ts", "util").metrics["meaningless_names"] == 0


def test_comments_in_the_template_count_as_comments():
    template = "<div>\n  <!-- Only the logo -->\n  <span />\n  <!-- Only the title -->\n  <span />\n</div>"
    script = "const logo = computed(() => config.value.logo)\nconst title = computed(() => config.value.title)"
    commented = analyze(vue(script, template), "components/A.vue", "component")
    bare = analyze(
        vue(script, template.replace("<!-- Only the logo -->", "").replace("<!-- Only the title -->", "")),
        "components/A.vue",
        "component",
    )
    assert commented.metrics["comments"] > bare.metrics["comments"]


def test_documented_exports_and_comment_density():
    code = "/** Adds two numbers. */\nexport function add(a: number, b: number) { return a + b }\n" * 1
    code += "/** Subtracts. */\nexport function sub(a: number, b: number) { return a - b }\n"
    facts = analyze(code, "utils/math.ts", "util")
    half = analyze(code.replace("/** Subtracts. */\n", ""), "utils/math.ts", "util")
    bare = analyze(code.replace("/** Subtracts. */\n", "").replace("/** Adds two numbers. */\n", ""), "x.ts", "util")
    assert facts.metrics["documented_exports"] > half.metrics["documented_exports"] > bare.metrics["documented_exports"]
    assert facts.metrics["comments"] > 0.5


def test_comment_coverage_of_a_short_file_is_drawn_towards_neutral():
    line = "export const total = (items: number[]) => items.reduce((a, b) => a + b, 0)\n"
    comment = "// sums the cart lines before tax\n"
    short, short_bare = analyze(comment + line, "utils/t.ts", "util"), analyze(line, "utils/t.ts", "util")
    long = analyze((comment + line) * 60, "utils/t.ts", "util")
    long_bare = analyze(line * 60, "utils/t.ts", "util")
    assert long_bare.metrics["comments"] < short_bare.metrics["comments"] < 0.5
    assert 0.5 < short.metrics["comments"] < long.metrics["comments"] == 1.0


def test_to_do_markers_are_not_explanation():
    code = "export const key = 'carts'\n"
    todo = analyze("// TODO: read the key from config\n" + code, "utils/k.ts", "util")
    fixme = analyze("/* FIXME this breaks on SSR */\n" + code, "utils/k.ts", "util")
    why = analyze("// one key shared with the cart store\n" + code, "utils/k.ts", "util")
    bare = analyze(code, "utils/k.ts", "util")
    assert todo.metrics["comments"] == fixme.metrics["comments"] == bare.metrics["comments"] < why.metrics["comments"]


def test_a_share_over_few_cases_weighs_less_than_over_many():
    one = analyze("export function f(a: string) { return a }\n", "utils/f.ts", "util").metrics["typed_params"]
    many = "".join(f"export function f{i}(a: string, b: number) {{ return a + b }}\n" for i in range(10))
    ten = analyze(many, "utils/f.ts", "util").metrics["typed_params"]
    none = analyze("export const x = 1\n", "utils/f.ts", "util").metrics["typed_params"]
    assert none == 0.5 < one < ten < 1.0  # drawn towards neutral, less so the more parameters there are


# --- typeUsage ---------------------------------------------------------------------------------


def test_ts_nocheck_judges_a_typescript_file_as_javascript():
    code = "export function total(items: Item[]): number {\n  return items.reduce((s, i) => s + i.price, 0)\n}\n"
    checked = analyze(code, "utils/total.ts", "util")
    unchecked = analyze("// @ts-nocheck\n" + code, "utils/total.ts", "util")
    assert checked.metrics["typescript"] == 1 and checked.metrics["typed_params"] > 0
    assert unchecked.metrics["typescript"] == 0 and unchecked.metrics["typed_params"] == 0
    finding = next(f for f in unchecked.findings if f.key == "typescript")
    assert not finding.good and "@ts-nocheck" in finding.text and finding.lines == [1]
    sfc = vue("// @ts-nocheck\n" + code.replace("export ", ""), "<p>{{ total([]) }}</p>")
    assert analyze(sfc, "components/Total.vue", "component").metrics["typescript"] == 0
    # in a JavaScript file it changes nothing, and `@ts-ignore` still silences one line
    assert analyze("// @ts-nocheck\nexport const a = 1\n", "utils/a.js", "util").metrics["ts_ignore"] == 0


def test_typed_parameters_any_non_null_and_ts_ignore():
    code = """
export function load(id: string, opts: any) {
  // @ts-ignore
  const el = document.getElementById(id)!
  return (opts as any).x + el.id
}
"""
    facts = analyze(code, "utils/load.ts", "util")
    untyped = analyze(code.replace(": string", "").replace(": any", ""), "utils/load.ts", "util")
    assert facts.metrics["typed_params"] > untyped.metrics["typed_params"]
    # `opts: any` is as loose as a bare `opts` (what noImplicitAny rejects): one untyped parameter, not also an `any`
    any_param = analyze(code.replace(": string", ""), "utils/load.ts", "util")
    assert any_param.metrics["typed_params"] == untyped.metrics["typed_params"]
    assert facts.metrics["any"] < 0
    bad = keys(facts, False)
    assert {"any", "ts_ignore"} <= bad
    any_finding = next(f for f in facts.findings if f.key == "any")
    assert any_finding.lines == [5]
    # an inline callback's parameter is typed by the call, so an `any` there does loosen it
    callback = analyze("export const ids = rows.map((row: any) => row.id)\n", "utils/ids.ts", "util")
    assert next(f for f in callback.findings if f.key == "any").lines == [1]


def test_a_double_cast_through_unknown_switches_type_checks_off_like_any():
    code = "const { $i18n } = useNuxtApp()\nexport const i18n = $i18n as unknown as I18nInstance\n"
    facts = analyze(code, "utils/i18n.ts", "util")
    assert facts.metrics["any"] < 0
    assert next(f for f in facts.findings if f.key == "any").lines == [2]
    single = analyze(code.replace(" as unknown as I18nInstance", " as I18nInstance"), "utils/i18n.ts", "util")
    assert single.metrics["any"] == 0
    assert analyze("export const x = (v as unknown)\n", "utils/x.ts", "util").metrics["any"] == 0


def test_type_assertions_count_and_const_prop_types_and_any_do_not():
    casts = (
        "export function pick(entries: unknown[], el: unknown) {\n"
        "  const first = entries[0] as PerformanceEventTiming\n"
        "  const input = <HTMLInputElement>el\n"
        "  return [first, input, (el as { id: string }).id]\n"
        "}\n"
    )
    facts = analyze(casts, "utils/pick.ts", "util")
    assert facts.metrics["type_assertions"] < 0
    assert next(f for f in facts.findings if f.key == "type_assertions").lines == [2, 3, 4]
    guards = casts.replace(" as PerformanceEventTiming", "").replace("<HTMLInputElement>", "")
    guards = guards.replace("(el as { id: string })", "el")
    assert analyze(guards, "utils/pick.ts", "util").metrics["type_assertions"] == 0
    not_counted = (
        "export const sizes = ['sm', 'lg'] as const\n"
        "export const x = v as any\nexport const y = w as unknown as Y\nexport const z = <any>u\n"
        "export default defineComponent({ props: {\n"
        "  items: { type: Array as PropType<Item[]>, required: true },\n"
        "  size: { type: String as () => Size },\n"
        "} })\n"
    )
    assert analyze(not_counted, "components/List.ts", "component").metrics["type_assertions"] == 0


def test_defineprops_with_a_type_argument_is_typed_and_a_list_of_names_is_not():
    typed = analyze(vue("const props = defineProps<{ user: User }>()"), "components/A.vue", "component")
    assert typed.metrics["typed_props"] == 1.0 and "typed_props" in keys(typed, True)
    listed = analyze(vue("const props = defineProps(['user'])", lang="js"), "components/A.vue", "component")
    assert listed.metrics["typed_props"] == 0.0 and "typed_props" in keys(listed, False)
    emits = analyze(vue("const emit = defineEmits(['save'])", lang="js"), "components/A.vue", "component")
    assert any(f.key == "typed_props" and "emits" in f.text for f in emits.findings)


def test_runtime_props_typed_only_as_object_or_array_are_loose_in_typescript():
    props = "defineProps({\n  images: { type: Array, default: () => [] },\n  opts: Object,\n  size: String,\n"
    props += "  tags: { type: Array as PropType<string[]> },\n})"
    loose = analyze(vue(props), "components/A.vue", "component")
    assert loose.metrics["typed_props"] == 0.5  # 2 of 4 props say no more than `Object`/`Array`
    finding = next(f for f in loose.findings if f.key == "typed_props")
    assert not finding.good and finding.lines == [3, 4]
    precise = props.replace("type: Array, default", "type: Array as PropType<string[]>, default")
    precise = precise.replace("opts: Object", "opts: Object as PropType<Options>")
    assert analyze(vue(precise), "components/A.vue", "component").metrics["typed_props"] == 1.0
    # `PropType<any>` says no more than a bare `Object`: a loose prop, counted once (not also as an `any`)
    any_prop = analyze(vue(props.replace("opts: Object", "opts: Object as PropType<any>")), "components/A.vue", "")
    assert any_prop.metrics["typed_props"] == 0.5 and any_prop.metrics["any"] == 0
    # in JavaScript a runtime validator is all the typing there is
    assert (
        analyze(vue(props.replace(" as PropType<string[]>", ""), lang="js"), "components/A.vue", "component").metrics[
            "typed_props"
        ]
        == 1.0
    )


def test_options_api_props_and_emits_are_measured_like_defineprops():
    options = (
        "import { defineComponent } from 'vue'\n"
        "export default defineComponent({\n"
        "  props: { page: { type: Object as PropType<any> }, fields: Array as PropType<Field[]> },\n"
        "  emits: ['save'],\n"
        "})\n"
    )
    facts = analyze(f'<script lang="ts">\n{options}</script>\n', "components/Edit.vue", "component")
    # one loose prop of two (`PropType<any>`, not also an `any`), emits without payload types
    assert facts.metrics["typed_props"] == 0.25 and facts.metrics["any"] == 0
    assert {f.text.split(" ")[0] for f in facts.findings if f.key == "typed_props"} == {"1", "emits"}
    precise = options.replace("PropType<any>", "PropType<Page>").replace("['save']", "{ save: (id: string) => true }")
    plain = f'<script lang="ts">\n{precise.replace("defineComponent(", "(")}</script>\n'  # `export default {...}`
    assert analyze(plain, "components/Edit.vue", "component").metrics["typed_props"] == 1.0
    listed = "<script>\nexport default { props: ['page'], methods: { save() {} } }\n</script>\n"
    assert analyze(listed, "components/Edit.vue", "component").metrics["typed_props"] == 0.0
    # outside a .vue file, `export default {...}` is not a component's options
    assert analyze("export default { props: ['a'] }\n", "utils/x.ts", "util").metrics["typed_props"] == 0.5


def test_a_parameter_without_parentheses_is_an_untyped_parameter():
    arrow = analyze("export const send = async e => { await post(e) }\n", "utils/send.ts", "util")
    paren = analyze("export const send = async (e) => { await post(e) }\n", "utils/send.ts", "util")
    typed = analyze("export const send = async (e: Event) => { await post(e) }\n", "utils/send.ts", "util")
    assert arrow.metrics["typed_params"] == paren.metrics["typed_params"] < 0.5 < typed.metrics["typed_params"]
    # a callback's parameter is typed by the call it is passed to, with or without parentheses
    mapped = analyze("export const ids = (xs: X[]) => xs.map(x => x.id)\n", "utils/ids.ts", "util")
    assert mapped.metrics["typed_params"] > 0.5


def test_the_parameters_of_hooks_passed_in_a_calls_options_are_typed_by_the_library():
    code = (
        "export const useAddTodo = () => useMutation({\n"
        "  mutation: (title: string) => $fetch('/api/todos', { method: 'POST', body: { title } }),\n"
        "  onSuccess(todo) { toast.add({ title: todo.title }) },\n"
        "  onError: (err) => { toast.add({ title: err.message }) },\n"
        "})\n"
    )
    facts = analyze(code, "composables/useAddTodo.ts", "composable")
    hooks_off = code.replace("  onSuccess", "  // onSuccess").replace("  onError", "  // onError")
    alone = analyze(hooks_off, "composables/useAddTodo.ts", "composable")
    # `todo`, `err` (and `title`): members of the options, typed through useMutation like any inline callback
    assert facts.metrics["typed_params"] == alone.metrics["typed_params"]
    # any member of the options object, not only `on*` hooks: `getKey(event)` is typed by defineCachedEventHandler
    cached = "export default defineCachedEventHandler(() => load(), {\n  getKey(event) { return event.path },\n})\n"
    assert analyze(cached, "server/api/feed.get.ts", "server route").metrics["typed_params"] == 0.5  # none counted
    store = "export const useCart = defineStore('cart', {\n  actions: {\n  add(item) { this.list.push(item) },\n  }\n})"
    assert analyze(store, "stores/cart.ts", "store").metrics["typed_params"] < 0.5  # an action's is not


def test_empty_state_without_a_type_argument_is_a_type_hole_and_a_typed_one_is_not():
    holes = "const el = ref(null)\nconst users = ref([])\nconst cache = new Map()\nconst token = useState('token')"
    facts = analyze(vue(holes), "components/A.vue", "component")
    finding = next(f for f in facts.findings if f.key == "untyped_state")
    assert not finding.good and finding.lines == [2, 3, 4, 5] and facts.metrics["untyped_state"] < 0
    typed = (
        "const el = ref<HTMLElement | null>(null)\nconst users: Ref<User[]> = ref([])\n"
        "const cache = new Map<string, User>()\nconst token = useState<string>('token')\n"
        "const open = ref(false)\nconst box = ref(null) as Ref<HTMLElement | null>"
    )
    assert analyze(vue(typed), "components/A.vue", "component").metrics["untyped_state"] == 0
    assert analyze(vue(holes, lang="js"), "components/A.vue", "component").metrics["untyped_state"] == 0  # JS: n/a


def test_plain_javascript_is_untyped():
    facts = analyze(
        "export function f(a, b) {\n  const c = a + b\n  const d = c * 2\n  const e = d - 1\n  return e + c\n}\n",
        "utils/f.js",
        "util",
    )
    assert facts.metrics["typescript"] == 0 and "typescript" in keys(facts, False)


# --- errorHandling -------------------------------------------------------------------------------


def test_awaits_without_an_error_path_and_with_one():
    bare = "export async function save(body: Body) {\n  await $fetch('/api/save', { method: 'POST', body })\n}\n"
    facts = analyze(bare, "utils/save.ts", "util")
    assert facts.metrics["unhandled_async"] == -1.0
    assert next(f for f in facts.findings if f.key == "unhandled_async").lines == [2]
    guarded = (
        "export async function save(body: Body) {\n  try {\n    await $fetch('/api/save', { method: 'POST', body })\n"
        "  } catch (e) {\n    throw createError({ statusCode: 500, statusMessage: 'Save failed' })\n  }\n}\n"
    )
    facts = analyze(guarded, "utils/save.ts", "util")
    assert facts.metrics["unhandled_async"] == 0 and facts.metrics["error_surfaced"] == 1
    assert "unhandled_async" in keys(facts, True)
    chained = "export async function save(body: Body) {\n  await post(body).then(done).catch(report)\n}\n"
    assert analyze(chained, "utils/save.ts", "util").metrics["unhandled_async"] == 0
    assert analyze(chained.replace(".catch(report)", ""), "utils/save.ts", "util").metrics["unhandled_async"] == -1.0


def test_empty_and_log_only_catch_blocks():
    code = (
        "export async function a() {\n  try { await go() } catch (e) {}\n"
        "  try { await go() } catch (e) { console.error(e) }\n}\n"
    )
    facts = analyze(code, "utils/a.ts", "util")
    assert facts.metrics["empty_catch"] == -1 and facts.metrics["log_only_catch"] == -1
    assert {"empty_catch", "log_only_catch"} <= keys(facts, False)
    # a logger is a console by another name
    logger = code.replace("console.error(e)", "logger.error('could not go', e)")
    assert analyze(logger, "utils/a.ts", "util").metrics["log_only_catch"] == -1


def test_a_server_error_whose_own_message_is_sent_to_the_client_is_a_leak():
    handler = (
        "export default defineEventHandler(async (event) => {\n  try {\n    return await listDevices(event)\n  }\n"
        "  catch (error) {\n    throw createError({ statusCode: 500, statusMessage: error.message })\n  }\n})\n"
    )
    leak = analyze(handler, "server/api/devices.get.ts", "server")
    assert leak.metrics["error_leak"] < 0
    assert next(f for f in leak.findings if f.key == "error_leak").lines == [6]
    # a 4xx message is meant for the client; a fixed message leaks nothing
    for fixed in ("statusCode: 400, statusMessage: error.message", "statusCode: 500, statusMessage: 'Could not list'"):
        text = handler.replace("statusCode: 500, statusMessage: error.message", fixed)
        assert analyze(text, "server/api/devices.get.ts", "server").metrics["error_leak"] == 0


def test_an_error_sent_back_in_a_handlers_response_body_is_a_leak_too():
    handler = (
        "export default defineEventHandler(async (event) => {\n  try {\n    return await listDevices(event)\n  }\n"
        "  catch (error) {\n    return { error: error.message || 'Internal server error' }\n  }\n})\n"
    )
    leak = analyze(handler, "server/api/devices.get.ts", "server")
    assert next(f for f in leak.findings if f.key == "error_leak").lines == [6]
    fixed = handler.replace("error.message || 'Internal server error'", "'Could not list the devices'")
    assert analyze(fixed, "server/api/devices.get.ts", "server").metrics["error_leak"] == 0
    # in the app, a caught error's message shown to the user is no leak
    assert analyze(handler, "composables/useDevices.ts", "composable").metrics["error_leak"] == 0


def test_a_request_returned_to_the_caller_passes_its_error_on():
    returned = (
        "export function usePackage(name: MaybeRefOrGetter<string>) {\n"
        "  return useFetch(() => `/api/p/${toValue(name)}`)\n}\n"
    )
    facts = analyze(returned, "composables/usePackage.ts", "composable")
    assert facts.metrics["error_surfaced"] == 1 and facts.metrics["unhandled_async"] == 0
    arrow = "export const getPackage = (name: string) => $fetch<Pkg>(`/api/p/${name}`)\n"
    assert analyze(arrow, "utils/pkg.ts", "util").metrics["error_surfaced"] == 1
    kept = (
        "export function usePackage(name: string) {\n  const { data } = useFetch(`/api/p/${name}`)\n  return data\n}\n"
    )
    assert analyze(kept, "composables/usePackage.ts", "composable").metrics["error_surfaced"] == 0
    # a callback returns its request to the library that called it, which keeps the error in `error`
    handler = vue("const { data } = useAsyncData('settings', () => $fetch('/api/settings'))", "<p>{{ data }}</p>")
    assert analyze(handler, "components/Header.vue", "component").metrics["error_surfaced"] == 0


def test_a_toast_that_confirms_a_success_is_not_an_error_path():
    save = "async function save() {{\n  await $fetch('/api/save', {{ method: 'POST' }})\n  {toast}\n}}"
    confirm = analyze(vue(save.format(toast="toast.add({ title: 'Saved' })")), "pages/a.vue", "page")
    assert confirm.metrics["error_surfaced"] == 0
    assert (
        analyze(vue(save.format(toast="toast.success('Saved')")), "pages/a.vue", "page").metrics["error_surfaced"] == 0
    )
    caught = "async function save() {{\n  try {{\n    await $fetch('/api/save')\n  }} catch {{\n    {toast}\n  }}\n}}"
    failures = [
        save.format(toast="toast.error('Could not save')"),
        save.format(toast="toast.add({ title: 'Not saved', color: 'error' })"),
        caught.format(toast="toast.add({ title: 'Not saved' })"),
        "function save() {\n  $fetch('/api/save').catch(() => toast.add({ title: 'Not saved' }))\n}",
        "async function save() {\n  const res = await send()\n  if (!res.ok) toast.add({ title: 'Not saved' })\n}",
    ]
    for code in failures:
        assert analyze(vue(code), "pages/a.vue", "page").metrics["error_surfaced"] == 1, code


def test_a_template_that_shows_a_value_named_for_an_error_surfaces_it():
    script = "const { run, error: loginError } = useErrorHandler()\nasync function submit() {\n  await run(login)\n}"

    def surfaced(template: str) -> float:
        return analyze(vue(script, template), "components/Login.vue", "component").metrics["error_surfaced"]

    shown = ('<p v-if="loginError">{{ loginError.message }}</p>', "<p>{{ errMsg }}</p>", "<p>{{ state.error }}</p>")
    assert [surfaced(t) for t in shown] == [1, 1, 1]
    # a form's validation messages and words that only contain "err" are not a failed request shown
    not_shown = ("<p>{{ errors.email }}</p>", "<p>{{ mirror }}</p>", "<p>{{ terrible }}</p>")
    assert [surfaced(t) for t in not_shown] == [0, 0, 0]


def test_a_returned_await_in_a_module_leaves_the_failure_to_the_caller_but_not_in_a_vue_file():
    helper = "export async function join(id: string) {\n  return await $fetch(`/api/team/${id}`)\n}\n"
    assert analyze(helper, "utils/teams.ts", "util").metrics["unhandled_async"] == 0  # as `return $fetch(...)`
    kept = helper.replace("return await", "const team = await").replace("}\n", "  return team.id\n}\n", 1)
    assert analyze(kept, "utils/teams.ts", "util").metrics["unhandled_async"] == -1.0
    # in a component the caller may be a template event (`@click="join(id)"`), which drops a rejection
    sfc = vue(helper.replace("export ", ""), '<button @click="join(1)">Join</button>')
    assert analyze(sfc, "components/Join.vue", "component").metrics["unhandled_async"] == -1.0


def test_a_callbacks_await_is_judged_where_the_call_that_takes_it_is_awaited():
    tx = (
        "export async function move(from: number, to: number) {\n  try {\n"
        "    await db.transaction(async (tx) => {\n      await tx.debit(from)\n      await tx.credit(to)\n    })\n"
        "  } catch (e) {\n    throw createError({ statusCode: 409, statusMessage: 'Transfer refused' })\n  }\n}\n"
    )
    assert analyze(tx, "utils/move.ts", "util").metrics["unhandled_async"] == 0
    # the outer await is still judged on its own
    bare = (
        "export async function move(from: number) {\n  await db.transaction(async (tx) => {\n"
        "    await tx.debit(from)\n  })\n  return true\n}\n"
    )
    assert analyze(bare, "utils/move.ts", "util").metrics["unhandled_async"] == -0.5
    # a callback nobody awaits keeps its own awaits: its rejection goes nowhere
    dropped = "export function start(ids: number[]) {\n  ids.forEach(async (id) => {\n    await load(id)\n  })\n}\n"
    assert analyze(dropped, "utils/start.ts", "util").metrics["unhandled_async"] == -1.0
    gathered = (
        "export async function all(ids: number[]) {\n"
        "  return await Promise.all(ids.map(async (id) => await load(id)))\n}\n"
    )
    assert analyze(gathered, "utils/all.ts", "util").metrics["unhandled_async"] == 0
    # an async Promise executor and a timer's callback drop their rejection, awaited or not
    executor = (
        "export async function first(id: number) {\n  try {\n    return await new Promise(async (resolve) => {\n"
        "      resolve(await load(id))\n    })\n  } catch (e) {\n    throw createError({ statusCode: 502 })\n  }\n}\n"
    )
    facts = analyze(executor, "utils/first.ts", "util")
    assert next(f for f in facts.findings if f.key == "unhandled_async").lines == [4]


def test_a_call_through_a_composable_named_for_failures_is_its_error_path():
    script = (
        "const { executeAsync, error } = useErrorHandler()\n"
        "async function submit() {\n  const user = await executeAsync(() => login(form.value))\n"
        "  if (user) await navigateTo('/')\n}"
    )
    page = analyze(vue(script, '<p v-if="error">{{ error.message }}</p>'), "pages/login.vue", "page")
    assert page.metrics["unhandled_async"] == 0
    plain = script.replace("= useErrorHandler()", "= useForm()")
    assert analyze(vue(plain, "<p>{{ error }}</p>"), "pages/login.vue", "page").metrics["unhandled_async"] == -1.0


def test_a_log_only_catch_is_meant_when_its_comment_gives_a_reason_not_when_it_asks_for_handling():
    def log_only(comment: str) -> float:
        code = (
            "export async function refresh() {\n  try {\n    await $fetch('/api/favorites')\n  } catch (e) {\n"
            f"    {comment}\n    console.error(e)\n  }}\n}}\n"
        )
        return analyze(code, "utils/refresh.ts", "util").metrics["log_only_catch"]

    meant = ("// Non-critical: the list refreshes on the next visit", "// Don't break login if this fails")
    asks = ("// TODO: show a toast", "// You could add a notification here", "// Handle the error", "// toast.error(e)")
    assert [log_only(c) for c in meant] == [0, 0]
    assert [log_only(c) for c in asks] == [-1, -1, -1, -1]


def test_a_failure_logged_while_handling_another_is_no_swallowed_error():
    handler = (
        "export default defineEventHandler(async (event) => {\n  try {\n    return await $fetch('/upstream')\n"
        "  } catch (err) {\n    let detail: unknown\n    try {\n      detail = await readBody(event)\n"
        "    } catch (readError) {\n      console.error('could not read the body', readError)\n    }\n"
        "    throw createError({ statusCode: 502, statusMessage: 'Upstream failed', cause: detail })\n  }\n})\n"
    )
    facts = analyze(handler, "server/api/proxy.post.ts", "server")
    assert facts.metrics["log_only_catch"] == 0 and facts.metrics["unhandled_async"] == 0
    # the same log-only catch on the main path swallows the failure
    main = (
        "export async function save(body: Body) {\n  try {\n    await $fetch('/api/save', { method: 'POST', body })\n"
        "  } catch (e) {\n    console.error(e)\n  }\n}\n"
    )
    assert analyze(main, "utils/save.ts", "util").metrics["log_only_catch"] == -1


def test_a_failure_returned_as_a_value_and_checked_is_an_error_path():
    checked = (
        "export async function load(id: number) {\n"
        "  const { data, error } = await supabase.from('t').select().eq('id', id)\n"
        "  if (error) throw error\n  return data\n}\n"
    )
    assert analyze(checked, "utils/load.ts", "util").metrics["unhandled_async"] == 0
    unread = checked.replace("  if (error) throw error\n", "")
    assert analyze(unread, "utils/load.ts", "util").metrics["unhandled_async"] == -1.0
    twice = unread.replace("  return data\n", "  const { error } = await supabase.from('u').select()\n  return data\n")
    assert analyze(twice, "utils/load.ts", "util").metrics["unhandled_async"] < 0  # declared twice, read never
    result = (
        "export async function remove(id: number) {\n  const result = await runAction(() => api.remove(id))\n"
        "  if (!result.ok) {\n    return\n  }\n  await reload()\n}\n"
    )
    assert analyze(result, "utils/remove.ts", "util").metrics["unhandled_async"] == -0.5  # `reload()` has none
    unchecked = result.replace("  if (!result.ok) {\n    return\n  }\n", "  console.info(result.data)\n")
    assert analyze(unchecked, "utils/remove.ts", "util").metrics["unhandled_async"] == -1.0


def test_usefetch_error_that_reaches_the_template_is_an_error_path():
    script = "const { data, error } = await useFetch<Post[]>('/api/posts')"
    shown = analyze(vue(script, '<p v-if="error">{{ error.message }}</p>'), "pages/posts.vue", "page")
    assert shown.metrics["unhandled_async"] == 0 and shown.metrics["error_surfaced"] == 1
    ignored = analyze(vue(script, "<p>{{ data }}</p>"), "pages/posts.vue", "page")
    assert ignored.metrics["unhandled_async"] < 0


def test_usefetch_in_a_function_counts_as_checked_only_where_that_function_raises_or_shows_errors():
    store = (
        "export const useProgress = defineStore('progress', () => {\n  const progress = ref<Progress>({})\n"
        "  async function load() {\n    const { data } = await useFetch<Progress>('/api/progress')\n"
        "    if (data.value) progress.value = data.value\n  }\n"
        "  async function save() {\n    try {\n      await $fetch('/api/progress', { method: 'POST' })\n"
        "    } catch (e) {\n      throw createError({ statusCode: 500, statusMessage: 'Not saved' })\n    }\n  }\n"
        "  return { progress, load, save }\n})\n"
    )
    facts = analyze(store, "stores/progress.ts", "store")
    assert next(f for f in facts.findings if f.key == "unhandled_async").lines == [4]  # save's throw is not load's
    raised = store.replace(
        "    if (data.value) progress.value = data.value\n",
        "    if (!data.value) throw createError({ statusCode: 404, statusMessage: 'No progress' })\n",
    )
    assert analyze(raised, "stores/progress.ts", "store").metrics["unhandled_async"] == 0


def test_a_catch_that_only_falls_back_is_not_said_to_reach_the_user():
    code = (
        "export async function loadPosts(posts: Ref<Post[]>) {\n  try {\n"
        "    posts.value = await $fetch<Post[]>('/api/posts')\n  } catch (e) {\n    posts.value = []\n  }\n}\n"
    )
    text = next(f for f in analyze(code, "utils/posts.ts", "util").findings if f.key == "error_surfaced").text
    assert text == "failures are caught and recovered from"
    for told in ("    loadError.value = e\n", "    toast.add({ title: 'Could not load', color: 'error' })\n"):
        facts = analyze(code.replace("    posts.value = []\n", told), "utils/posts.ts", "util")
        assert next(f for f in facts.findings if f.key == "error_surfaced").text.startswith("errors reach the user")


def test_a_catch_that_only_logs_or_drops_the_error_is_no_error_path_unless_a_finally_recovers():
    logged = (
        "export async function load() {\n  try {\n    await api.get()\n  } catch (e) {\n    console.error(e)\n  }\n}\n"
    )
    facts = analyze(logged, "composables/useLoad.ts", "composable")
    assert facts.metrics["unhandled_async"] == -1.0
    finding = next(f for f in facts.findings if f.key == "unhandled_async")
    assert not finding.good and finding.lines == [3] and "logged or dropped" in finding.text
    recovered = logged.replace("  }\n}\n", "  } finally {\n    loading.value = false\n  }\n}\n")
    assert analyze(recovered, "composables/useLoad.ts", "composable").metrics["unhandled_async"] == 0


def test_h3_validation_and_session_helpers_answer_failures_themselves_on_the_server():
    code = (
        "export default defineEventHandler(async (event) => {\n"
        "  const { user } = await requireUserSession(event)\n"
        "  const body = await readValidatedBody(event, schema.parse)\n"
        "  return { user, body }\n})\n"
    )
    server = analyze(code, "server/api/todos.post.ts", "server_route")
    assert server.metrics["unhandled_async"] == 0 and server.metrics["error_surfaced"] == 1
    # the same names elsewhere are just calls
    assert analyze(code, "utils/todos.ts", "util").metrics["unhandled_async"] == -1.0


def test_a_server_handler_leaves_its_own_awaits_to_h3_but_not_requests_to_other_services():
    own = (
        "export default defineEventHandler(async (event) => {\n"
        "  const todos = await useDrizzle().select().from(tables.todos)\n"
        "  await setUserSession(event, { user: todos[0] })\n"
        "  return todos\n})\n"
    )
    facts = analyze(own, "server/api/todos.get.ts", "server_route")
    assert facts.metrics["unhandled_async"] == 0  # a failure becomes h3's 500 response
    outbound = own.replace("await setUserSession(event, { user: todos[0] })", "await $fetch('/upstream/notify')")
    facts = analyze(outbound, "server/api/todos.get.ts", "server_route")
    assert facts.metrics["unhandled_async"] == -0.5  # the request to another service has no error path
    assert next(f for f in facts.findings if f.key == "unhandled_async").lines == [3]
    # the same code in the app is two awaits with no error path
    assert analyze(own, "composables/useTodos.ts", "composable").metrics["unhandled_async"] == -1.0


def test_awaited_data_calls_count_as_handled_only_where_the_file_raises_or_shows_errors():
    checked = (
        "const { data: post } = await useAsyncData('post', () => queryCollection('posts').first())\n"
        "if (!post.value) {\n  throw createError({ statusCode: 404, statusMessage: 'Post not found' })\n}"
    )
    facts = analyze(vue(checked, "<h1>{{ post.title }}</h1>"), "pages/post.vue", "page")
    assert facts.metrics["unhandled_async"] == 0
    unchecked = "const { data: post } = await useAsyncData('post', () => queryCollection('posts').first())"
    facts = analyze(vue(unchecked, "<h1>{{ post.title }}</h1>"), "pages/post.vue", "page")
    assert facts.metrics["unhandled_async"] == -1.0


def test_a_template_only_component_is_not_judged_on_types_or_state():
    facts = analyze(
        "<template>\n  <footer><NuxtLink to='/'>Home</NuxtLink></footer>\n</template>\n", "components/F.vue"
    )
    assert "typeUsage" not in facts.applies and "stateManagement" not in facts.applies
    assert "designSystem" in facts.applies


# --- apiConnection -------------------------------------------------------------------------------


def test_a_hard_coded_base_url_of_an_http_client_is_found():
    plugin = (
        "import axios from 'axios'\nexport default defineNuxtPlugin(() => {\n"
        "  const api = axios.create({\n    baseURL: 'https://api.shop.example/',\n  })\n"
        "  return { provide: { api } }\n})\n"
    )
    facts = analyze(plugin, "plugins/api.ts", "plugin")
    assert next(f for f in facts.findings if f.key == "hardcoded_urls").lines == [4]
    assert "raw_requests" in keys(facts, False)
    configured = plugin.replace("'https://api.shop.example/'", "useRuntimeConfig().public.apiBase")
    configured = configured.replace("axios.create", "$fetch.create").replace("import axios from 'axios'\n", "")
    facts = analyze(configured, "plugins/api.ts", "plugin")
    assert facts.metrics["hardcoded_urls"] == 0 and facts.metrics["raw_requests"] == 0


def test_a_hard_coded_host_is_found_through_the_constant_a_request_is_given():
    script = "const { id } = useRoute().params\nconst URI = `https://fakestoreapi.com/products/${id}`\n"
    script += "const { data } = await useFetch(URI)\n"
    # r17: one call to a fixed public endpoint is not a weakness (Nuxt's docs call such APIs inline) ...
    assert analyze(vue(script), "pages/product.vue", "page").metrics["hardcoded_urls"] == 0
    # ... a host the file requests twice is the app's data source, whose base belongs in runtimeConfig
    script += "const { data: more } = await useFetch('https://fakestoreapi.com/products')\n"
    facts = analyze(vue(script), "pages/product.vue", "page")
    finding = next(f for f in facts.findings if f.key == "hardcoded_urls")
    assert not finding.good and finding.lines == [4, 5] and facts.metrics["hardcoded_urls"] < 0
    local = "const { data } = await useFetch('http://localhost:3001/api/items')"  # one machine, one environment
    assert analyze(vue(local), "pages/items.vue", "page").metrics["hardcoded_urls"] < 0
    made = "const { data } = await useFetch(`https://${domain}/api/items`)"  # a host made at run time
    assert analyze(vue(made), "pages/items.vue", "page").metrics["hardcoded_urls"] == 0
    relative = "const URI = `/api/products/${id}`\nconst { data } = await useFetch(URI)"
    assert analyze(vue(relative), "pages/product.vue", "page").metrics["hardcoded_urls"] == 0
    # a URL-named constant is counted once, where it is declared, not again where it is requested
    named = "const apiUrl = 'https://api.shop.example/products'\nconst { data } = await useFetch(apiUrl)"
    facts = analyze(vue(named), "pages/product.vue", "page")
    assert next(f for f in facts.findings if f.key == "hardcoded_urls").lines == [2]


def test_data_awaited_in_script_setup_outside_useasyncdata_is_fetched_twice():
    bare = "const page = await queryCollection('blog').first()\nconst posts = await $fetch('/api/posts')"
    facts = analyze(vue(bare), "pages/blog.vue", "page")
    finding = next(f for f in facts.findings if f.key == "setup_fetch")
    assert not finding.good and finding.lines == [2, 3] and facts.metrics["setup_fetch"] < 0
    wrapped = (
        "const { data: page } = await useAsyncData('blog', () => queryCollection('blog').first())\n"
        "const [a, b] = await Promise.all([useFetch('/a'), useFetch('/b')])\n"
        "async function save() {\n  await $fetch('/api/save', { method: 'POST' })\n}\nawait navigateTo('/')"
    )
    assert analyze(vue(wrapped), "pages/blog.vue", "page").metrics["setup_fetch"] == 0
    assert analyze(bare, "utils/blog.ts", "util").metrics["setup_fetch"] == 0  # not a component's setup


def test_data_loaded_in_onmounted_is_missing_from_the_server_render():
    inline = "const items = ref<Item[]>([])\nonMounted(async () => {\n  items.value = await fetchAll()\n})"
    facts = analyze(vue(inline), "pages/items.vue", "page")
    finding = next(f for f in facts.findings if f.key == "mounted_fetch")
    assert not finding.good and finding.lines == [3] and facts.metrics["mounted_fetch"] < 0
    assert "apiConnection" in facts.applies  # even though no request is named in the file
    named = (
        "const items = ref([])\nasync function load() {\n  items.value = await $fetch('/api/items')\n}\nonMounted(load)"
    )
    assert analyze(vue(named), "pages/items.vue", "page").metrics["mounted_fetch"] < 0
    # focusing an element after mount loads nothing; data through useFetch is the fix
    dom = (
        "const el = ref<HTMLElement | null>(null)\nonMounted(async () => {\n  await nextTick()\n  el.value?.focus()\n})"
    )
    assert analyze(vue(dom), "pages/items.vue", "page").metrics["mounted_fetch"] == 0
    fixed = "const { data: items } = await useFetch<Item[]>('/api/items')"
    assert analyze(vue(fixed), "pages/items.vue", "page").metrics["mounted_fetch"] == 0


def test_usefetch_called_after_setup_in_an_event_handler_or_watcher_is_a_defect():
    # the template binds `save`, which calls useFetch: it runs on click, after setup
    handler = "async function save() {\n  await useFetch('/api/items', { method: 'POST' })\n}"
    facts = analyze(vue(handler, '<button @click="save">Save</button>'), "pages/items.vue", "page")
    finding = next(f for f in facts.findings if f.key == "late_fetch")
    assert not finding.good and finding.lines == [3] and facts.metrics["late_fetch"] < 0
    assert defects(facts) == [finding]
    # one call down from the bound handler, in a watcher's callback, in an options-API method
    nested = "function remove() {\n  useFetch('/api/x', { method: 'DELETE' })\n}\nfunction onToggle() {\n  remove()\n}"
    assert analyze(vue(nested, '<input @change="onToggle()">'), "c.vue", "component").metrics["late_fetch"] < 0
    watcher = "watch(page, () => {\n  useFetch('/api/items', { query: { page: page.value } })\n})"
    assert analyze(vue(watcher), "pages/items.vue", "page").metrics["late_fetch"] < 0
    options = (
        "export default {\n  methods: {\n    async load() {\n"
        "      await useAsyncData('k', () => $fetch('/x'))\n    },\n  },\n}"
    )
    assert analyze(vue(options).replace("<script setup", "<script"), "c.vue", "component").metrics["late_fetch"] < 0
    # in setup, in a composable, in a local function setup calls, and `$fetch` in a handler: all fine
    fine = [
        vue("const { data } = await useFetch('/api/items')", '<button @click="refresh">Reload</button>'),
        vue("async function load() {\n  return useFetch('/api/items')\n}\nconst { data } = await load()"),
        vue("async function save() {\n  await $fetch('/api/items', { method: 'POST' })\n}", '<a @click="save">S</a>'),
    ]
    for text in fine:
        assert analyze(text, "pages/items.vue", "page").metrics["late_fetch"] == 0
    composable = "export function useItems() {\n  const load = () => useFetch('/api/items')\n  return { load }\n}\n"
    assert analyze(composable, "composables/useItems.ts", "composable").metrics["late_fetch"] == 0


def test_usefetch_in_a_function_that_onmounted_or_a_watcher_runs_is_after_setup_too():
    load = "const load = async (id: string) => {\n  await useAsyncData('p', () => $fetch(`/p/${id}`))\n}\n"
    late = [
        "onMounted(() => load(id.value))",
        "onMounted(load)",
        "watch(id, async (v) => {\n  await load(v)\n})",
        "onMounted(async () => {\n  await useFetch('/api/p')\n})",
    ]
    for tail in late:
        assert analyze(vue(load + tail), "pages/p.vue", "page").metrics["late_fetch"] < 0, tail
    # setup calling it (also), a watcher that only watches it, an `immediate` watcher or `watchEffect` (both
    # run in setup first): its first call is in setup, and its data is server-rendered
    for tail in (
        "const p = await load(id.value)",
        "await load(id.value)\nonMounted(() => load(id.value))",
        "watch(load, () => {})",
        "watch(id, (v) => load(v), { immediate: true })",
        "watchEffect(() => load(id.value))",
    ):
        assert analyze(vue(load + tail), "pages/p.vue", "page").metrics["late_fetch"] == 0, tail
    # VueUse's `useFetch` is not Nuxt's
    vueuse = "import { useFetch } from '@vueuse/core'\nonMounted(async () => {\n  await useFetch('/api/p')\n})"
    assert analyze(vue(vueuse), "pages/p.vue", "page").metrics["late_fetch"] == 0


def test_function_object_and_boxed_types_loosen_types_like_any():
    loose = "export function on(name: String, cb: Function): Object {\n  return { name, cb }\n}\ntype Opts = {}\n"
    facts = analyze(loose, "utils/on.ts", "util")
    finding = next(f for f in facts.findings if f.key == "any" and not f.good)
    assert finding.lines == [1, 4] and facts.metrics["any"] < 0
    assert not any(f.key == "any" and f.good for f in facts.findings)
    precise = "export function on(name: string, cb: () => void): object {\n  return { name, cb }\n}\n"
    precise += "type Opts = Record<string, never>\nexport const n = Number('1') + Object.keys({}).length\n"
    precise += "type Size = 'sm' | (string & {})\ntype M = Model<User, {}, Methods>\n"
    precise += "export interface Function { name: string }\nexport const f: Function = { name: 'f' }\n"
    assert analyze(precise, "utils/on.ts", "util").metrics["any"] == 0


def test_a_server_route_that_uses_the_clients_input_unchecked():
    handler = "export default defineEventHandler(async (event) => {{\n  {read}\n  return save(body)\n}})\n"
    raw = analyze(handler.format(read="const body = await readBody(event)"), "server/api/notes.post.ts", "server route")
    finding = next(f for f in raw.findings if f.key == "unchecked_input")
    assert not finding.good and finding.lines == [2] and raw.metrics["unchecked_input"] < 0
    checked = (
        "const body = await readValidatedBody(event, schema.parse)",
        "const body = schema.parse(await readBody(event))",
        "const input = await readBody(event)\n  const body = NoteSchema.safeParse(input)",
        "const { title } = await readBody<{ title?: unknown }>(event)\n"
        "  if (typeof title !== 'string') throw createError({ statusCode: 400 })\n  const body = { title }",
        # checked by hand: a condition on the input whose branch refuses it
        "const { feed = 'news' } = getQuery(event)\n"
        "  if (!FEEDS.includes(feed)) {\n    throw createError({ statusCode: 422 })\n  }\n  const body = { feed }",
    )
    for read in checked:
        facts = analyze(handler.format(read=read), "server/api/notes.post.ts", "server route")
        assert facts.metrics["unchecked_input"] == 0, read
        assert next(f for f in facts.findings if f.key == "unchecked_input").good
    # outside server/, `getQuery` is ufo's URL helper, not a route's input
    assert analyze("const q = getQuery(url)\n", "utils/url.ts", "util").metrics["unchecked_input"] == 0


def test_raw_requests_hardcoded_hosts_glued_urls_and_secrets():
    code = (
        "const apiKey = 'sk_live_51HxYzAbCdEfGhIjKl'\n"
        "export async function users(page: number) {\n"
        "  return axios.get('http://localhost:3001/api/users?page=' + page)\n}\n"
    )
    facts = analyze(code, "services/users.ts", "util")
    assert facts.metrics["raw_requests"] == -1.0
    assert facts.metrics["hardcoded_urls"] < 0 and facts.metrics["secrets"] < 0
    assert {"raw_requests", "hardcoded_urls", "secrets"} <= keys(facts, False)
    nuxt = analyze(
        "export const usePosts = () => useFetch<Post[]>('/api/posts', { query: { page: 1 } })\n",
        "composables/usePosts.ts",
        "composable",
    )
    assert nuxt.metrics["raw_requests"] == 0 and "raw_requests" in keys(nuxt, True)


# --- stateManagement ----------------------------------------------------------------------------


def test_mutated_props_watch_sync_and_module_state():
    script = (
        "const props = defineProps<{ items: Item[] }>()\nconst total = ref(0)\n"
        "watch(() => props.items, (items) => { total.value = items.length })\n"
        "function clear() { props.items = [] }\n"
    )
    facts = analyze(vue(script), "components/List.vue", "component")
    assert {"props_mutated", "watch_sync"} <= keys(facts, False)
    module = analyze(
        "let count = 0\nconst cache = ref({})\nexport const useCount = () => count++\n",
        "composables/useCount.ts",
        "composable",
    )
    assert module.metrics["module_state"] < 0 and "module_state" in keys(module, False)
    derived = analyze(
        vue("const props = defineProps<{ items: Item[] }>()\nconst total = computed(() => props.items.length)"),
        "components/List.vue",
        "component",
    )
    assert derived.metrics["watch_sync"] == 0 and "computed" in keys(derived, True)
    # derived state: the share declared through `computed` rather than copied by `watch`
    assert facts.metrics["computed"] < 0.5 < derived.metrics["computed"]
    assert analyze(vue("const n = ref(0)"), "components/N.vue", "component").metrics["computed"] == 0.5


def test_a_watcher_is_sync_only_where_a_computed_could_replace_it():
    """Before: any watcher that only assigned was flagged; of 12 flagged in public apps, 11 were resets on a
    change, copies the user edits (v-model, other writes) or a library's refs, which no `computed` replaces."""

    def sync(script: str, template: str = "<div />") -> float:
        return analyze(vue(script, template), "components/F.vue", "component").metrics["watch_sync"]

    props = "const props = defineProps<{ a: string }>()\n"
    copy = props + "const b = ref('')\nwatch(() => props.a, (a) => { b.value = a.trim() })\n"
    assert sync(copy) < 0
    assert sync(props + "const b = ref('')\nwatchEffect(() => { b.value = props.a })") < 0
    assert sync("const q = ref('')\nconst page = ref(1)\nwatch(q, () => { page.value = 1 })") == 0  # a reset
    other = "const q = ref('')\nconst n = ref(0)\nconst last = ref(0)\nwatch(q, v => { last.value = n.value })"
    assert sync(other) == 0  # what it copies is not what it watches
    assert sync(copy, '<input v-model="b" />') == 0  # the user edits it
    assert sync(copy + "function clear() { b.value = '' }") == 0  # written elsewhere
    assert sync(copy, "<button @click=\"b = 'x'\">x</button>") == 0  # written by the template's handler
    items = props + "const list = ref<string[]>([])\nwatch(() => props.a, (a) => { list.value = a.split(',') })\n"
    assert sync(items) < 0 and sync(items + "const add = (x: string) => list.value.push(x)") == 0  # edited in place
    library = props + "const { size } = usePagination()\nwatch(() => props.a, (a) => { size.value = a.length })"
    assert sync(library) == 0  # a composable's state, not the component's


# --- performance ---------------------------------------------------------------------------------


def test_vfor_without_key_deep_watch_and_sequential_awaits():
    script = (
        "const a = ref([])\nwatch(a, () => save(), { deep: true })\n"
        "const users = await $fetch<User[]>('/api/users')\nconst posts = await $fetch<Post[]>('/api/posts')\n"
    )
    facts = analyze(vue(script, '<li v-for="u in users">{{ u.name }}</li>'), "pages/a.vue", "page")
    assert {"vfor_key", "deep_watch", "sequential_awaits"} <= keys(facts, False)
    keyed = analyze(
        vue("const users = ref([])", '<li v-for="u in users" :key="u.id">{{ u.name }}</li>'), "pages/a.vue", "page"
    )
    assert keyed.metrics["vfor_key"] == 0 and "vfor_key" in keys(keyed, True)


def test_a_module_loaded_with_await_import_is_not_a_sequential_request():
    code = (
        "export async function find(hash: string) {\n  const { db } = await getDatabase()\n"
        "  const { eq } = await import('drizzle-orm')\n  return db.select().where(eq(t.hash, hash))\n}\n"
    )
    assert analyze(code, "server/utils/find.ts", "server").metrics["sequential_awaits"] == 0
    two = code.replace("await import('drizzle-orm')", "await getOperators()")
    assert analyze(two, "server/utils/find.ts", "server").metrics["sequential_awaits"] == -1.0


def test_reading_the_request_being_answered_is_not_a_sequential_request():
    handler = (
        "export default defineEventHandler(async (event) => {\n  const { user } = await requireUserSession(event)\n"
        "  const body = await readValidatedBody(event, schema.parse)\n  return await save(user.id, body)\n})\n"
    )
    assert analyze(handler, "server/api/notes.post.ts", "server route").metrics["sequential_awaits"] == 0
    # two requests to other services that could run together still count
    two = handler.replace("requireUserSession(event)", "$fetch('/api/me')").replace(
        "readValidatedBody(event, schema.parse)", "$fetch('/api/settings')"
    )
    assert analyze(two, "server/api/notes.post.ts", "server route").metrics["sequential_awaits"] == -1.0
    # the app's own checks that take the event read the same request, in order on purpose
    own = handler.replace("requireUserSession(event)", "requireAuthUser(event)").replace(
        "readValidatedBody(event, schema.parse)", "validateBody(event, NoteSchema)"
    )
    assert analyze(own, "server/api/notes.post.ts", "server route").metrics["sequential_awaits"] == 0


# --- designSystem -------------------------------------------------------------------------------


def test_inline_styles_raw_colours_clicks_on_divs_and_images_without_alt():
    template = (
        '<div style="color:#3b82f6" @click="save">Save</div>\n<img src="/a.png">\n<UButton @click="save">Save</UButton>'
    )
    facts = analyze(vue("const save = () => {}", template), "components/A.vue", "component")
    assert {"inline_styles", "a11y"} <= keys(facts, False)
    lines = {f.text: f.lines for f in facts.findings}
    assert lines["click handler on a non-interactive element"] == [6]
    assert lines["image without `alt`"] == [7]
    # any static element, with any modifier; a role makes it a widget
    heads = '<h3 @click.self="open">City</h3>\n<ul v-on:click="open" />\n<h4 role="button" @click="open">Make</h4>'
    facts = analyze(vue("const open = () => {}", heads), "components/A.vue", "component")
    assert next(f for f in facts.findings if f.key == "a11y").lines == [6, 7]


# --- robustness ---------------------------------------------------------------------------------


def test_a_file_that_does_not_fully_parse_is_judged_on_what_parsed():
    code = "export function ok(a: number): number {\n  return a + 1\n}\n\nexport function broken( {\n  return }}}\n"
    facts = analyze(code, "utils/x.ts", "util")
    assert facts.parse == "partial" and facts.problems
    assert facts.metrics["typed_params"] > 0  # `ok` was still measured
    assert (
        analyze("<template><div></template>\n<script>\nconst a = (\n</script>", "components/B.vue").parse == "partial"
    )


def test_a_5000_line_file_is_analyzed_quickly():
    code = "\n".join(f"export function f{i}(a: number): number {{ return a + {i} }}" for i in range(5000))
    started = time.perf_counter()
    facts = analyze(code, "utils/big.ts", "util")
    assert facts.lines == 5000 and facts.parse == "full"
    assert time.perf_counter() - started < 30  # generous: a guard against a hang, not a speed target
    # one function of 2,500 awaited results, each checked: no walk of the function per await
    awaits = "".join(f"  const r{i} = await step{i}(a)\n  if (!r{i}.ok) return 0\n" for i in range(2500))
    started = time.perf_counter()
    facts = analyze(f"export async function run(a: number) {{\n{awaits}  return a\n}}\n", "utils/run.ts", "util")
    assert facts.lines == 5003 and facts.metrics["unhandled_async"] == 0
    assert time.perf_counter() - started < 30  # 47 s here when each await walked its block


@pytest.mark.network
def test_facts_never_contradict_themselves_on_real_files(real_nuxt_files):
    for path, rel in real_nuxt_files:
        facts = analyze(path.read_text("utf-8"), rel)
        good, bad = keys(facts, True), keys(facts, False)
        # a key is a strength or a weakness, never both (e.g. "every v-for is keyed" and "v-for without :key")
        both = good & bad - {"typed_props", "inline_styles", "a11y", "hardcoded_urls"}
        assert not both, (rel, both)


def test_debug_output_commented_out_code_var_and_loose_equality():
    code = (
        "export function total(items: Item[]): number {\n"
        "  // const old = items.reduce((a, b) => a + b.price, 0);\n"
        "  // Sum the prices; discounts are applied later.\n"
        "  var sum = 0\n"
        "  for (const item of items) { if (item.price == 0) continue; sum += item.price }\n"
        "  console.log('total', sum)\n"
        "  return sum\n"
        "}\n"
    )
    facts = analyze(code, "utils/total.ts", "util")
    found = {f.text: f.lines for f in facts.findings if not f.good}
    assert found["commented-out code"] == [2]  # the prose comment on line 3 is not code
    assert found["debug output left in (`console.log`)"] == [6]
    assert found["`var` declarations"] == [4] and found["loose equality (`==`/`!=`)"] == [5]
    assert analyze("export const isSet = (v: unknown) => v != null\n", "utils/v.ts").metrics["legacy_syntax"] == 0
    # on the server `console.*` is the log Nitro keeps, not debug output
    assert analyze(code, "server/utils/total.ts", "server").metrics["console_logs"] == 0


def test_commented_out_imports_and_exports_are_commented_code_not_explanation():
    code = "// import { Cart } from '~/types/cart'\n"
    code += "// export const useCarts = () => useState<Cart[]>('carts', () => [])\n"
    code += "// export the cart helpers\nexport const cartKey = 'carts'\n"
    facts = analyze(code, "composables/state.ts", "composable")
    assert next(f for f in facts.findings if f.key == "commented_code").lines == [1, 2]
    prose = analyze("// export the cart helpers\nexport const cartKey = 'carts'\n", "composables/s.ts", "composable")
    assert prose.metrics["commented_code"] == 0
    assert facts.metrics["comments"] == prose.metrics["comments"]  # only the sentence explains anything


def test_querying_the_dom_by_hand_in_a_component_is_a_weakness():
    script = "function buy() {\n  document.getElementById('buy').style.display = 'none'\n}"
    facts = analyze(vue(script, '<button id="buy" @click="buy">Buy</button>'), "components/Buy.vue", "component")
    assert "dom_access" in keys(facts, False)


def test_a_parameter_with_a_literal_default_is_typed_by_inference():
    code = (
        "export function page(n = 1, label = 'all', flag = false, rows = [], opts) {\n"
        "  return [n, label, flag, rows, opts]\n}\n"
    )
    facts = analyze(code, "utils/page.ts", "util")
    # n, label and flag are inferred (string, number, boolean); `rows = []` and `opts` are not
    assert facts.metrics["typed_params"] == round((3 + 1) / (5 + 2), 4)


def test_commented_out_markup_and_code_outside_the_blocks_are_dead_code_not_explanation():
    old = "  <!-- <span>{{ old }}</span> -->\n"
    template = f"<div>\n  <!-- the cart's total -->\n  <span>{{{{ total }}}}</span>\n{old}</div>"
    facts = analyze(vue("const total = 1", template), "components/A.vue", "component")
    assert next(f for f in facts.findings if f.key == "commented_code" and not f.good).lines == [9]
    clean = analyze(vue("const total = 1", template.replace(old, "")), "components/A.vue", "component")
    assert clean.metrics["commented_code"] == 0 and clean.metrics["comments"] >= facts.metrics["comments"]
    leftover = "\n<!-- <div>{{ old }}</div> -->\n\nconst leftover = computed(() => 2)\n"
    stray = vue("const total = 1", "<div />") + leftover
    facts = analyze(stray, "components/A.vue", "component")
    texts = {f.text: f.lines for f in facts.findings if f.key == "commented_code"}
    assert texts["commented-out code"] == [9]
    assert texts["code outside the `<script>` and `<template>` blocks, which Vue ignores"] == [11]
    assert facts.metrics["commented_code"] < clean.metrics["commented_code"]


def test_an_error_thrown_in_a_browser_event_handler_reaches_no_one():
    script = (
        "const city = ref('')\nconst apply = () => {\n  if (!city.value) throw createError({ statusCode: 400 })\n"
        "  navigateTo(`/city/${city.value}`)\n}"
    )
    handler = analyze(vue(script, '<button @click="apply">Apply</button>'), "components/A.vue", "component")
    assert handler.metrics["error_surfaced"] == 0  # Nuxt: not fatal in the browser, so no error page
    fatal = script.replace("statusCode: 400", "statusCode: 400, fatal: true")
    shown = analyze(vue(fatal, '<button @click="apply">Apply</button>'), "components/A.vue", "component")
    assert shown.metrics["error_surfaced"] == 1.0
    setup = "const { data } = await useFetch('/api/car')\nif (!data.value) throw createError({ statusCode: 404 })"
    page = analyze(vue(setup, "<p>{{ data }}</p>"), "pages/car.vue", "page")
    assert page.metrics["error_surfaced"] == 1.0  # thrown in setup: Nuxt's error page shows it


# --- rubric r13: defects a server route can have ----------------------------------------------

_ROUTE = (
    "export default defineEventHandler(async (event) => {\n"
    "  try {\n"
    "    const id = getRouterParam(event, 'id')\n"
    "    if (!id) throw createError({ statusCode: 400, message: 'id missing' })\n"
    "    return await removeVideo(id)\n"
    "  } catch (error) {\n"
    "    console.error(error)\n"
    "    throw createError({ statusCode: 500, message: 'Could not remove the video' })\n"
    "  }\n"
    "})\n"
)


def test_a_4xx_caught_by_its_own_catch_and_sent_as_a_500_is_a_lost_status():
    facts = analyze(_ROUTE, "server/api/videos/[id].delete.ts", "server")
    lost = next(f for f in facts.findings if f.key == "status_lost")
    assert lost.lines == [4] and not lost.good and facts.metrics["status_lost"] < 0
    # a catch that passes HTTP errors on keeps the 400
    kept = _ROUTE.replace("    console.error(error)\n", "    if (isError(error)) throw error\n")
    assert analyze(kept, "server/api/videos/[id].delete.ts", "server").metrics["status_lost"] == 0
    # a catch that forwards the caught status keeps it too (and is an error leak only if it sends the text)
    forwarded = _ROUTE.replace("statusCode: 500,", "statusCode: error.statusCode || 500,")
    assert analyze(forwarded, "server/api/videos/[id].delete.ts", "server").metrics["status_lost"] == 0
    # no 4xx inside the try: nothing is lost
    plain = _ROUTE.replace("    if (!id) throw createError({ statusCode: 400, message: 'id missing' })\n", "")
    assert analyze(plain, "server/api/videos/[id].delete.ts", "server").metrics["status_lost"] == 0


def test_a_lambda_style_status_object_returned_by_a_handler_is_a_lost_status():
    handler = (
        "export default defineEventHandler(async (event) => {\n"
        "  if (event.method !== 'GET') {\n"
        "    return { statusCode: 405, body: JSON.stringify({ error: 'Method Not Allowed' }) }\n"
        "  }\n"
        "  return await listPoints()\n"
        "})\n"
    )
    facts = analyze(handler, "server/api/points.ts", "server")
    assert next(f for f in facts.findings if f.key == "status_lost").lines == [3]
    ok = handler.replace(
        "return { statusCode: 405, body: JSON.stringify({ error: 'Method Not Allowed' }) }",
        "throw createError({ statusCode: 405, statusMessage: 'Method Not Allowed' })",
    )
    assert analyze(ok, "server/api/points.ts", "server").metrics["status_lost"] == 0
    # in the app, an object with these keys is just data
    assert analyze(handler, "utils/points.ts", "util").metrics["status_lost"] == 0


def test_a_secret_that_falls_back_to_a_literal_is_a_secret_in_the_source():
    code = (
        "const SECRET_KEY = process.env.JWT_SECRET || 'your_secret_key'\n"
        "const BASE = process.env.API_BASE || 'http://localhost:3000'\n"
        "const config = { token: process.env.TOKEN ?? 'dev-token-1234' }\n"
        "export const sign = (id: string) => jwt.sign({ id }, SECRET_KEY, config)\n"
    )
    facts = analyze(code, "server/utils/jwt.ts", "util")
    assert next(f for f in facts.findings if f.key == "secrets").lines == [1, 3]
    safe = "const SECRET_KEY = useRuntimeConfig().jwtSecret\nexport const key = () => SECRET_KEY\n"
    assert analyze(safe, "server/utils/jwt.ts", "util").metrics["secrets"] == 0
    # a path or a package an env variable falls back to is no secret (`THEME_DEV_TOKENS_PATH`)
    paths = "export const tokens = process.env.THEME_DEV_TOKENS_PATH || '@nuxt-themes/tokens'\n"
    assert analyze(paths, "nuxt.config.ts", "config").metrics["secrets"] == 0


def test_a_credential_written_into_an_object_literal_is_a_secret_and_a_label_is_not():
    users = (
        "export const users = [\n"
        "  { email: 'admin@example.com', password: 'qwer1234', role: 'ADMIN' },\n"
        "  { email: 'user@example.com', password: \"hunter22\" },\n]\n"
    )
    facts = analyze(users, "composables/usersData.ts", "composable")
    assert next(f for f in facts.findings if f.key == "secrets").lines == [2, 3]
    assert "secrets" in {d.key for d in defects(facts)}
    labels = (
        "export const labels = { email: 'E-mail', password: 'Password', hint: 'at least 8 characters' }\n"
        "export const form = reactive({ email: '', password: '' })\n"
        "export const i18n = { password: 'Mot de passe', secret: '${prefix}-x' }\n"
    )
    assert analyze(labels, "utils/labels.ts", "util").metrics["secrets"] == 0


def test_the_clients_body_written_to_the_database_as_it_came_is_mass_assignment():
    handler = "export default defineEventHandler(async (event) => {{\n  {read}\n  {write}\n}})\n"
    raw = "const body = await readBody(event)"
    writes = (
        "return prisma.user.update({ where: { id: 1 }, data: body })",
        "return db.insert(tables.todos).values({ ...body, userId: 1 })",
        "const doc = new TodoList(body)",  # a Mongoose model, saved after
        "const data = { ...body }\n  return prisma.user.create({ data })",  # one copy deep
    )
    for write in writes:
        facts = analyze(handler.format(read=raw, write=write), "server/api/users.post.ts", "server route")
        finding = next(f for f in facts.findings if f.key == "raw_write")
        assert not finding.good and finding.lines and facts.metrics["raw_write"] < 0, write
    safe = (
        (raw, "return prisma.user.update({ where: { id: 1 }, data: { name: body.name } })"),  # fields picked
        ("const body = await readValidatedBody(event, schema.parse)", "return prisma.user.create({ data: body })"),
        ("const body = schema.parse(await readBody(event))", "return prisma.user.create({ data: body })"),
        (raw, "return new Response(body)"),  # answered, not stored
    )
    for read, write in safe:
        facts = analyze(handler.format(read=read, write=write), "server/api/users.post.ts", "server route")
        assert facts.metrics["raw_write"] == 0, write
    # a check by hand does not drop the fields the client added
    guarded = handler.format(read=raw + "\n  if (!body) throw createError({ statusCode: 400 })", write=writes[0])
    assert analyze(guarded, "server/api/users.post.ts", "server route").metrics["raw_write"] < 0


def test_a_5xx_that_falls_back_from_the_caught_status_still_leaks_its_message():
    handler = (
        "export default defineEventHandler(async (event) => {\n  try {\n    return await login(event)\n  }"
        " catch (error: any) {\n"
        "    throw createError({ statusCode: error.statusCode || 500, message: error.message || 'Error' })\n"
        "  }\n})\n"
    )
    facts = analyze(handler, "server/api/auth/login.post.ts", "server")
    assert next(f for f in facts.findings if f.key == "error_leak").lines == [5]


def test_a_database_client_created_in_a_routes_file_and_not_in_a_shared_module():
    route = (
        "import { PrismaClient } from '@prisma/client'\n"
        "const prisma = new PrismaClient()\n"
        "export default defineEventHandler(() => prisma.course.findMany())\n"
    )
    facts = analyze(route, "server/api/courses.get.ts", "server")
    assert next(f for f in facts.findings if f.key == "route_client").lines == [2]
    assert "apiConnection" in facts.applies
    shared = "import { PrismaClient } from '@prisma/client'\nexport const prisma = new PrismaClient()\n"
    assert analyze(shared, "server/utils/prisma.ts", "util").metrics["route_client"] == 0


def test_a_table_of_values_is_data_and_teaches_less_than_the_same_lines_of_code():
    from bestcase_core.judge import teaching_value
    from bestcase_core.roles import Role

    rows = "".join(f"  {{ slug: 'c{i}', title: 'Course {i}', rating: 4.{i} }},\n" for i in range(30))
    data = (
        "export interface Course { slug: string; title: string; rating: number }\n"
        f"const courses: Course[] = [\n{rows}]\n"
        "export function findCourse(slug: string): Course | undefined {\n"
        "  return courses.find((c) => c.slug === slug)\n"
        "}\n"
    )
    facts = analyze(data, "server/models/courses.ts", "util")
    assert facts.data_lines == 31 and facts.logic_lines >= 33  # the table's rows and its closing line
    code = "".join(
        f"  const v{i} = await step{i}(input)\n  if (!v{i}) throw new Error('step {i} failed')\n" for i in range(16)
    )
    logic = analyze(
        f"export async function run(input: string): Promise<void> {{\n{code}}}\n", "server/utils/run.ts", "util"
    )
    assert logic.data_lines == 0
    assert teaching_value(facts, Role.util) < 0.5 <= teaching_value(logic, Role.util)
    # a short literal of values is code, not a table
    short = analyze(
        "export function ok(): { ok: boolean } {\n  return {\n    ok: true,\n  }\n}\n", "server/utils/ok.ts"
    )
    assert short.data_lines == 0


# --- findings checked on samples from public apps (session 16): shapes that were misread -------


def test_a_fetch_the_file_names_itself_is_not_the_global_fetch():
    """Before: `const { fetch } = useUserSession(); await fetch()` was a raw request (4 of 12 sampled were such)."""
    own = "const { fetch, user } = useUserSession()\nasync function reload() { await fetch() }"
    assert analyze(vue(own), "pages/signup.vue", "page").metrics["raw_requests"] == 0
    imported = "import { fetch } from '@nuxt/test-utils/e2e'\nexport const get = () => fetch('/')"
    assert analyze(imported, "utils/get.ts", "util").metrics["raw_requests"] == 0
    wrapper = "async function fetch(url: string) { return await $fetch(url) }\nexport const get = () => fetch('/a')"
    assert analyze(wrapper, "utils/get.ts", "util").metrics["raw_requests"] == 0
    raw = "export const get = () => fetch('/api/items')"
    assert analyze(raw, "utils/get.ts", "util").metrics["raw_requests"] < 0


def test_click_stop_without_a_handler_is_not_a_click_on_a_div():
    """Before: `<div @click.stop>` (it only keeps a click from the parent row) was a non-interactive click target."""
    stop = analyze(vue("", "<div @click.stop><span>badge</span></div>"), "components/B.vue", "component")
    assert "a11y" not in keys(stop, False)
    click = analyze(vue("const open = () => 1", '<div @click="open">x</div>'), "components/B.vue", "component")
    assert "a11y" in keys(click, False)


def test_a_password_named_path_is_not_a_secret_and_a_lazy_shared_db_client_is_one_pool():
    path = "const LOGIN_BY_PASSWORD_PATH = '/v1/LoginByPassword'\nexport default defineEventHandler(() => 1)"
    assert "secrets" not in keys(analyze(path, "server/api/login.post.ts", "server_route"), False)
    secret = "const API_SECRET = 'f3a9c2e1b7d4'\nexport default defineEventHandler(() => API_SECRET)"
    assert "secrets" in keys(analyze(secret, "server/api/login.post.ts", "server_route"), False)
    lazy = (
        "let prisma: PrismaClient | undefined\n"
        "export default defineEventHandler((event) => {\n  if (!prisma) prisma = new PrismaClient()\n"
        "  event.context.prisma = prisma\n})\n"
    )
    assert "route_client" not in keys(analyze(lazy, "server/middleware/prisma.ts", "server_route"), False)
    each = "const prisma = new PrismaClient()\nexport default defineEventHandler(() => prisma.user.findMany())"
    assert "route_client" in keys(analyze(each, "server/api/users.get.ts", "server_route"), False)


def test_a_pause_is_not_a_sequential_request_and_awaits_in_useasyncdata_are_nuxts_to_catch():
    pause = (
        "export async function poll(id: string) {\n  const job = await getJob(id)\n"
        "  await new Promise((r) => setTimeout(r, 500))\n  return job\n}\n"
    )
    assert analyze(pause, "utils/poll.ts", "util").metrics["sequential_awaits"] == 0
    requests = (
        "export async function load() {\n  const a = await getA()\n  const b = await getB()\n  return [a, b]\n}\n"
    )
    assert analyze(requests, "utils/load.ts", "util").metrics["sequential_awaits"] < 0
    inside = "const { data, error } = await useAsyncData('u', async () => {\n"
    inside += "  const u = await $fetch('/api/u')\n  return u\n})"
    facts = analyze(vue(inside, "<p v-if='error'>failed</p>"), "pages/u.vue", "page")
    assert "unhandled_async" not in keys(facts, False)


def test_a_catch_holding_only_a_comment_drops_the_error_on_purpose():
    meant = "export async function warm() {\n  try {\n    await $fetch('/api/warm')\n  } catch {\n"
    meant += "    // best effort: the cache is optional\n  }\n}\n"
    assert analyze(meant, "utils/warm.ts", "util").metrics["unhandled_async"] == 0
    dropped = "export async function warm() {\n  try {\n    await $fetch('/api/warm')\n  } catch {}\n}\n"
    assert analyze(dropped, "utils/warm.ts", "util").metrics["unhandled_async"] < 0


def test_a_request_that_sends_after_mount_loads_no_data():
    """Before: a view-count beacon (`$fetch('/api/views', { method: 'POST' })`) in `onMounted` was "data loaded
    after mount", which the server render lacks; it loads nothing."""
    beacon = "onMounted(async () => {\n  await $fetch('/api/views', { method: 'POST', body: { id: 1 } })\n})"
    assert analyze(vue(beacon), "pages/post.vue", "page").metrics["mounted_fetch"] == 0
    load = "const items = ref<Item[]>([])\nonMounted(async () => {\n  items.value = await $fetch('/api/items')\n})"
    assert analyze(vue(load), "pages/items.vue", "page").metrics["mounted_fetch"] < 0


def test_api_get_is_an_axios_request_only_where_the_file_uses_axios_and_val_near_its_use_is_a_fine_name():
    msw = "import { http } from 'msw'\nexport const handlers = [http.get('/api/items', () => Response.json([]))]"
    assert analyze(msw, "utils/msw.ts", "util").metrics["raw_requests"] == 0
    axios = "import axios from 'axios'\nconst api = axios.create()\nexport const items = () => api.get('/items')"
    assert analyze(axios, "utils/api.ts", "util").metrics["raw_requests"] < 0
    near = "export const positive = [(val: number) => val > 0 || 'must be positive']"
    assert analyze(near, "utils/rules.ts", "util").metrics["meaningless_names"] == 0


def test_a_query_string_that_builds_a_service_is_not_a_record_written_whole():
    """Before: `new CalendarService(getQuery(event))` in a GET route was a raw write of the client's input,
    a defect; 2 of 12 raw writes sampled from public apps were such reads."""
    read = (
        "export default defineEventHandler(async (event) => {\n  const query = getQuery(event)\n"
        "  const service = new CalendarService(query)\n  return service.list()\n})\n"
    )
    assert "raw_write" not in keys(analyze(read, "server/api/events.get.ts", "server_route"), False)
    write = (
        "export default defineEventHandler(async (event) => {\n  const body = await readBody(event)\n"
        "  return new Todo(body).save()\n})\n"
    )
    assert "raw_write" in keys(analyze(write, "server/api/todos.post.ts", "server_route"), False)


def test_module_state_is_a_let_reassigned_where_the_server_runs_it():
    """Before: every module-level `let` was state shared across requests; of 12 sampled, 3 were written only in
    the browser (`if (import.meta.client)`) and 7 were not shared at all."""

    def state(code: str, path: str = "composables/useAuth.ts") -> float:
        return analyze(code, path, "composable").metrics["module_state"]

    shared = (
        "let token = ''\nexport function useAuth() {\n  const set = (t: string) => { token = t }\n  return { set }\n}\n"
    )
    assert state(shared) < 0
    browser = shared.replace("{ token = t }", "{ if (import.meta.client) { token = t } }")
    assert state(browser) == 0
    assert state("let base = '/api'\nexport const useBase = () => base\n") == 0  # never reassigned
    assert state(shared, "composables/useAuth.client.ts") == 0  # never runs on the server


def test_a_class_field_annotated_with_its_type_holds_typed_state():
    typed = "export class Toasts {\n  items: Ref<Toast[]> = ref([])\n}\n"
    assert analyze(typed, "utils/toasts.ts", "util").metrics["untyped_state"] == 0
    bare = "export class Toasts {\n  items = ref([])\n}\n"
    assert analyze(bare, "utils/toasts.ts", "util").metrics["untyped_state"] < 0


def test_input_compared_only_with_values_the_code_names_is_checked():
    """Before: `getQuery(event).draft === 'true'` and `['en', 'fi'].includes(lang)` were input used unchecked."""

    def unchecked(body: str) -> float:
        code = f"export default defineEventHandler(async (event) => {{\n{body}\n}})\n"
        return analyze(code, "server/api/x.get.ts", "server_route").metrics["unchecked_input"]

    assert unchecked("  const draft = getQuery(event).draft === 'true'\n  return list(draft)") == 0
    assert unchecked("  const { lang } = getQuery(event)\n  return ['en', 'fi'].includes(lang) ? lang : 'en'") == 0
    assert unchecked("  const { lang } = getQuery(event)\n  return db.find(lang)") < 0


def test_a_url_named_constant_is_a_hard_coded_host_when_a_request_or_another_file_uses_it():
    """Before: `const compareUrl = 'https://github.com/...'` written into release notes, or a page's canonical
    URL for `og:url`, was a hard-coded host in a request URL; nothing requests them."""

    def urls(script: str) -> float:
        return analyze(vue(script), "pages/x.vue", "page").metrics["hardcoded_urls"]

    assert urls("const pageUrl = 'https://vuefes.jp/2022'\nuseHead({ meta: [{ content: pageUrl }] })") == 0
    assert urls("const BASE_URL = 'https://api.shop.example'\nconst url = `${BASE_URL}/items`\nawait $fetch(url)") < 0
    exported = analyze("export const API_URL = 'https://api.shop.example'\n", "utils/config.ts", "util")
    assert exported.metrics["hardcoded_urls"] < 0  # a host other files request
