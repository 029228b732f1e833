"""The rubric: dimensions, weights, which apply to which role, and the prompt text.

This is the one home of those facts. Changing anything here that changes a
score must change :data:`RUBRIC_VERSION`, so the index re-scores old results.

The prompt is laid out for prefix reuse: the system message holds the whole
rubric and is identical for every file, so llama.cpp keeps its KV cache and
each file pays only for its own tokens. That is why the rubric can afford level
descriptions and a good/bad example per dimension.
"""

from __future__ import annotations

from dataclasses import dataclass

from .roles import Role

RUBRIC_VERSION = "2026.11-r19"

#: Digits the model writes per dimension; 9 is best. Scores are reported 0-100.
SCALE_MAX = 9


@dataclass(frozen=True)
class Dimension:
    key: str
    weight: float
    title: str
    looks_for: str
    levels: tuple[str, str, str, str]  # what 9, 6, 3 and 0 mean
    good: str
    bad: str


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension(
        "structure",
        0.15,
        "Structure",
        "one clear responsibility, small functions, logical order, names that say what they hold",
        (
            "focused, easy to follow, nothing to move",
            "mostly clear; one long function or mixed concern",
            "several concerns tangled, long blocks",
            "no discernible organisation",
        ),
        "`const { data } = useUsers(); const active = computed(() => data.value.filter(isActive))`",
        "one 200-line setup() mixing fetching, formatting and DOM work",
    ),
    Dimension(
        "apiConnection",
        0.15,
        "API connection",
        "data access through useFetch/useAsyncData/$fetch or a typed client, keys, params and "
        "loading/error states handled; code with no I/O keeps I/O out of it",
        (
            "typed, keyed, reactive requests with pending/error used",
            "works, but untyped or state ignored",
            "raw fetch/axios in odd places, URLs glued by hand",
            "requests that can never work correctly",
        ),
        "`const { data, pending, error } = await useFetch<User[]>('/api/users', { query: { page } })`",
        "`axios.get('http://localhost:3000/users?id=' + id).then(r => this.users = r.data)`",
    ),
    Dimension(
        "errorHandling",
        0.15,
        "Error handling",
        "failures caught where they can be handled, shown to the user or rethrown with context, never swallowed",
        (
            "every failure path handled deliberately",
            "main path handled, edge cases missed",
            "errors logged and ignored",
            "errors swallowed or crash the page",
        ),
        "`if (error.value) throw createError({ statusCode: 404, statusMessage: 'User not found' })`",
        "`try { await save() } catch (e) {}`",
    ),
    Dimension(
        "typeUsage",
        0.13,
        "Type usage",
        "TypeScript types on props, emits, returns and data; no needless `any`; types that document intent",
        (
            "precise types everywhere, generics where useful",
            "typed, with a few `any` or loose spots",
            "mostly untyped",
            "plain JS or `any` throughout",
        ),
        "`defineProps<{ user: User; compact?: boolean }>()`",
        "`props: ['user', 'compact']` and `function load(x: any): any`",
    ),
    Dimension(
        "designSystem",
        0.12,
        "Design system",
        "the team's UI components, tokens and utility classes instead of one-off markup and inline styles; "
        "accessible markup",
        (
            "consistent components and tokens, accessible",
            "mostly consistent, some one-off styling",
            "ad-hoc markup and inline styles",
            "no reuse at all, inaccessible",
        ),
        '`<UButton color="primary" :loading="pending" @click="save">Save</UButton>`',
        '`<div style="color:#3b82f6;cursor:pointer" onclick="save()">Save</div>`',
    ),
    Dimension(
        "utilityUsage",
        0.10,
        "Utility usage",
        "shared composables, utils and framework helpers reused rather than re-implemented",
        (
            "reuses the right helpers, no duplication",
            "some logic that a helper already covers",
            "re-implements common helpers inline",
            "copy-pasted logic everywhere",
        ),
        "`const formatted = useDateFormat(createdAt, 'YYYY-MM-DD')`",
        "a hand-written date formatter copied into the component",
    ),
    Dimension(
        "stateManagement",
        0.10,
        "State management",
        "state lives in the right place (local ref, useState, a Pinia store), derived values are computed, "
        "no hidden globals",
        (
            "minimal, well-placed, reactive state",
            "works, with some duplicated or misplaced state",
            "state copied around and kept in sync by hand",
            "global mutable state everywhere",
        ),
        "`const total = computed(() => cart.items.reduce((s, i) => s + i.price, 0))`",
        "`watch(items, () => { total.value = 0; for (const i of items.value) total.value += i.price })`",
    ),
    Dimension(
        "performance",
        0.10,
        "Performance",
        "no needless work: lazy loading, computed over methods, keyed v-for, no fetch waterfalls or deep watchers",
        (
            "efficient by construction",
            "minor waste",
            "obvious waste (waterfalls, deep watch)",
            "work that grows out of control",
        ),
        "`const [a, b] = await Promise.all([useFetch('/a'), useFetch('/b')])`",
        '`v-for="item in list"` without `:key`, and `watch(obj, fn, { deep: true })` on a large list',
    ),
)

DIMENSION_KEYS: tuple[str, ...] = tuple(d.key for d in DIMENSIONS)
_BY_KEY = {d.key: d for d in DIMENSIONS}

_ALL = DIMENSION_KEYS
#: Logic without a template: composables and stores.
_LOGIC = ("structure", "apiConnection", "errorHandling", "typeUsage", "utilityUsage", "stateManagement", "performance")
#: Which dimensions each role is scored on (in rubric order). A composable has
#: no template, so no design system; a server route has neither a design system
#: nor client state.
ROLE_DIMENSIONS: dict[Role, tuple[str, ...]] = {
    Role.page: _ALL,
    Role.component: _ALL,
    Role.layout: (
        "structure",
        "errorHandling",
        "typeUsage",
        "designSystem",
        "utilityUsage",
        "stateManagement",
        "performance",
    ),
    Role.composable: _LOGIC,
    Role.store: _LOGIC,
    Role.middleware: ("structure", "errorHandling", "typeUsage", "utilityUsage", "stateManagement", "performance"),
    Role.plugin: ("structure", "apiConnection", "errorHandling", "typeUsage", "utilityUsage", "performance"),
    Role.server_route: ("structure", "apiConnection", "errorHandling", "typeUsage", "utilityUsage", "performance"),
    Role.util: ("structure", "apiConnection", "errorHandling", "typeUsage", "utilityUsage", "performance"),
}

#: Grades the original used for an overall score.
GRADES: tuple[tuple[float, str], ...] = ((85.0, "excellent"), (70.0, "good"), (50.0, "fair"), (0.0, "poor"))
#: Project tiers: S >= 80, A >= 60, B >= 40, C >= 20, else D.
TIERS: tuple[tuple[float, str], ...] = ((80.0, "S"), (60.0, "A"), (40.0, "B"), (20.0, "C"), (0.0, "D"))


#: The judge's calibration puts the reference corpus' median file (Nuxt code from npm, written
#: by the Nuxt team) at the first value ("good") and its 90th percentile at the second (the
#: seed's exemplar threshold, "excellent").
CALIBRATION_ANCHORS = (75.0, 85.0)

#: The default exemplar bar: about the reference corpus' 75th percentile (80.6 under rubric r10),
#: a file better than three in four of the Nuxt team's own. The seed's 85 is that corpus' top
#: tenth; of its 173 files with something to teach, 2 reached it, so well-kept projects had
#: no exemplar at all (``docs/scoring.md``, section 4).
EXEMPLAR_THRESHOLD = 80.0


def grade(score: float) -> str:
    return next(name for floor, name in GRADES if score >= floor)


def tier(score: float) -> str:
    return next(name for floor, name in TIERS if score >= floor)


# --- prompt text ------------------------------------------------------------------------------


def rubric_lines() -> list[str]:
    """The rubric itself: the task, the scale, each dimension with its levels and examples, the roles."""
    lines = [
        "You review source files from a team's Nuxt 3 / Vue 3 / TypeScript projects. The team wants to find "
        "its best files so that others can imitate them, so judge each file as a model to copy: would a "
        "senior engineer hold it up as an example?",
        "",
        f"Score each dimension with one digit from 0 to {SCALE_MAX}. Use the whole scale: 9 is rare and means "
        "exemplary; 7-8 is solid code with small flaws; 4-6 is ordinary code with clear problems; 0-3 is code "
        "to avoid. Judge only what the file shows. When a dimension barely applies to a file, score whether "
        "the file avoids that dimension's pitfalls.",
        "",
        "Dimensions:",
    ]
    for d in DIMENSIONS:
        lines.append(f"- {d.key} ({d.title}): {d.looks_for}.")
        lines.append(f"  9: {d.levels[0]}; 6: {d.levels[1]}; 3: {d.levels[2]}; 0: {d.levels[3]}.")
        lines.append(f"  good: {d.good}")
        lines.append(f"  bad: {d.bad}")
    lines += [
        "",
        "Roles and the dimensions they can be scored on. A file with no requests is not scored on apiConnection, "
        "a file with nothing that can fail not on errorHandling, a file with no template not on designSystem:",
    ]
    for role, keys in ROLE_DIMENSIONS.items():
        lines.append(f"- {role.value}: {', '.join(keys)}")
    return lines


def system_prompt(checklist: tuple[tuple[str, str], ...] = ()) -> str:
    """The fixed rubric every file is judged against (the shared KV prefix), with the checklist questions."""
    lines = rubric_lines()
    lines += ["", "Checklist, answered true or false:"]
    lines += [f'- "{key}": {text}' for key, text in checklist]
    lines += [
        "",
        'Answer with JSON only: {"scores": {<dimension>: <digit>, ...}, "checks": {<key>: true|false, ...}}. '
        'When asked for a summary, continue with "summary": one short, complete sentence (under 25 words) '
        "saying what the file does and what others can learn from it.",
    ]
    return "\n".join(lines)


def language_tag(path: str) -> str:
    ext = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    return {"vue": "vue", "ts": "ts", "tsx": "tsx", "js": "js", "mjs": "js", "jsx": "jsx"}.get(ext, "")


def user_header(path: str, role: Role) -> str:
    return f"File: {path}\nRole: {role.value}\n```{language_tag(path)}\n"


def user_footer(truncated: bool) -> str:
    note = "\n(The file was cut to fit; judge the part shown.)" if truncated else ""
    return f"\n```{note}"


#: The model's answer starts with this; each dimension and question is a branch that continues it.
ANSWER_OPEN = "{"


def score_branch(key: str) -> str:
    return '"scores": {"' + key + '": '


def check_branch(key: str) -> str:
    return '"checks": {"' + key + '": '


SUMMARY_OPEN = '"summary": '
