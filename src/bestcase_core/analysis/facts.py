"""Facts a parser measures exactly, per rubric dimension, each with the lines it is about.

:func:`analyze` turns a file's text into :class:`FileFacts`: counts and shares
(``metrics``) that the judge combines into scores, and :class:`Finding` rows
(a strength or a weakness, its dimension, its lines) that become the reasons.
Every measure comes from a syntax tree (tree-sitter); none from regular
expressions over the source.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from pydantic import BaseModel, Field

from .complexity import FUNCTION_TYPES, FunctionFacts, complex_conditions, functions, is_data_literal
from .parse import Parsed, Script, parse_bytes, parse_source, walk

# --- what the facts look for ---------------------------------------------------------------

#: Calls that fetch data the Nuxt way.
NUXT_REQUESTS = frozenset({"useFetch", "useLazyFetch", "useAsyncData", "useLazyAsyncData", "$fetch", "ofetch"})
#: Calls that fetch data by hand.
RAW_REQUESTS = frozenset({"fetch", "axios", "$axios", "XMLHttpRequest"})
#: Nuxt's data composables. They belong in setup (or a plugin, a route middleware, another composable);
#: called later, from an event handler or a watcher, Nuxt warns "Component is already mounted, please use
#: $fetch instead" (nuxt.com/docs/getting-started/data-fetching: `$fetch` is for requests on user interaction).
DATA_COMPOSABLES = frozenset({"useFetch", "useLazyFetch", "useAsyncData", "useLazyAsyncData"})
#: Types that accept almost anything: typescript-eslint's recommended `no-unsafe-function-type` and
#: `no-wrapper-object-types` (`{}` is `no-empty-object-type`); `object` and `unknown` are precise enough.
_LOOSE_TYPES = frozenset({"Function", "Object", "String", "Number", "Boolean", "Symbol", "BigInt"})
#: Calls whose callback runs after setup has finished (mount hooks are counted as `mounted_fetch`).
_LATER_CALLBACKS = frozenset(
    {"watch", "watchEffect", "nextTick", "setTimeout", "setInterval", "addEventListener", "then"}
)
_AXIOS_METHODS = frozenset({"get", "post", "put", "patch", "delete", "request", "head"})
#: Awaited calls that cannot fail in a way a caller should handle.
_SAFE_AWAITS = frozenset(
    {"nextTick", "navigateTo", "setTimeout", "sleep", "wait", "delay", "refresh", "refreshNuxtData"}
)
#: h3 helpers that validate a request or require a session, and answer a failure with a 400/401 error themselves.
_H3_VALIDATED = frozenset(
    {
        "readValidatedBody",
        "getValidatedQuery",
        "getValidatedRouterParams",
        "requireUserSession",
    }
)
#: h3 helpers that read the request being answered (its body, query, params or session).
_H3_READERS = _H3_VALIDATED | {"readBody", "readRawBody", "readFormData", "readMultipartFormData", "getUserSession"}
#: h3 helpers that hand a server route the client's input as it came, of any shape (route params,
#: always strings from the path, are not counted).
_H3_RAW_INPUT = frozenset({"readBody", "getQuery", "readFormData", "readMultipartFormData"})
#: Calls that check a value against a schema or by hand: zod/valibot/yup's parse, a `validateX`, an `assertX`.
_CHECK_CALL = re.compile(r"(?:^|\.)(?:parse|safeParse|parseAsync|safeParseAsync|validate\w*|assert\w*|check\w*)$", re.I)
#: Lifecycle hooks that run only in the browser, after the server render.
_MOUNT_HOOKS = frozenset({"onMounted", "onBeforeMount"})
#: Calls that show an error to the user or hand it to Nuxt's error page.
_ERROR_SURFACES = frozenset({"createError", "showError", "throw"})
_CONSOLE = frozenset({"console"})
_NON_INTERACTIVE = frozenset(
    {"div", "span", "li", "td", "tr", "th", "p", "section", "article", "img", "i", "label", "ul", "ol", "dl", "dt"}
    | {"dd", "h1", "h2", "h3", "h4", "h5", "h6", "header", "footer", "nav", "main", "aside", "figure", "strong"}
    | {"em", "b", "small", "table", "tbody", "thead", "svg"}
)
#: Template event bindings (`@click="onSave"`, `v-on:submit="save($event)"`): the handler's name.
_HANDLER_NAME = re.compile(r"^\s*([A-Za-z_$][\w$]*)\s*(?:\(|$)")
_SECRET_NAME = re.compile(r"(api[_-]?key|secret|token|passw(or)?d|private[_-]?key|client[_-]?secret)", re.I)
_SECRET_VALUE = re.compile(r"^(sk_(live|test)_|AIza|ghp_|xox[bp]-|AKIA)[A-Za-z0-9_\-]{8,}")
_HOSTS = ("http://", "https://", "localhost:")
_URL_NAME = re.compile(r"(url|api|endpoint|base|host)", re.I)
#: Comment lines per code line that count as fully commented.
COMMENT_TARGET = 0.15
#: Code lines of neutral (half-commented) prior: in a 3-line file one comment is weak evidence.
COMMENT_PRIOR_LINES = 80
#: A to-do marker (Sonar's S1135) records unfinished work; it does not explain the code.
TODO_MARKER = re.compile(r"^(//+|/\*+)\s*(TODO|FIXME|XXX|HACK)\b", re.I)
_COLOR = re.compile(r"#[0-9a-fA-F]{3,8}\b|\brgba?\(")
_MEANINGLESS = re.compile(
    r"^(?:[a-zA-Z]\d+|_\d+|[a-hl-wzA-Z]|tmp\d*|temp\d*|foo|bar|baz|data\d+|val\d*|obj\d*|arr\d*)$"
)
_OK_SHORT = frozenset({"i", "j", "k", "n", "x", "y", "e", "_", "t", "h", "el", "id", "fn", "cb", "ok", "to", "db"})


class Finding(BaseModel):
    """One fact worth telling: a strength (``good``) or a weakness, with its dimension and lines."""

    dimension: str
    key: str
    good: bool
    text: str
    lines: list[int] = Field(default_factory=list)

    def render(self) -> str:
        if not self.lines:
            return self.text
        shown = sorted(set(self.lines))
        more = f" and {len(shown) - 4} more" if len(shown) > 4 else ""
        label = "line" if len(shown) == 1 else "lines"
        return f"{self.text} ({label} {', '.join(str(n) for n in shown[:4])}{more})"


class FileFacts(BaseModel):
    """What the parser measured in one file."""

    path: str
    kind: str
    parse: str = Field(description="full, partial (some syntax errors; judged on what parsed) or failed")
    problems: list[str] = Field(default_factory=list)
    lines: int
    logic_lines: int = Field(description="script lines that are not blank, comments or imports")
    template_lines: int = Field(0, description="lines of a .vue file's <template> (0 for other files)")
    data_lines: int = Field(0, description="of the logic lines, those inside literals of values (a menu, a table)")
    applies: list[str] = Field(description="dimensions this file can be judged on, from what it contains")
    metrics: dict[str, float] = Field(default_factory=dict)
    findings: list[Finding] = Field(default_factory=list)
    patterns: list[str] = Field(default_factory=list, description="Nuxt/Vue patterns the file shows others")

    def good(self) -> list[Finding]:
        return [f for f in self.findings if f.good]

    def code_lines(self) -> int:
        """What the judge read of the file: its logic lines and its template's lines."""
        return self.logic_lines + self.template_lines

    def bad(self) -> list[Finding]:
        return [f for f in self.findings if not f.good]


# --- helpers ----------------------------------------------------------------------------------


def _t(node: Any) -> str:
    return bytes(node.text or b"").decode("utf-8", "replace") if node is not None else ""


def _callee_name(call: Any) -> str:
    """The called name: ``useFetch``, ``axios.get``, or ``$fetch`` for ``await $fetch<T>(...)``."""
    fn = call.child_by_field_name("function")
    if fn is None:
        return ""
    if fn.type == "await_expression":
        inner = fn.named_children
        fn = inner[0] if inner else fn
    if fn.type == "identifier":
        return _t(fn)
    if fn.type == "member_expression":
        obj = fn.child_by_field_name("object")
        prop = fn.child_by_field_name("property")
        if obj is not None and prop is not None:
            return f"{_t(obj) if obj.type in ('identifier', 'this') else '…'}.{_t(prop)}"
    return ""


def _in_function_boundary(node: Any, stop_types: frozenset[str]) -> Any:
    """The nearest ancestor of ``node`` whose type is in ``stop_types``, not crossing a function."""
    p = node.parent
    while p is not None:
        if p.type in stop_types:
            return p
        if p.type in FUNCTION_TYPES:
            return None
        p = p.parent
    return None


def _enclosing_try(node: Any) -> Any | None:
    """The try (with a catch) whose ``try { }`` block holds ``node`` (not its catch or finally), within its function."""
    child = node
    p = node.parent
    while p is not None and p.type not in FUNCTION_TYPES:
        if p.type == "try_statement" and p.child_by_field_name("handler") is not None:
            body = p.child_by_field_name("body")
            if body is not None and body.id == child.id:
                return p
        child = p
        p = p.parent
    return None


def _in_try_body(node: Any) -> bool:
    return _enclosing_try(node) is not None


def _recovers(try_statement: Any) -> bool:
    """The try has a ``finally`` that does something (resets a loading flag, retries): the failure is recovered from."""
    fin = try_statement.child_by_field_name("finalizer")
    body = fin.child_by_field_name("body") if fin is not None else None
    return body is not None and any(c.type != "comment" for c in body.named_children)


def _catch_statements(catch: Any) -> list[Any]:
    """A catch clause's statements, comments left out."""
    body = catch.child_by_field_name("body")
    return [s for s in body.named_children if s.type != "comment"] if body is not None else []


def _is_log_call(name: str) -> bool:
    """``console.error(...)``, or a logger's method (``logger.warn``, ``log.error``, ``appLogger.info``)."""
    base, _, method = name.rpartition(".")
    base = base.lower()
    return base in _CONSOLE or (bool(method) and (base in ("log", "logger") or base.endswith("logger")))


def _only_logs(stmts: list[Any]) -> bool:
    """Every statement is a ``console.*`` or logger call (true of none)."""
    return all(
        s.type == "expression_statement"
        and s.named_children
        and s.named_children[0].type == "call_expression"
        and _is_log_call(_callee_name(s.named_children[0]))
        for s in stmts
    )


def _swallows(catch: Any) -> bool:
    """A catch clause that is empty or only calls ``console.*``: the error goes nowhere."""
    return _only_logs(_catch_statements(catch))


def _has_catch_chain(node: Any) -> bool:
    """The call is followed by ``.catch(...)`` or a two-argument ``.then`` in its chain, or is one itself
    (``await save().then(done).catch(report)``)."""
    p = node if node.type == "call_expression" else node.parent
    while p is not None and p.type in (
        "member_expression",
        "call_expression",
        "await_expression",
        "parenthesized_expression",
    ):
        if p.type == "member_expression":
            prop = p.child_by_field_name("property")
            if prop is not None and _t(prop) in ("catch", "finally"):
                return _t(prop) == "catch"
        if p.type == "call_expression":
            fn = p.child_by_field_name("function")
            args = p.child_by_field_name("arguments")
            if fn is not None and fn.type == "member_expression":
                prop = fn.child_by_field_name("property")
                if prop is not None and _t(prop) == "catch":
                    return True
                if prop is not None and _t(prop) == "then" and args is not None and len(args.named_children) >= 2:
                    return True
        p = p.parent
    return False


def _declared_names(stmt: Any) -> set[str]:
    names = set()
    for n in walk(stmt):
        if n.type == "variable_declarator":
            name = n.child_by_field_name("name")
            if name is not None:
                names |= {
                    _t(x) for x in walk(name) if x.type in ("identifier", "shorthand_property_identifier_pattern")
                }
    return names


def _identifiers(node: Any) -> set[str]:
    return {_t(n) for n in walk(node) if n.type in ("identifier", "shorthand_property_identifier")}


def _contains_await(node: Any) -> bool:
    for n in walk(node):
        if n.type == "await_expression":
            return True
        if n.type in FUNCTION_TYPES and n.id != node.id:
            continue
    return False


@dataclass
class _Acc:
    """What the script and template walks collect."""

    functions: list[FunctionFacts] = field(default_factory=list)
    params_total: int = 0
    params_typed: int = 0
    counted_any: set[int] = field(default_factory=set)  # `any`s already counted as an untyped param or loose prop
    returns_total: int = 0
    returns_typed: int = 0
    any_lines: list[int] = field(default_factory=list)
    as_any_lines: list[int] = field(default_factory=list)
    double_cast_lines: list[int] = field(default_factory=list)  # `x as unknown as T`
    loose_type_lines: list[int] = field(default_factory=list)  # `: Function`, `: Object`, `: {}`, `: String`
    loose_type_uses: list[tuple[str, int]] = field(default_factory=list)  # the same, by name, until declarations
    declared_types: set[str] = field(default_factory=set)  # names the code gives its own types
    non_null_lines: list[int] = field(default_factory=list)
    assertion_lines: list[int] = field(default_factory=list)  # `x as T`, `<T>x`: the compiler takes the code's word
    setup_fetch_lines: list[int] = field(default_factory=list)  # data awaited in <script setup> bypassing useAsyncData
    mounted_fetch_lines: list[int] = field(default_factory=list)  # data loaded in onMounted: none in the server render
    late_fetch_lines: list[int] = field(default_factory=list)  # `useFetch` in an event handler or watcher
    late_fetch_in: list[tuple[str, int, Script]] = field(default_factory=list)  # `useFetch` in a named function
    unchecked_input_lines: list[int] = field(default_factory=list)  # server: readBody/getQuery used without a check
    checked_input_lines: list[int] = field(default_factory=list)  # server: readValidatedBody, or a schema's parse
    raw_write_lines: list[int] = field(default_factory=list)  # server: the unchecked body written whole to a store
    untyped_state_lines: list[int] = field(default_factory=list)  # `ref(null)`, `new Map()`: TS cannot infer
    ts_ignore_lines: list[int] = field(default_factory=list)
    props: str = ""  # typed / untyped / "" (none declared)
    props_line: int = 0
    runtime_props: int = 0  # props declared with runtime validators (`defineProps({ a: String })`)
    loose_prop_lines: list[int] = field(default_factory=list)  # `type: Object`/`Array`/`Function`, no `PropType<>`
    error_leak_lines: list[int] = field(default_factory=list)  # a 5xx `createError` carrying `err.message`
    swallowed_status_lines: list[int] = field(default_factory=list)  # a 4xx thrown in a `try` whose catch sends 500
    lambda_response_lines: list[int] = field(default_factory=list)  # `return { statusCode, body }` from a handler
    route_client_lines: list[int] = field(default_factory=list)  # `new PrismaClient()` in a route handler's file
    emits: str = ""
    emits_line: int = 0
    awaits_total: int = 0
    unhandled_lines: list[int] = field(default_factory=list)
    swallowed_lines: list[int] = field(default_factory=list)  # awaits whose only catch drops the error
    unchecked_data_lines: list[int] = field(default_factory=list)  # awaited useFetch/useAsyncData, `error` unread
    server: bool = False  # a file under server/: h3 turns a thrown error into an HTTP error response
    handler: bool = False  # a route handler's file (server/api, server/routes, server/middleware)
    vue: bool = False  # a .vue file: its `export default {...}` is the component's options
    handled_lines: list[int] = field(default_factory=list)
    empty_catch_lines: list[int] = field(default_factory=list)
    log_catch_lines: list[int] = field(default_factory=list)
    surfaced_lines: list[int] = field(default_factory=list)
    fallible: int = 0
    nuxt_request_lines: list[int] = field(default_factory=list)
    raw_request_lines: list[int] = field(default_factory=list)
    typed_request_lines: list[int] = field(default_factory=list)
    hardcoded_url_lines: list[int] = field(default_factory=list)
    glued_url_lines: list[int] = field(default_factory=list)
    string_consts: dict[str, str] = field(default_factory=dict)  # name -> the string it is declared with
    url_consts_counted: set[str] = field(default_factory=set)  # URL-named constants already counted where declared
    request_url_names: list[tuple[str, int]] = field(default_factory=list)  # a request's URL given by name
    secret_lines: list[int] = field(default_factory=list)
    props_mutated_lines: list[int] = field(default_factory=list)
    watch_sync_lines: list[int] = field(default_factory=list)
    module_state_lines: list[int] = field(default_factory=list)
    console_lines: list[int] = field(default_factory=list)
    commented_code_lines: list[int] = field(default_factory=list)
    stray_lines: list[int] = field(default_factory=list)  # .vue: text outside the blocks
    var_lines: list[int] = field(default_factory=list)
    loose_eq_lines: list[int] = field(default_factory=list)
    dom_lines: list[int] = field(default_factory=list)
    deep_watch_lines: list[int] = field(default_factory=list)
    sequential_await_lines: list[int] = field(default_factory=list)
    computed_lines: list[int] = field(default_factory=list)
    composable_calls: int = 0
    declared: int = 0
    meaningless: list[tuple[str, int]] = field(default_factory=list)
    comment_lines: int = 0
    code_lines: int = 0
    data_lines: int = 0  # of the code lines, those inside a data literal (a table of values)
    import_lines: int = 0
    exported_fns: int = 0
    documented_fns: int = 0
    indent_checked: int = 0
    indent_ok: int = 0
    error_refs: set[str] = field(default_factory=set)
    error_names: dict[str, int] = field(default_factory=dict)  # `error` from useFetch: name -> line
    error_declared: Counter[str] = field(default_factory=Counter)  # how often each of those names is declared
    script_identifiers: set[str] = field(default_factory=set)
    tokens: list[tuple[str, int]] = field(default_factory=list)
    # template
    elements: int = 0
    components: int = 0
    vfor_nokey_lines: list[int] = field(default_factory=list)
    vfor_vif_lines: list[int] = field(default_factory=list)
    inline_style_lines: list[int] = field(default_factory=list)
    raw_color_lines: list[int] = field(default_factory=list)
    click_lines: list[int] = field(default_factory=list)
    img_alt_lines: list[int] = field(default_factory=list)
    template_identifiers: set[str] = field(default_factory=set)
    event_handlers: set[str] = field(default_factory=set)  # .vue: functions the template binds to events
    thrown_in: dict[int, str] = field(default_factory=dict)  # .vue: line of a non-fatal throw -> its function
    template_complex_conditions: int = 0


# --- the script walk ---------------------------------------------------------------------------


def _script_facts(script: Script, acc: _Acc, module_file: bool) -> None:
    acc.functions += functions(script)
    ts = script.lang in ("ts", "tsx")
    src_lines = script.source.decode("utf-8", "replace").splitlines()
    comment_rows: set[int] = set()
    unexplained: set[int] = set()  # commented-out code and to-do markers: not an explanation
    data_end = -1  # end byte of the data literal being walked (see duplicated_lines)
    data_rows: set[int] = set()
    for node in walk(script.root):
        t = node.type
        line = script.line(node)
        if t in ("object", "array") and node.start_byte >= data_end and _is_data_table(node):
            data_end = node.end_byte
            if node.end_point[0] - node.start_point[0] + 1 >= DATA_TABLE_ROWS:
                data_rows.update(range(node.start_point[0], node.end_point[0] + 1))
        if t == "comment":
            text = _t(node)
            comment_rows.update(range(node.start_point[0], node.end_point[0] + 1))
            if "@ts-ignore" in text or "@ts-nocheck" in text or "@ts-expect-error" in text:
                acc.ts_ignore_lines.append(line)
            elif _is_commented_code(text, script.lang):
                acc.commented_code_lines.append(line)
                unexplained.update(range(node.start_point[0], node.end_point[0] + 1))
            elif TODO_MARKER.match(text):
                unexplained.update(range(node.start_point[0], node.end_point[0] + 1))
            continue
        if node.child_count == 0 and t != "comment":
            data = node.start_byte < data_end
            acc.tokens.append((_t(node) if data or t != "string_fragment" else "S", line))
        if t in FUNCTION_TYPES:
            _function_facts(script, node, acc, ts)
        elif t == "predefined_type" and _t(node) == "any" and node.start_byte not in acc.counted_any:
            acc.any_lines.append(line)
            if node.parent is not None and node.parent.type == "as_expression":
                acc.as_any_lines.append(line)
        elif t == "predefined_type" and _t(node) == "unknown" and _double_cast(node):
            acc.double_cast_lines.append(line)  # `x as unknown as T`: the type check switched off, as with `any`
        elif t == "type_identifier" and _declared_here(node):
            acc.declared_types.add(_t(node))
        elif t == "type_identifier" and _t(node) in _LOOSE_TYPES:
            acc.loose_type_uses.append((_t(node), line))
        elif t == "object_type" and _empty_type(node):
            acc.loose_type_lines.append(line)
        elif t == "non_null_expression":
            acc.non_null_lines.append(line)
        elif t in ("as_expression", "type_assertion") and _unchecked_assertion(node):
            acc.assertion_lines.append(line)
        elif t == "await_expression":
            _await_facts(script, node, acc)
        elif t in ("call_expression", "new_expression"):
            if ts and _untyped_empty_state(node):
                acc.untyped_state_lines.append(line)
            if t == "call_expression":
                _call_facts(script, node, acc)
            elif acc.handler and _t(node.child_by_field_name("constructor") or node) in _DB_CLIENTS:
                acc.route_client_lines.append(line)
        elif t == "catch_clause":
            _catch_facts(script, node, acc)
        elif t == "throw_statement":
            acc.surfaced_lines.append(line)
            acc.fallible += 1
            if acc.vue and "fatal: true" not in _t(node):
                acc.thrown_in[line] = _function_name(node)
        elif t == "variable_declaration" and _t(node).startswith("var "):
            acc.var_lines.append(line)
        elif t == "binary_expression" and _op(node) in ("||", "??"):
            _fallback_secret(script, node, acc)
        elif t == "return_statement" and acc.server:
            _lambda_response(script, node, acc)
        elif t == "binary_expression" and _op(node) in ("==", "!="):
            right = node.child_by_field_name("right")
            if right is None or _t(right) not in ("null", "undefined"):  # `x == null` is an accepted idiom
                acc.loose_eq_lines.append(line)
        elif t == "member_expression" and _t(node).startswith("document.") and node.parent is not None:
            prop = node.child_by_field_name("property")
            if prop is not None and _t(prop) in _DOM_QUERIES:
                acc.dom_lines.append(line)
        elif t in ("assignment_expression", "augmented_assignment_expression", "update_expression"):
            target = node.child_by_field_name("left") or node.child_by_field_name("argument")
            if target is not None and target.type == "member_expression":
                obj = target.child_by_field_name("object")
                if obj is not None and obj.type == "identifier" and _t(obj) == "props":
                    acc.props_mutated_lines.append(line)
        elif t == "variable_declarator":
            _declarator_facts(script, node, acc)
        elif t == "import_specifier" and node.child_by_field_name("alias") is not None:
            alias = node.child_by_field_name("alias")
            _name_fact(_t(alias), script.line(alias), acc)  # `import { PropType as P }`: a name the file chose
        elif t == "namespace_import":
            alias = next((c for c in node.named_children if c.type == "identifier"), None)
            if alias is not None:
                _name_fact(_t(alias), script.line(alias), acc)
        elif t in ("string", "template_string"):
            _string_facts(script, node, acc)
        elif t == "statement_block" or t == "program":
            _sequential_awaits(script, node, acc)
        elif t == "export_statement":
            if acc.vue and (value := node.child_by_field_name("value")) is not None:
                _options_props(script, value, acc)  # a .vue's `export default { props: ... }`
            decl = node.child_by_field_name("declaration")
            if decl is not None and (decl.type in FUNCTION_TYPES or _first_fn(decl) is not None):
                acc.exported_fns += 1
                prev = node.prev_named_sibling
                if prev is not None and prev.type == "comment" and prev.end_point[0] >= node.start_point[0] - 1:
                    acc.documented_fns += 1
        if t in ("identifier", "shorthand_property_identifier"):
            acc.script_identifiers.add(_t(node))
    # module-level state in composables, stores and utils (shared by every request on the server)
    if module_file:
        for stmt in script.root.named_children:
            if stmt.type == "lexical_declaration" and _t(stmt).startswith("let "):
                acc.module_state_lines.append(script.line(stmt))
            elif stmt.type in ("lexical_declaration", "variable_declaration"):
                for d in stmt.named_children:
                    value = d.child_by_field_name("value") if d.type == "variable_declarator" else None
                    if (
                        value is not None
                        and value.type == "call_expression"
                        and _callee_name(value) in ("ref", "reactive")
                    ):
                        acc.module_state_lines.append(script.line(stmt))
                    if stmt.type == "variable_declaration" and d.type == "variable_declarator":
                        acc.module_state_lines.append(script.line(stmt))
    # lines: code, comments, imports, indentation
    for row, raw in enumerate(src_lines):
        s = raw.strip()
        if not s:
            continue
        if row in comment_rows and (s.startswith(("//", "/*", "*")) or s.endswith("*/")):
            acc.comment_lines += row not in unexplained
            continue
        if s.startswith(("import ", "export {", "export *")) or s in ("}", "})", "});", ")", "]", "};", "],", "},"):
            acc.import_lines += s.startswith(("import ", "export {", "export *"))
            continue
        acc.code_lines += 1
        acc.data_lines += row in data_rows
    _indentation(script, src_lines, acc)


_DOM_QUERIES = frozenset(
    {"getElementById", "querySelector", "querySelectorAll", "getElementsByClassName", "getElementsByTagName"}
)


def _op(node: Any) -> str:
    op = node.child_by_field_name("operator")
    return _t(op) if op is not None else ""


def _is_commented_code(comment: str, lang: str) -> bool:
    """A ``//`` or ``/* */`` comment whose text parses as a statement of code (Sonar's S125)."""
    body = comment.strip()
    if body.startswith("/**") or body.startswith("///"):
        return False  # doc comments and triple-slash directives
    body = body[2:-2] if body.startswith("/*") else body[2:]
    body = body.strip()
    module_line = body.startswith(("import ", "export ")) and (" from " in body or "=" in body)
    if len(body) < 6 or not (module_line or any(c in body for c in "();=")):
        return False
    if body.endswith((".", ":", "!", "?")) and " " in body:
        return False
    from .parse import parse_bytes

    root = parse_bytes("ts" if lang != "js" else "js", body.encode()).root_node
    if root.has_error or not root.named_children:
        return False
    kinds = {"expression_statement", "lexical_declaration", "variable_declaration", "if_statement", "return_statement"}
    if all(c.type in ("import_statement", "export_statement") for c in root.named_children):
        return module_line
    return all(c.type in kinds for c in root.named_children) and any(
        n.type in ("call_expression", "assignment_expression", "variable_declarator") for n in walk(root)
    )


def _function_name(node: Any) -> str:
    """The name of the function ``node`` is in (``function save()`` or ``const save = () =>``); "" at the top."""
    p = node.parent
    while p is not None and p.type not in FUNCTION_TYPES:
        p = p.parent
    if p is None:
        return ""
    name = p.child_by_field_name("name")
    if name is None and p.parent is not None and p.parent.type == "variable_declarator":
        name = p.parent.child_by_field_name("name")
    return _t(name) if name is not None else ""


def _first_fn(node: Any) -> Any:
    for n in walk(node):
        if n.type in FUNCTION_TYPES:
            return n
    return None


#: Bracketed bodies whose members sit on their own lines, indented past the line that opens them.
_INDENTED_BODIES = frozenset(
    {"statement_block", "class_body", "switch_body", "object", "array", "object_type", "interface_body", "enum_body"}
)


def _indent_of(src_lines: list[str], row: int) -> int:
    line = src_lines[row] if row < len(src_lines) else ""
    return len(line) - len(line.lstrip())


def _owner_row(body: Any) -> int:
    """The first line of the statement or declaration a body belongs to (`if (a ||\n    b) {` starts at `if`)."""
    owner = body.parent
    while owner is not None and owner.parent is not None and owner.type in ("arguments", "parenthesized_expression"):
        owner = owner.parent
    return int(owner.start_point[0]) if owner is not None else int(body.start_point[0])


def _indentation(script: Script, src_lines: list[str], acc: _Acc) -> None:
    """Statements, properties and elements nested in a body should start further right than the body's own line.

    Only bodies laid out one member per line are checked (the opening bracket ends its line), and
    only members that begin their line: `}, {` between objects and `[a, b,` continued lines are
    other layouts, not missing indentation.
    """
    for node in walk(script.root):
        if node.type not in _INDENTED_BODIES or node.start_point[0] == node.end_point[0]:
            continue
        members = [c for c in node.named_children if c.type != "comment"]
        if not members or members[0].start_point[0] == node.start_point[0]:
            continue
        base = min(_indent_of(src_lines, node.start_point[0]), _indent_of(src_lines, _owner_row(node)))
        for stmt in node.named_children:
            row, col = stmt.start_point
            if row == node.start_point[0] or row >= len(src_lines):
                continue
            line = src_lines[row]
            indent = len(line) - len(line.lstrip())
            if indent != col:
                continue  # the member shares its line with what came before
            acc.indent_checked += 1
            if indent > base:
                acc.indent_ok += 1


def _is_library_hook(fn: Any) -> bool:
    """`onSuccess(todo) {}`, `getKey(event) {}` or `onResponseError: (ctx) => {}` in the options passed to a call:
    the called function's signature types it (TypeScript types an object literal's members from the parameter
    it is passed as). A store's `actions: { add(item) {} }` sits one object deeper and is not counted here."""
    holder = fn.parent
    if fn.type != "method_definition":
        if holder is None or holder.type != "pair":
            return False
        holder = holder.parent
    options = holder if holder is not None and holder.type == "object" else None
    return options is not None and options.parent is not None and options.parent.type == "arguments"


def _unchecked_assertion(node: Any) -> bool:
    """`x as T` or `<T>x`, except `as const`, a runtime prop's `type: Array as PropType<T>` (or
    `as () => T`: how Vue types runtime props) and what `any` already counts (`as any`, both
    halves of `x as unknown as T`)."""
    holder = node.parent
    if holder is not None and holder.type == "pair" and _t(holder.child_by_field_name("key")) == "type":
        return False
    if node.type == "as_expression" and node.children[-1].type == "const":  # `as const`: not a named child
        return False
    target = node.named_children[-1] if node.type == "as_expression" else node.named_children[0]
    text = _t(target).strip("<>")  # `<T>x` holds its type as `<T>`
    if text in ("any", "unknown") or text.startswith("PropType<"):
        return False
    inner = node.named_children[0] if node.type == "as_expression" else None
    return not (inner is not None and inner.type == "as_expression" and _t(inner.named_children[-1]) == "unknown")


#: Default values whose type TypeScript infers exactly (``page = '1'`` is a ``string``; ``x = []`` or ``{}`` is not).
_LITERAL_DEFAULTS = frozenset({"string", "template_string", "number", "true", "false"})


def _literal_default(param: Any) -> bool:
    """An unannotated parameter whose default is a literal: typed by inference, as ``noImplicitAny`` sees it."""
    value = param.child_by_field_name("value")
    return value is not None and value.type in _LITERAL_DEFAULTS


def _bare_any(node: Any) -> Any | None:
    """The ``any`` of an annotation or type argument that is just ``any`` (``: any``, ``PropType<any>``)."""
    if node is None:
        return None
    inner = [n for n in walk(node) if n.is_named and n.type not in ("type_annotation", "type_arguments")]
    return inner[0] if len(inner) == 1 and inner[0].type == "predefined_type" and _t(inner[0]) == "any" else None


def _declared_here(name: Any) -> bool:
    """``type Object = {...}``, ``interface Props``: the name a declaration gives its type, not a use of one."""
    return name.parent is not None and name.parent.child_by_field_name("name") == name


def _empty_type(node: Any) -> bool:
    """``x: {}`` or ``type X = {}``: any value but null. Not ``string & {}`` (keeps literal hints) nor a
    type argument (``Model<IUser, {}, Methods>``: a library's "none" slot)."""
    empty = all(c.type == "comment" for c in node.named_children)
    return empty and node.parent is not None and node.parent.type in ("type_annotation", "type_alias_declaration")


def _function_facts(script: Script, fn: Any, acc: _Acc, ts: bool) -> None:
    callback = (fn.parent is not None and fn.parent.type == "arguments") or _is_library_hook(fn)
    params = fn.child_by_field_name("parameters")
    bare = fn.child_by_field_name("parameter")  # `e => ...`: one parameter, no parentheses, no type
    if bare is not None and not callback:
        acc.params_total += 1
        _name_fact(_t(bare), script.line(bare), acc)
    if params is not None and not callback:
        for p in params.named_children:
            if p.type == "comment":
                continue
            acc.params_total += 1
            annotation = p.child_by_field_name("type")
            bare_any = _bare_any(annotation)
            if bare_any is not None:  # `(e: any)` is as loose as `(e)`: one untyped parameter, not also an `any`
                acc.counted_any.add(bare_any.start_byte)
            elif annotation is not None or _literal_default(p):
                acc.params_typed += 1
            name = p.child_by_field_name("pattern") or (p if p.type == "identifier" else None)
            if name is not None and name.type == "identifier":
                _name_fact(_t(name), script.line(name), acc)
    name = fn.child_by_field_name("name")
    if name is not None:
        _name_fact(_t(name), script.line(name), acc)
    if not callback:  # an inline callback's return type comes from the call
        acc.returns_total += 1
        if fn.child_by_field_name("return_type") is not None:
            acc.returns_typed += 1


def _name_fact(name: str, line: int, acc: _Acc) -> None:
    acc.declared += 1
    if name not in _OK_SHORT and _MEANINGLESS.match(name):
        acc.meaningless.append((name, line))


_STATE_CALLS = frozenset({"ref", "shallowRef", "useState", "new Map", "new Set", "new WeakMap", "new WeakSet"})
_EMPTY_VALUES = frozenset({"null", "undefined", "[]", "{}", "() => null", "() => []", "() => {}", "() => ({})"})


def _untyped_empty_state(node: Any) -> bool:
    """`ref(null)`, `ref([])`, `useState('k')`, `new Map()`: state TS infers as `null`, `never[]` or `any`.

    Typed when it has a type argument (`ref<User | null>(null)`), is cast (`as Ref<...>`) or
    assigned to an annotated name (`const users: Ref<User[]> = ref([])`).
    """
    if node.type == "new_expression":
        ctor = node.child_by_field_name("constructor")
        name = f"new {_t(ctor)}" if ctor is not None else ""
    else:
        name = _callee_name(node)
    if name not in _STATE_CALLS or node.child_by_field_name("type_arguments") is not None:
        return False
    args = node.child_by_field_name("arguments")
    values = [a for a in args.named_children if a.type != "comment"] if args is not None else []
    if name == "useState":
        values = values[1:]  # the key comes first
    if values and " ".join(_t(values[0]).split()) not in _EMPTY_VALUES:
        return False
    parent = node.parent
    while parent is not None and parent.type == "parenthesized_expression":
        parent = parent.parent
    if parent is not None and parent.type in ("as_expression", "satisfies_expression"):
        return False
    return not (parent is not None and parent.type == "variable_declarator" and parent.child_by_field_name("type"))


def _declarator_facts(script: Script, node: Any, acc: _Acc) -> None:
    name = node.child_by_field_name("name")
    value = node.child_by_field_name("value")
    if name is not None and name.type == "identifier":
        _name_fact(_t(name), script.line(name), acc)
        if value is not None and value.type in ("string", "template_string"):
            text = _t(value).strip("'\"`")
            acc.string_consts[_t(name)] = text
            if _SECRET_NAME.search(_t(name)) and len(text) >= 8 and " " not in text and "${" not in text:
                acc.secret_lines.append(script.line(node))
            if _URL_NAME.search(_t(name)) and ("http://" in text or "https://" in text or "localhost" in text):
                acc.hardcoded_url_lines.append(script.line(node))
                acc.url_consts_counted.add(_t(name))
    if name is not None and name.type == "object_pattern" and value is not None:
        awaited = value.type == "await_expression"
        call = value.named_children[0] if awaited and value.named_children else value
        if call.type == "call_expression" and (awaited or _callee_name(call) in NUXT_REQUESTS):
            for val, where in _error_keys(name):
                acc.error_names.setdefault(val, script.line(where))
                acc.error_declared[val] += 1


#: Fields of a returned outcome that say whether the call failed (`{ data, error }`, `result.ok`).
_OUTCOME_ERRORS = frozenset({"error", "err", "errors"})
_OUTCOME_FIELDS = _OUTCOME_ERRORS | {"ok", "success"}
_BINDING_NAMES = frozenset({"identifier", "shorthand_property_identifier_pattern"})
_OUTCOME_READ = re.compile(
    rb"(?<![\w$])([A-Za-z_$][\w$]*)\??\.(?:" + "|".join(sorted(_OUTCOME_FIELDS)).encode() + rb")(?![\w$])"
)


def _error_keys(pattern: Any) -> list[tuple[str, Any]]:
    """The names an object pattern binds an ``error`` field to (``{ data, error: loadError }``), with their nodes."""
    out = []
    for n in walk(pattern):
        if n.type == "shorthand_property_identifier_pattern":
            key = val = n
        elif n.type == "pair_pattern":
            key, val = n.child_by_field_name("key"), n.child_by_field_name("value")
        else:
            continue
        if key is not None and val is not None and val.type in _BINDING_NAMES and _t(key) in _OUTCOME_ERRORS:
            out.append((_t(val), n))
    return out


def _reads_outcome(script: Script, name: str, decl: Any) -> bool:
    """``name.ok``, ``name.error`` or ``name.success`` is read in the block that declares ``name``.

    Found by a text search over the rest of the block, each hit confirmed on the tree: walking the
    block for every awaited declaration would be quadratic in a long function."""
    block = decl.parent.parent if decl.parent is not None else None
    if block is None:
        return False
    wanted = name.encode()
    for hit in _OUTCOME_READ.finditer(script.source, decl.end_byte, block.end_byte):
        if hit.group(1) != wanted:
            continue
        n = block.descendant_for_byte_range(hit.start(), hit.end())
        if n is not None and n.type == "member_expression":
            obj = n.child_by_field_name("object")
            if obj is not None and obj.type == "identifier" and _t(obj) == name:
                return True
    return False


def _string_facts(script: Script, node: Any, acc: _Acc) -> None:
    text = _t(node)
    if _SECRET_VALUE.match(text.strip("'\"`")) or _credential(node):
        acc.secret_lines.append(script.line(node))


#: Object keys that hold a credential itself (Sonar's S2068), not its label or its name.
_CREDENTIAL_KEYS = frozenset({"password", "passwd", "pwd", "secret", "clientsecret", "privatekey"})


def _credential(node: Any) -> bool:
    """``{ email: 'admin@x.io', password: 'qwer1234' }``: a literal credential in an object, shipped with the
    code (and, in app code, to every browser). A label (``password: 'Password'``) or a blank is not one."""
    pair = node.parent
    value_node = pair.child_by_field_name("value") if pair is not None and pair.type == "pair" else None
    if value_node is None or value_node.start_byte != node.start_byte:
        return False
    key = _t(pair.child_by_field_name("key")).strip("'\"").replace("_", "").replace("-", "").lower()
    value = _t(node).strip("'\"`")
    return key in _CREDENTIAL_KEYS and len(value) >= 6 and value.lower() != key and not re.search(r"\s|\$\{", value)


def _request_args_urls(script: Script, call: Any, acc: _Acc) -> None:
    args = call.child_by_field_name("arguments")
    if args is None or not args.named_children:
        return
    first = args.named_children[0]
    text = _t(first)
    if first.type == "identifier":
        acc.request_url_names.append((text, script.line(first)))
    literals = [s for s in walk(first) if s.type in ("string", "template_string")]
    if any(h in _t(s) for s in literals for h in _HOSTS):
        acc.hardcoded_url_lines.append(script.line(first))
    if first.type == "binary_expression" and any(
        s.type in ("string", "template_string") and any(c in _t(s) for c in "?=&/")
        for s in walk(first)
        if s.type in ("string", "template_string")
    ):
        acc.glued_url_lines.append(script.line(first))
    if first.type == "template_string" and "?" in text and "=" in text and "${" in text:
        acc.glued_url_lines.append(script.line(first))
    _options_base_url(script, call, acc)


_BASE_URL_KEYS = frozenset({"baseURL", "baseUrl", "base_url"})


def _options_base_url(script: Script, call: Any, acc: _Acc) -> None:
    """`axios.create({ baseURL: 'https://api.example.com' })`, `useFetch(url, { baseURL: ... })`: a host in code."""
    args = call.child_by_field_name("arguments")
    for arg in args.named_children if args is not None else ():
        if arg.type != "object":
            continue
        for pair in _pairs(arg):
            value = pair.child_by_field_name("value")
            if value is None or _t(pair.child_by_field_name("key")).strip("'\"") not in _BASE_URL_KEYS:
                continue
            if value.type in ("string", "template_string") and any(h in _t(value) for h in _HOSTS):
                acc.hardcoded_url_lines.append(script.line(value))
            elif value.type == "identifier":
                acc.request_url_names.append((_t(value), script.line(value)))


def _call_facts(script: Script, call: Any, acc: _Acc) -> None:
    name = _callee_name(call)
    line = script.line(call)
    base = name.split(".")[0]
    method = name.split(".")[-1] if "." in name else ""
    if name in _MOUNT_HOOKS and _loads_data(script, call):
        acc.mounted_fetch_lines.append(line)
    if name in DATA_COMPOSABLES:
        _late_fetch(script, call, acc)
    if acc.server and name in _H3_RAW_INPUT:
        (acc.checked_input_lines if _input_checked(script, call) else acc.unchecked_input_lines).append(line)
        if not _wrapped_in_check(call):
            acc.raw_write_lines.extend(_raw_writes(script, call))
    elif acc.server and name in _H3_VALIDATED and name != "requireUserSession":
        acc.checked_input_lines.append(line)
    if (name in NUXT_REQUESTS or name in RAW_REQUESTS) and _returned(call):
        acc.surfaced_lines.append(line)  # its error (a rejection, or `useFetch`'s `error`) is the caller's
    if name in NUXT_REQUESTS:
        acc.nuxt_request_lines.append(line)
        acc.fallible += 1
        if call.child_by_field_name("type_arguments") is not None:
            acc.typed_request_lines.append(line)
        _request_args_urls(script, call, acc)
    elif name in RAW_REQUESTS or (base in ("axios", "$axios", "api", "http") and method in _AXIOS_METHODS):
        acc.raw_request_lines.append(line)
        acc.fallible += 1
        _request_args_urls(script, call, acc)
    elif method == "create" and base in ("axios", "$fetch", "ofetch"):  # a client with its own defaults
        (acc.raw_request_lines if base == "axios" else acc.nuxt_request_lines).append(line)
        _options_base_url(script, call, acc)
    elif name in ("JSON.parse", "localStorage.getItem", "new URL"):
        acc.fallible += 1
    if base == "defineProps" or (name == "withDefaults" and "defineProps" in _t(call)):
        inner = call
        if name == "withDefaults":
            args = call.child_by_field_name("arguments")
            inner = args.named_children[0] if args is not None and args.named_children else call
        acc.props = _declaration_typed(inner)
        acc.props_line = line
        if inner.child_by_field_name("type_arguments") is None:
            _runtime_props(script, _first_arg(inner), acc)
    elif name == "defineEmits":
        acc.emits = _declaration_typed(call)
        acc.emits_line = line
    elif name in ("defineComponent", "defineNuxtComponent"):
        _options_props(script, _first_arg(call), acc)
    elif name in ("watch", "watchEffect"):
        _watch_facts(script, call, acc)
    elif name == "computed":
        acc.computed_lines.append(line)
    elif base == "console" and method in ("log", "debug", "info", "dir", "table"):
        acc.console_lines.append(line)
    elif name in ("createError", "showError") or (
        (base.startswith("toast") or name.endswith("toast.add")) and _toast_reports_error(call)
    ):
        acc.surfaced_lines.append(line)
        if name == "createError" and _leaks_error(call):
            acc.error_leak_lines.append(line)
    if re.match(r"^use[A-Z]", name):
        acc.composable_calls += 1


def _own_name(fn: Any) -> str:
    """A function's own name: ``function save()``, ``const save = () =>``, ``save() {}``, ``save: () =>``."""
    name = fn.child_by_field_name("name")
    if name is None and fn.parent is not None and fn.parent.type == "variable_declarator":
        name = fn.parent.child_by_field_name("name")
    if name is None and fn.parent is not None and fn.parent.type == "pair":
        name = fn.parent.child_by_field_name("key")
    return _t(name) if name is not None else ""


def _option_of(fn: Any) -> str:
    """For a method of an options object (``methods: { save() {} }``), that option's name; else ""."""
    member = fn.parent if fn.type != "method_definition" else fn
    obj = member.parent if member is not None and member.type in ("pair", "method_definition") else None
    holder = obj.parent if obj is not None and obj.type == "object" else None
    key = holder.child_by_field_name("key") if holder is not None and holder.type == "pair" else None
    return _t(key) if key is not None else ""


def _late_fetch(script: Script, call: Any, acc: _Acc) -> None:
    """``useFetch`` run after setup: in a watcher's or a timer's callback, or an options-API method.

    A call in a named local function is decided once the template is read (:func:`_late_fetches`):
    late if the template binds that function, or a function it binds calls it, to an event.
    """
    fn = call.parent
    while fn is not None and fn.type not in FUNCTION_TYPES:
        fn = fn.parent
    if fn is None:
        return  # setup itself, or a module's top level
    name = _own_name(fn)
    if re.match(r"^_?use[A-Z]", name):
        return  # a composable: it runs in its caller's setup
    line = script.line(call)
    if fn.parent is not None and fn.parent.type == "arguments":
        if _callee_name(fn.parent.parent).split(".")[-1] in _LATER_CALLBACKS:
            acc.late_fetch_lines.append(line)
    elif _option_of(fn) == "methods":
        acc.late_fetch_lines.append(line)
    elif name:
        acc.late_fetch_in.append((name, line, script))


def _late_fetches(acc: _Acc) -> None:
    """The named functions holding ``useFetch`` that the template runs on an event (directly or one call down)."""
    for name, line, script in acc.late_fetch_in:
        callers = (_local_function(script, h) for h in acc.event_handlers if h != name)
        if name in acc.event_handlers or any(
            n.type == "call_expression" and _callee_name(n) == name for f in callers if f is not None for n in walk(f)
        ):
            acc.late_fetch_lines.append(line)


#: Words in a toast's options (`color: 'error'`, `type: 'danger'`) or a branch's condition that mean failure.
_FAILURE_WORD = re.compile(r"error|\berr\b|danger|\bred\b|destructive|fail|warn", re.I)
_FAILURE_TEXT = re.compile(r"\berr(?:or)?\b|\.message\b|fail", re.I)


def _toast_reports_error(call: Any) -> bool:
    """A toast that reports a failure: ``toast.error(...)``, ``{ color: 'error' }``, text from the error, or one
    shown in a ``catch``, a ``.catch``/``onResponseError`` callback or an ``if (error)`` branch. A toast that
    confirms a success (``toast.add({ title: 'Saved' })`` after the request) is not an error path."""
    method = _callee_name(call).rpartition(".")[2]
    if method in ("error", "danger", "warning", "warn"):
        return True
    if method in ("success", "info"):
        return False
    arg = _first_arg(call)
    if arg is not None and arg.type == "object":
        for key in ("color", "type", "severity", "variant", "status"):
            value = _members(arg).get(key)
            if value is not None and value.type == "string" and _FAILURE_WORD.search(_t(value)):
                return True
        if _FAILURE_TEXT.search(_t(arg)):
            return True
    p = call.parent
    while p is not None:
        if p.type == "catch_clause":
            return True
        if p.type == "if_statement":
            cond = p.child_by_field_name("condition")
            if cond is not None and (_FAILURE_WORD.search(_t(cond)) or re.search(r"!\s*[\w.]*\bok\b", _t(cond))):
                return True
        if p.type in FUNCTION_TYPES:
            holder = p.parent
            if holder is not None and holder.type == "arguments":
                return _callee_name(holder.parent).endswith("catch")
            option = holder.child_by_field_name("key") if holder is not None and holder.type == "pair" else None
            return option is not None and bool(_FAILURE_WORD.search(_t(option)))
        p = p.parent
    return False


def _returned(node: Any) -> bool:
    """``node`` is what a function returns to its caller (``return useFetch(...)``, ``get = () => $fetch(...)``)."""
    child, p = node, node.parent
    while p is not None and p.type in ("await_expression", "parenthesized_expression", "as_expression"):
        child, p = p, p.parent
    if p is None:
        return False
    if p.type == "return_statement":
        fn = p.parent
        while fn is not None and fn.type not in FUNCTION_TYPES:
            fn = fn.parent
    else:
        body = p.child_by_field_name("body") if p.type == "arrow_function" else None
        if body is None or body.id != child.id:
            return False
        fn = p
    # a callback's result goes to the library that called it (`useAsyncData(() => $fetch(...))`), not to a caller
    return fn is not None and not (fn.parent is not None and fn.parent.type == "arguments")


def _pairs(obj: Any) -> list[Any]:
    return [p for p in obj.named_children if p.type == "pair"]


def _members(obj: Any) -> dict[str, Any]:
    """An object literal's ``key: value`` members, by key text."""
    return {_t(p.child_by_field_name("key")): p.child_by_field_name("value") for p in _pairs(obj)}


def _first_arg(call: Any) -> Any:
    args = call.child_by_field_name("arguments")
    return args.named_children[0] if args is not None and args.named_children else None


def _double_cast(unknown: Any) -> bool:
    """`unknown` in `x as unknown as T`."""
    cast = unknown.parent
    return (
        cast is not None
        and cast.type == "as_expression"
        and cast.parent is not None
        and cast.parent.type == "as_expression"
        and cast.parent.named_children[0].id == cast.id
    )


_ERROR_NAME = re.compile(r"^(e|err|error|ex|exception|cause|\w+Error|\w+Err)$")


def _leaks_error(call: Any) -> bool:
    """`createError({ statusCode: 500, message: err.message })`: an internal failure's text sent to the client."""
    first = _first_arg(call)
    if first is None or first.type != "object":
        return False
    pairs = _members(first)
    status = pairs.get("statusCode") or pairs.get("status")
    if status is not None and not _may_be_5xx(status):
        return False  # a 4xx message (validation, not found) is meant for the client
    return any(_error_text(pairs.get(key)) for key in ("message", "statusMessage", "statusText"))


def _status_5xx(status: Any) -> bool:
    """A literal 5xx status, or none (``createError`` defaults to 500)."""
    return status is None or (status.type == "number" and _t(status).startswith("5"))


def _may_be_5xx(status: Any) -> bool:
    """A 5xx status, or one that falls back to it: ``err.statusCode || 500`` sends a database error's text as a 500."""
    if _status_5xx(status):
        return True
    if status.type == "binary_expression" and _op(status) in ("||", "??"):
        right = status.child_by_field_name("right")
        return right is not None and _status_5xx(right)
    return False


def _http_status(call: Any) -> Any:
    """The ``statusCode``/``status`` node of ``createError({...})``, None when it has none."""
    first = _first_arg(call)
    if first is None or first.type != "object":
        return None
    pairs = _members(first)
    return pairs.get("statusCode") or pairs.get("status")


def _thrown_errors(block: Any) -> list[Any]:
    """The ``createError(...)`` calls thrown in ``block`` itself (not in functions it defines)."""
    out = []
    stack = list(block.named_children)
    while stack:
        n = stack.pop()
        if n.type in FUNCTION_TYPES or n.type == "catch_clause":
            continue
        if n.type == "throw_statement" and n.named_children:
            arg = n.named_children[0]
            if arg.type == "call_expression" and _callee_name(arg) == "createError":
                out.append(arg)
        stack.extend(n.named_children)
    return out


def _swallowed_status(script: Script, catch: Any, acc: _Acc) -> None:
    """A 4xx thrown inside ``try`` that its own ``catch`` turns into a fixed 5xx: the client never gets the 4xx."""
    try_stmt = catch.parent
    body, guarded = catch.child_by_field_name("body"), (try_stmt.child_by_field_name("body") if try_stmt else None)
    if body is None or guarded is None:
        return
    param = catch.child_by_field_name("parameter")
    name = _t(param) if param is not None else ""
    if name and any(n.type == "identifier" and _t(n) == name and not _logged(n) for n in walk(body)):
        return  # the catch looks at what it caught (`if (isError(e)) throw e`, `cause: e`, `e.statusCode`)
    resent = _thrown_errors(body)
    if not resent or not all(_status_5xx(_http_status(c)) for c in resent):
        return
    for call in _thrown_errors(guarded):
        status = _http_status(call)
        if status is not None and status.type == "number" and _t(status).startswith("4"):
            acc.swallowed_status_lines.append(script.line(call))


def _logged(node: Any) -> bool:
    """``node`` is an argument of a logging call (``console.error('...', e)``): written down, not acted on."""
    p = node.parent
    while p is not None and p.type not in ("call_expression", "statement_block"):
        p = p.parent
    if p is None or p.type != "call_expression":
        return False
    base, _, method = _callee_name(p).rpartition(".")
    return base in ("console", "logger", "log") and method in ("error", "warn", "log", "info", "debug")


def _lambda_response(script: Script, node: Any, acc: _Acc) -> None:
    """``return { statusCode: 404, body: ... }`` on the server: h3 sends that object as JSON, with status 200."""
    value = node.named_children[0] if node.named_children else None
    if value is None or value.type != "object":
        return
    pairs = _members(value)
    status = pairs.get("statusCode")
    if "body" in pairs and status is not None and status.type == "number":
        acc.lambda_response_lines.append(script.line(node))


def _fallback_secret(script: Script, node: Any, acc: _Acc) -> None:
    """``process.env.JWT_SECRET || 'your_secret_key'``: a secret in the source, used whenever the variable is unset."""
    left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
    if left is None or right is None or right.type != "string" or "env" not in _t(left):
        return
    value = _t(right).strip("'\"`")
    if len(value) < 8 or " " in value or "/" in value or value.startswith("@"):
        return  # a path or a package (`THEME_DEV_TOKENS_PATH || '@nuxt-themes/tokens'`) is no secret
    names = [_t(left)]
    owner = node.parent
    if owner is not None and owner.type in ("variable_declarator", "pair"):
        key = owner.child_by_field_name("name") or owner.child_by_field_name("key")
        if key is not None:
            names.append(_t(key))
    if any(_SECRET_NAME.search(n) for n in names):
        acc.secret_lines.append(script.line(node))


#: Database clients that hold a connection pool: one per server, from a shared module (``server/utils``).
_DB_CLIENTS = frozenset({"PrismaClient", "MongoClient", "Sequelize"})


def _error_text(value: Any) -> bool:
    """``value`` reads a caught error's text: ``err.message`` or ``e.stack``."""
    for n in walk(value) if value is not None else ():
        if n.type != "member_expression" or _t(n.child_by_field_name("property")) not in ("message", "stack"):
            continue
        obj = n.child_by_field_name("object")
        if obj is not None and obj.type == "identifier" and _ERROR_NAME.match(_t(obj)):
            return True
    return False


_LOOSE_PROP_TYPES = frozenset({"Object", "Array", "Function"})


def _runtime_props(script: Script, first: Any, acc: _Acc) -> None:
    """Runtime-validated props, and those TypeScript knows only as `object`/`unknown[]` (no `as PropType<T>`)."""
    if first is None or first.type != "object":
        return
    for prop in _pairs(first):
        value = prop.child_by_field_name("value")
        if value is not None and value.type == "object":  # `{ type: Array, default: ... }`
            value = next(
                (p.child_by_field_name("value") for p in _pairs(value) if _t(p.child_by_field_name("key")) == "type"),
                None,
            )
        acc.runtime_props += 1
        if value is None:
            continue
        names = [value] if value.type == "identifier" else value.named_children if value.type == "array" else []
        if any(n.type == "identifier" and _t(n) in _LOOSE_PROP_TYPES for n in names):
            acc.loose_prop_lines.append(script.line(prop))
        elif value.type == "as_expression" and _t(value.named_children[-1]).replace(" ", "") == "PropType<any>":
            loose = _bare_any(next(c for c in value.named_children[-1].children if c.type == "type_arguments"))
            if loose is not None:  # as loose as a bare `Object`: one loose prop, not also an `any`
                acc.counted_any.add(loose.start_byte)
                acc.loose_prop_lines.append(script.line(prop))


def _declaration_typed(call: Any) -> str:
    """``typed`` for ``defineProps<T>()`` or validators (``{ a: String }``), ``untyped`` for ``(['a'])``."""
    if call.child_by_field_name("type_arguments") is not None:
        return "typed"
    first = _first_arg(call)
    return "untyped" if first is None or first.type == "array" else "typed"


def _options_props(script: Script, options: Any, acc: _Acc) -> None:
    """The Options API's ``props``/``emits`` (``defineComponent({ props: {...} })``, a .vue's
    ``export default {...}``): a list of names is untyped, an object of validators typed."""
    while options is not None and options.type == "parenthesized_expression":
        options = options.named_children[0] if options.named_children else None
    if options is None or options.type != "object":
        return
    for pair in _pairs(options):
        key, value = _t(pair.child_by_field_name("key")), pair.child_by_field_name("value")
        if value is None or value.type not in ("object", "array"):
            continue
        typed = "typed" if value.type == "object" else "untyped"
        if key == "props":
            acc.props, acc.props_line = typed, script.line(pair)
            _runtime_props(script, value, acc)
        elif key == "emits":
            acc.emits, acc.emits_line = typed, script.line(pair)


def _watch_facts(script: Script, call: Any, acc: _Acc) -> None:
    args = call.child_by_field_name("arguments")
    if args is None:
        return
    items = args.named_children
    for a in items:
        if a.type == "object":
            for pair in a.named_children:
                key = pair.child_by_field_name("key") if pair.type == "pair" else None
                val = pair.child_by_field_name("value") if pair.type == "pair" else None
                if key is not None and _t(key) == "deep" and val is not None and _t(val) == "true":
                    acc.deep_watch_lines.append(script.line(call))
    callback = items[1] if _callee_name(call) == "watch" and len(items) > 1 else (items[0] if items else None)
    if callback is None or callback.type not in FUNCTION_TYPES:
        return
    body = callback.child_by_field_name("body")
    if body is None:
        return
    stmts = [s for s in body.named_children if s.type != "comment"] if body.type == "statement_block" else [body]
    if not stmts or len(stmts) > 3:
        return
    for s in stmts:
        expr = s.named_children[0] if s.type == "expression_statement" and s.named_children else s
        if expr.type != "assignment_expression":
            return
        left = expr.child_by_field_name("left")
        if left is None or left.type != "member_expression":
            return
        if _contains_await(expr):
            return
    acc.watch_sync_lines.append(script.line(call))


def _catch_facts(script: Script, node: Any, acc: _Acc) -> None:
    body = node.child_by_field_name("body")
    if body is None:
        return
    stmts = _catch_statements(node)
    if not stmts:
        if not body.named_children:  # a comment inside says the emptiness is meant
            acc.empty_catch_lines.append(script.line(node))
        return
    if _only_logs(stmts):
        acc.log_catch_lines.append(script.line(node))
    else:
        acc.surfaced_lines.append(script.line(node))
    if acc.server:
        _swallowed_status(script, node, acc)
    if acc.server:  # `return { error: err.message }` from a handler sends the failure's text as `createError` would
        for n in walk(body):
            if n.type == "return_statement" and _error_text(n):
                owner = _in_function_boundary(n, frozenset({"catch_clause"}))
                if owner is not None and owner.id == node.id:
                    acc.error_leak_lines.append(script.line(n))


def _is_outbound(name: str) -> bool:
    """A request to another service (its failure is the caller's to plan for, even on the server)."""
    base, _, method = name.rpartition(".")
    return (
        name in NUXT_REQUESTS
        or name in RAW_REQUESTS
        or (base.split(".")[-1] in ("axios", "$axios", "api", "http") and method in _AXIOS_METHODS)
    )


def _bypasses_async_data(name: str) -> bool:
    """An awaited call that is not a composable (`useFetch`, `useAsyncData`, `useX`), nor a group of them."""
    return (
        bool(name) and not name.split(".")[-1].startswith("use") and name not in ("Promise.all", "Promise.allSettled")
    )


def _await_facts(script: Script, node: Any, acc: _Acc) -> None:
    inner = node.named_children[0] if node.named_children else None
    call = inner
    if (
        node.parent is not None
        and node.parent.type == "call_expression"
        and node.parent.child_by_field_name("function") == node
    ):
        call = node.parent  # `await $fetch<T>(...)` parses as a call of an await
    name = _callee_name(call) if call is not None and call.type == "call_expression" else ""
    if name.split(".")[-1] in _SAFE_AWAITS:
        return
    line = script.line(node)
    acc.awaits_total += 1
    acc.fallible += 1
    if name in _H3_VALIDATED and acc.server:
        acc.handled_lines.append(line)  # h3 answers a failed validation or session check with a 400/401 itself
        acc.surfaced_lines.append(line)
        return
    if script.setup and _bypasses_async_data(name) and _in_function_boundary(node, FUNCTION_TYPES) is None:
        acc.setup_fetch_lines.append(line)  # runs on the server and again in the browser: no payload, no dedupe
    guard = _enclosing_try(node)
    if acc.server and guard is None and not _is_outbound(name):
        acc.handled_lines.append(line)  # h3 answers its failure with an error response; requests elsewhere need a plan
        return
    if guard is not None and _swallows(guard.child_by_field_name("handler")) and not _recovers(guard):
        acc.swallowed_lines.append(line)
        acc.unhandled_lines.append(line)  # an error path that drops the error is none
        return
    if guard is not None or _has_catch_chain(call if call is not None else node):
        acc.handled_lines.append(line)
        return
    decl = _in_function_boundary(node, frozenset({"variable_declarator"}))
    pattern = decl.child_by_field_name("name") if decl is not None else None
    if pattern is not None and pattern.type == "object_pattern" and _error_keys(pattern):
        acc.handled_lines.append(line)  # `{ data, error } = await ...`: confirmed below, the error must be read
        return
    if pattern is not None and pattern.type == "identifier" and _reads_outcome(script, _t(pattern), decl):
        acc.handled_lines.append(line)  # `result = await ...; if (!result.ok)`: the failure comes back as a value
        return
    if name in ("useFetch", "useLazyFetch", "useAsyncData", "useLazyAsyncData"):
        # never throws: a failure leaves the data empty, handled only if the file checks it (decided below)
        acc.unchecked_data_lines.append(line)
        return
    acc.unhandled_lines.append(line)


def _wrapped_in_check(read: Any) -> bool:
    """``schema.parse(await readBody(event))``: the read's value goes through a check before it is stored."""
    p = read.parent
    while p is not None and p.type not in FUNCTION_TYPES:
        if p.type == "call_expression" and _CHECK_CALL.search(_callee_name(p)):
            return True
        if p.type == "variable_declarator":
            break
        p = p.parent
    return False


def _stored_in(script: Script, read: Any) -> tuple[Any, Any] | None:
    """The name (or pattern) a read's value is stored in, and the block that name lives in."""
    decl = _in_function_boundary(read, frozenset({"variable_declarator"}))
    target = decl.child_by_field_name("name") if decl is not None else None
    if decl is None or target is None:
        return None
    return target, _in_function_boundary(decl, frozenset({"statement_block", "program"})) or script.root


def _input_checked(script: Script, read: Any) -> bool:
    """Whether what ``readBody(event)`` returns is checked: passed to a schema's ``parse`` or a ``validateX``
    (directly, or through the name it is stored in), or its fields tested with ``typeof``."""
    if _wrapped_in_check(read):
        return True
    stored = _stored_in(script, read)
    if stored is None:
        return False
    target, scope = stored
    names = (
        [_t(target)]
        if target.type == "identifier"
        else [_t(n) for n in walk(target) if n.type in ("shorthand_property_identifier_pattern", "identifier")]
    )
    for n in walk(scope):
        if n.type == "call_expression" and _CHECK_CALL.search(_callee_name(n)):
            args = n.child_by_field_name("arguments")
            if args is not None and any(_t(a).split(".")[0] in names for a in args.named_children):
                return True
        if n.type == "unary_expression" and _t(n).startswith("typeof"):
            arg = n.child_by_field_name("argument")
            if arg is not None and _t(arg).split(".")[0] in names:
                return True
        if n.type == "if_statement" and _guards_with_throw(n, names):
            return True
    return False


#: ORM and driver methods that write the object they are given (Prisma, Drizzle, Mongoose/MongoDB, Sequelize,
#: TypeORM): handed the client's body whole, they store every field the client chose to send.
_WRITE_METHODS = frozenset(
    {"create", "createMany", "update", "updateMany", "upsert", "insert", "insertOne", "insertMany", "updateOne"}
    | {"replaceOne", "findOneAndUpdate", "findByIdAndUpdate", "save", "values", "set", "bulkCreate"}
)


def _raw_writes(script: Script, read: Any) -> list[int]:
    """Lines where what ``readBody(event)`` returned (not through a schema: a check by hand leaves the fields
    the client added), stored whole in one name (or copied whole into another, ``{ ...body }``), is written as
    it came: passed to ``create``/``update``/``values``/``set``... or a model's constructor (``new Todo(body)``),
    as such a call's ``data``/``$set``, or spread into it (mass assignment, OWASP API3:2023: the client sets
    fields it should not, a role, an owner, a price)."""
    stored = _stored_in(script, read)
    if stored is None or stored[0].type != "identifier":
        return []
    target, scope = stored
    names = {_t(target)}
    for n in walk(scope):  # one copy deep: `const data = { ...body }`, `const data = body`
        value = n.child_by_field_name("value") if n.type == "variable_declarator" else None
        copy = n.child_by_field_name("name") if value is not None else None
        if copy is not None and copy.type == "identifier" and _holds_whole(value, names):
            names.add(_t(copy))
    lines = []
    for n in walk(scope):
        if n.type == "call_expression":
            writes = _callee_name(n).split(".")[-1] in _WRITE_METHODS
        elif n.type == "new_expression":
            ctor = _t(n.child_by_field_name("constructor") or n)
            writes = ctor not in _BUILTIN_CLASSES
        else:
            continue
        args = n.child_by_field_name("arguments")
        if writes and args is not None and any(_holds_whole(a, names) for a in args.named_children):
            lines.append(script.line(n))
    return lines


#: Constructors that are not a database model (``new Response(body)`` answers with it, stores nothing).
_BUILTIN_CLASSES = frozenset(
    {"Error", "Response", "Request", "Headers", "Blob", "File", "FormData", "URL", "URLSearchParams", "Date"}
    | {"Map", "Set", "Promise", "TextEncoder", "TextDecoder", "Uint8Array", "ReadableStream", "H3Error"}
)


def _holds_whole(value: Any, names: set[str]) -> bool:
    """``body``, ``{ ...body }``, ``{ data: body }``: the value carries every field of one of ``names``."""
    if value.type == "identifier":
        return _t(value) in names
    return value.type == "object" and any(
        (m.type == "pair" and _t(m.child_by_field_name("value")) in names)
        or (m.type == "spread_element" and _t(m).lstrip(".") in names)
        or (m.type == "shorthand_property_identifier" and _t(m) in names)
        for m in value.named_children
    )


def _guards_with_throw(stmt: Any, names: list[str]) -> bool:
    """``if (!validFeeds.includes(feed) || Number.isNaN(page)) throw createError(...)``: a check by hand that
    refuses input it does not accept (the condition reads one of ``names``, the branch throws)."""
    cond = stmt.child_by_field_name("condition")
    then = stmt.child_by_field_name("consequence")
    if cond is None or then is None:
        return False
    reads = any(n.type in ("identifier", "shorthand_property_identifier") and _t(n) in names for n in walk(cond))
    return reads and any(n.type == "throw_statement" for n in walk(then))


def _loads_data(script: Script, hook: Any) -> bool:
    """``onMounted(async () => { x.value = await load() })`` or ``onMounted(load)`` with ``load`` awaiting: data
    loaded after mount, which the server render never has (``useAsyncData``/``useFetch`` load it once, SSR-safe)."""
    args = hook.child_by_field_name("arguments")
    fn = args.named_children[0] if args is not None and args.named_children else None
    if fn is not None and fn.type == "identifier":
        fn = _local_function(script, _t(fn))
    if fn is None or fn.type not in FUNCTION_TYPES:
        return False
    for n in walk(fn):
        if n.type == "call_expression" and _callee_name(n) in NUXT_REQUESTS | RAW_REQUESTS:
            return True
        if n.type == "await_expression" and n.named_children:
            inner = n.named_children[0]
            name = _callee_name(inner) if inner.type == "call_expression" else ""
            if name and name.split(".")[-1] not in _SAFE_AWAITS and name != "import":
                return True
    return False


def _local_function(script: Script, name: str) -> Any | None:
    """The function a name in this script is declared as (``function load()`` or ``const load = async () =>``)."""
    for n in walk(script.root):
        if n.type == "function_declaration" and _t(n.child_by_field_name("name") or n) == name:
            return n
        if n.type == "variable_declarator" and _t(n.child_by_field_name("name") or n) == name:
            value = n.child_by_field_name("value")
            return value if value is not None and value.type in FUNCTION_TYPES else None
    return None


def _sequential_awaits(script: Script, block: Any, acc: _Acc) -> None:
    """Consecutive statements that each await, where the later one does not use what the earlier declared."""
    stmts = [s for s in block.named_children if s.type != "comment"]
    for a, b in pairwise(stmts):
        if not (_starts_with_await(a) and _starts_with_await(b)) or any(
            _loads_module(x) or _reads_event(x) for x in (a, b)
        ):
            continue
        declared = _declared_names(a)
        if declared and not (declared & _identifiers(b)):
            acc.sequential_await_lines.append(script.line(b))


def _reads_event(stmt: Any) -> bool:
    """``await readBody(event)``, ``await requireUserSession(event)``, ``await requireAuthUser(event)``: reading
    or checking the request being answered (h3's helpers, or the app's own that take the ``event``), which runs
    in order on purpose (no body is read before the session is checked) and is not a request to another service."""
    return any(
        n.type == "await_expression"
        and n.named_children
        and n.named_children[0].type == "call_expression"
        and (_callee_name(n.named_children[0]) in _H3_READERS or _first_arg_is_event(n.named_children[0]))
        for n in walk(stmt)
    )


def _first_arg_is_event(call: Any) -> bool:
    """Whether a call's first argument is the server handler's ``event``."""
    args = call.child_by_field_name("arguments")
    first = args.named_children[0] if args is not None and args.named_children else None
    return first is not None and first.type == "identifier" and _t(first) == "event"


def _loads_module(stmt: Any) -> bool:
    """``await import('x')``: a module load, cached after the first, not a request to run alongside another."""
    return any(
        n.type == "await_expression"
        and n.named_children
        and n.named_children[0].type == "call_expression"
        and (fn := n.named_children[0].child_by_field_name("function")) is not None
        and fn.type == "import"
        for n in walk(stmt)
    )


def _starts_with_await(stmt: Any) -> bool:
    if stmt.type == "expression_statement":
        first = stmt.named_children[0] if stmt.named_children else None
        return first is not None and first.type == "await_expression"
    if stmt.type in ("lexical_declaration", "variable_declaration"):
        for d in stmt.named_children:
            v = d.child_by_field_name("value") if d.type == "variable_declarator" else None
            if v is not None and (
                v.type == "await_expression"
                or (
                    v.type == "call_expression"
                    and _callee_name(v)
                    and (v.child_by_field_name("function") or v).type == "await_expression"
                )
            ):
                return True
    return False


# --- the template walk -------------------------------------------------------------------------


def _attrs(start_tag: Any) -> dict[str, tuple[str, Any]]:
    out: dict[str, tuple[str, Any]] = {}
    for a in start_tag.named_children:
        if a.type != "attribute":
            continue
        key = next((c for c in a.named_children if c.type == "attribute_name"), None)
        if key is None:
            continue
        val = next((c for c in a.named_children if c.type in ("quoted_attribute_value", "attribute_value")), None)
        out[_t(key)] = (_t(val).strip("\"'") if val is not None else "", a)
    return out


_MUSTACHE_ID = re.compile(r"[A-Za-z_$][\w$]*")


_MARKUP_TAG = re.compile(r"</?[A-Za-z][\w:.-]*(?:\s[^<>]*)?/?>")


def _is_commented_markup(comment: str) -> bool:
    """``<!-- <div class="card">...</div> -->``: markup commented out, not a note on what the markup is for."""
    body = comment.strip().removeprefix("<!--").removesuffix("-->").strip()
    return body.startswith("<") and _MARKUP_TAG.match(body) is not None


def _template_facts(template: Any, acc: _Acc) -> None:
    for node in walk(template):
        if node.type == "comment":  # `<!-- Only logo -->`: what a section of the markup is for
            if _is_commented_markup(_t(node)):
                acc.commented_code_lines.append(int(node.start_point[0]) + 1)
            else:
                acc.comment_lines += int(node.end_point[0] - node.start_point[0]) + 1
            continue
        if node.type == "text":
            text = _t(node)
            if "{{" in text:
                acc.template_identifiers |= set(
                    _MUSTACHE_ID.findall(" ".join(re.findall(r"\{\{(.*?)\}\}", text, re.S)))
                )
            continue
        if node.type not in ("start_tag", "self_closing_tag"):
            continue
        tag_node = next((c for c in node.named_children if c.type == "tag_name"), None)
        if tag_node is None:
            continue
        tag = _t(tag_node)
        line = int(node.start_point[0]) + 1
        if tag == "template" and node.parent is not None and node.parent.id == template.id:
            continue
        acc.elements += 1
        if tag[:1].isupper() or "-" in tag:
            acc.components += 1
        attrs = _attrs(node)
        for key, (value, _) in attrs.items():
            if key.startswith((":", "@", "v-", "#")):
                acc.template_identifiers |= set(_MUSTACHE_ID.findall(value))
                if key.startswith((":", "v-if", "v-else-if", "v-show")) and ("&&" in value or "||" in value):
                    expression = parse_bytes("js", f"({value})".encode()).root_node
                    acc.template_complex_conditions += complex_conditions(expression)
        if "v-for" in attrs:
            if not any(k in attrs for k in (":key", "v-bind:key", "key")):
                acc.vfor_nokey_lines.append(line)
            if "v-if" in attrs:
                acc.vfor_vif_lines.append(line)
        if "style" in attrs and attrs["style"][0].strip():
            acc.inline_style_lines.append(line)
        for key in ("style", "class", "color", "fill", "stroke"):
            if key in attrs and _COLOR.search(attrs[key][0]):
                acc.raw_color_lines.append(line)
                break
        clicks = any(k.split(".")[0] in ("@click", "v-on:click") for k in attrs)
        for key, (value, _) in attrs.items():
            if key.startswith(("@", "v-on:")) and (handler := _HANDLER_NAME.match(value)):
                acc.event_handlers.add(handler.group(1))
        if tag.lower() in _NON_INTERACTIVE and clicks and "role" not in attrs and ":role" not in attrs:
            acc.click_lines.append(line)
        is_img = tag.lower() in ("img", "nuxtimg", "nuxt-img", "nuxtpicture")
        if is_img and not any(k in attrs for k in ("alt", ":alt", "v-bind:alt")):
            acc.img_alt_lines.append(line)


# --- duplication ----------------------------------------------------------------------------

DUP_WINDOW = 40  # tokens; about three or four lines of code


#: Rows from which a literal of values is a table of data (a menu, a list of records), not code:
#: its lines do not count towards what a file teaches. A short ``return { ok: true }`` is code.
DATA_TABLE_ROWS = 5


def _is_data_table(node: Any) -> bool:
    """A literal of values assigned or returned, not passed to a call: a menu, a column list.

    Its strings are compared as written, so rows of one shape with different labels
    are not duplication; in code (and in a call's options) strings are compared as
    ``S``, so a block copied with only its messages changed still is.
    """
    parent = node.parent
    return parent is not None and parent.type != "arguments" and is_data_literal(node)


def duplicated_lines(tokens: list[tuple[str, int]], window: int = DUP_WINDOW) -> tuple[set[int], list[int]]:
    """Lines covered by a run of ``window`` tokens that occurs twice or more; and the first line of each repeat."""
    if len(tokens) < 2 * window:
        return set(), []
    seen: dict[tuple[str, ...], int] = {}
    dup: set[int] = set()
    starts: list[int] = []
    i = 0
    last_end = -1
    while i + window <= len(tokens):
        key = tuple(t for t, _ in tokens[i : i + window])
        first = seen.get(key)
        if first is not None and first + window <= i:
            dup |= {ln for _, ln in tokens[i : i + window]} | {ln for _, ln in tokens[first : first + window]}
            if i > last_end:
                starts.append(tokens[i][1])
            last_end = i + window
            i += 1
            continue
        seen.setdefault(key, i)
        i += 1
    return dup, starts


# --- the whole file ---------------------------------------------------------------------------


def analyze(text: str, path: str, role: str | None = None) -> FileFacts:
    """Parse ``text`` (a file at ``path`` in its project) and measure it. Never raises on bad input."""
    try:
        parsed = parse_source(text, path)
    except Exception as exc:  # a grammar that cannot even start: judged without facts
        return FileFacts(
            path=path,
            kind="unknown",
            parse="failed",
            problems=[f"parser failed: {exc}"],
            lines=text.count("\n") + 1,
            logic_lines=0,
            applies=[],
        )
    posix = "/" + path.replace("\\", "/")
    acc = _Acc(
        server="/server/" in posix,
        handler=any(f"/server/{d}/" in posix for d in ("api", "routes", "middleware")),
        vue=parsed.kind == "vue",
    )
    module_file = parsed.kind != "vue" and (role in ("composable", "store", "util") if role else True)
    for script in parsed.scripts:
        _script_facts(script, acc, module_file)
    if parsed.template is not None:
        _template_facts(parsed.template, acc)
    _late_fetches(acc)
    _outside_facts(parsed, acc)
    return _summarize(parsed, acc)


def _outside_facts(parsed: Parsed, acc: _Acc) -> None:
    """A .vue file's markup commented out, and code left outside its blocks (which Vue ignores): dead code."""
    for node in parsed.outside:
        line = int(node.start_point[0]) + 1
        if node.type == "comment":
            if _is_commented_markup(_t(node)):
                acc.commented_code_lines.append(line)
        elif text := _t(node).strip():
            acc.stray_lines.append(line + _t(node)[: _t(node).index(text)].count("\n"))


#: Cognitive complexity a function may have before it counts against the file: S3776's default.
COMPLEXITY_FREE = 15
#: Cases of prior a share is drawn towards neutral by: 2 is Laplace's rule of succession.
SHARE_PRIOR = 2.0


def _share(part: int, whole: int, none: float = 0.5) -> float:
    """``part / whole`` drawn towards ``none`` (neutral) by a prior of SHARE_PRIOR cases, so that one
    typed parameter of one does not weigh as much as fifty of fifty; ``none`` when there is nothing."""
    return (part + none * SHARE_PRIOR) / (whole + SHARE_PRIOR)


def _summarize(parsed: Parsed, acc: _Acc) -> FileFacts:
    findings: list[Finding] = []

    def add(dim: str, key: str, good: bool, text: str, lines: list[int] | None = None) -> None:
        findings.append(Finding(dimension=dim, key=key, good=good, text=text, lines=sorted(set(lines or []))))

    m: dict[str, float] = {}
    fns = [f for f in acc.functions if f.name != "<module>"]
    allf = acc.functions
    # structure
    max_cc = max((f.cognitive for f in allf), default=0)
    excess_cc = sum(max(0, f.cognitive - COMPLEXITY_FREE) for f in allf)
    max_nest = max((f.nesting for f in allf), default=0)
    longest = max((f.length for f in fns), default=0)
    long_excess = sum(max(0, f.length - 40) for f in fns)
    many_args = sum(max(0, f.params - 4) for f in fns)
    bumpy = sum(1 for f in fns if f.bumps >= 2)
    complex_cond = sum(f.complex_conditions for f in allf) + acc.template_complex_conditions
    m["complexity"] = -_log1p(excess_cc)
    m["nesting"] = -float(max(0, max_nest - 2))
    m["function_length"] = -_log1p(long_excess / 10)
    m["arguments"] = -float(many_args)
    m["bumpy_road"] = -float(bumpy)
    m["complex_conditionals"] = -_log1p(complex_cond)
    m["file_length"] = -max(0.0, (parsed.lines - 400) / 400)
    m["indentation"] = _share(acc.indent_ok, acc.indent_checked, none=1.0) - 1.0
    hot = sorted((f for f in allf if f.cognitive > COMPLEXITY_FREE), key=lambda f: -f.cognitive)
    if hot:
        f = hot[0]
        add("structure", "complexity", False, f"`{f.name}` has cognitive complexity {f.cognitive}", [f.line])
    elif fns and acc.code_lines >= 15 and max_cc <= 10:
        add(
            "structure",
            "complexity",
            True,
            f"longest function {longest} lines of its own, cognitive complexity at most {max_cc}",
        )
    if max_nest >= 4:
        deep = max(allf, key=lambda f: f.nesting)
        add("structure", "nesting", False, f"logic nested {deep.nesting} levels deep in `{deep.name}`", [deep.line])
    for f in fns:
        if f.length > 80:
            add("structure", "function_length", False, f"`{f.name}` has {f.length} lines of its own", [f.line])
        if f.params > 4:
            add("structure", "arguments", False, f"`{f.name}` takes {f.params} arguments", [f.line])
        if f.bumps >= 2:
            add("structure", "bumpy_road", False, f"`{f.name}` has {f.bumps} separate chunks of nested logic", [f.line])
    if complex_cond >= 2:
        add(
            "structure",
            "complex_conditionals",
            False,
            f"{complex_cond} conditions chain three or more `&&`/`||` operands",
        )
    m["console_logs"] = -_log1p(len(acc.console_lines))
    m["commented_code"] = -_log1p(len(acc.commented_code_lines) + len(acc.stray_lines))
    m["legacy_syntax"] = -_log1p(len(acc.var_lines) + len(acc.loose_eq_lines))
    if acc.console_lines:
        add("structure", "console_logs", False, "debug output left in (`console.log`)", acc.console_lines)
    if acc.commented_code_lines:
        add("structure", "commented_code", False, "commented-out code", acc.commented_code_lines)
    if acc.stray_lines:
        add(
            "structure",
            "commented_code",
            False,
            "code outside the `<script>` and `<template>` blocks, which Vue ignores",
            acc.stray_lines,
        )
    if acc.var_lines:
        add("structure", "legacy_syntax", False, "`var` declarations", acc.var_lines)
    if acc.loose_eq_lines:
        add("structure", "legacy_syntax", False, "loose equality (`==`/`!=`)", acc.loose_eq_lines)
    if acc.indent_checked >= 5 and acc.indent_ok / acc.indent_checked < 0.8:
        add("structure", "indentation", False, "nested code is not indented")
    # readability (part of structure)
    meaningless_share = len(acc.meaningless) / acc.declared if acc.declared else 0.0
    # drawn towards none by SHARE_PRIOR names, so that one short name of two does not weigh as half of all
    m["meaningless_names"] = -len(acc.meaningless) / (acc.declared + SHARE_PRIOR)
    comment_density = min(1.0, acc.comment_lines / max(1, acc.code_lines) / COMMENT_TARGET)
    # drawn towards neutral by COMMENT_PRIOR_LINES code lines, as shares are by SHARE_PRIOR
    expected = COMMENT_TARGET * (acc.code_lines + COMMENT_PRIOR_LINES)
    m["comments"] = min(1.0, (acc.comment_lines + 0.5 * COMMENT_TARGET * COMMENT_PRIOR_LINES) / expected)
    m["documented_exports"] = _share(acc.documented_fns, acc.exported_fns) if acc.exported_fns else 0.5
    if len(acc.meaningless) >= 2 and meaningless_share > 0.15:
        names = ", ".join(f"`{n}`" for n, _ in acc.meaningless[:4])
        add(
            "structure",
            "meaningless_names",
            False,
            f"names that say nothing: {names}",
            [ln for _, ln in acc.meaningless],
        )
    elif acc.declared >= 5 and not acc.meaningless:
        add("structure", "meaningless_names", True, f"all {acc.declared} declared names are descriptive")
    if acc.exported_fns >= 2 and acc.documented_fns == acc.exported_fns:
        add("structure", "documented_exports", True, f"every exported function ({acc.exported_fns}) has a doc comment")
    elif acc.comment_lines >= 3 and comment_density >= 0.5:
        add("structure", "comments", True, f"{acc.comment_lines} comment lines explain the code")
    # utilityUsage: duplication and reuse
    dup, dup_starts = duplicated_lines(acc.tokens)
    dup_share = len(dup) / max(20, acc.code_lines)
    m["duplication"] = -min(1.0, dup_share)
    m["composables"] = min(1.0, acc.composable_calls / 4)
    if dup_starts:
        add(
            "utilityUsage",
            "duplication",
            False,
            f"{len(dup)} lines repeat code written elsewhere in the file",
            dup_starts,
        )
    if acc.composable_calls >= 2:
        add("utilityUsage", "composables", True, f"builds on {acc.composable_calls} composable calls")
    # typeUsage
    ts = parsed.is_ts
    m["typescript"] = 1.0 if ts else 0.0
    m["typed_params"] = _share(acc.params_typed, acc.params_total) if ts else 0.0
    m["typed_returns"] = _share(acc.returns_typed, acc.returns_total) if ts else 0.0
    # a use of `Object` is the built-in's unless the file declares its own (`type Object = {...}`)
    acc.loose_type_lines += [line for name, line in acc.loose_type_uses if name not in acc.declared_types]
    m["any"] = -_log1p(len(acc.any_lines) + len(acc.double_cast_lines) + len(acc.loose_type_lines))
    m["non_null"] = -_log1p(len(acc.non_null_lines))
    m["type_assertions"] = -_log1p(len(acc.assertion_lines))
    m["untyped_state"] = -_log1p(len(acc.untyped_state_lines))
    m["ts_ignore"] = -float(len(acc.ts_ignore_lines))
    # in JavaScript a runtime validator is all the typing there is; in TypeScript `type: Object` says little
    loose = len(acc.loose_prop_lines) if ts else 0
    precise = 1.0 - loose / acc.runtime_props if acc.runtime_props else 1.0
    shares = [(precise if acc.props == "typed" else 0.0)] if acc.props else []
    shares += [1.0 if acc.emits == "typed" else 0.0] if acc.emits else []
    m["typed_props"] = sum(shares) / len(shares) if shares else 0.5
    if acc.props == "typed" and not loose:
        how = "runtime validators" if acc.runtime_props or not ts else "`defineProps<...>()`"
        add("typeUsage", "typed_props", True, f"props typed with {how}", [acc.props_line])
    elif acc.props == "untyped":
        add("typeUsage", "typed_props", False, "props declared as a list of names, without types", [acc.props_line])
    if acc.emits == "untyped":
        add("typeUsage", "typed_props", False, "emits declared without payload types", [acc.emits_line])
    if loose:
        add(
            "typeUsage",
            "typed_props",
            False,
            f"{loose} prop(s) typed only as `Object`/`Array`/`Function` (no `as PropType<...>`, or `PropType<any>`)",
            acc.loose_prop_lines,
        )
    if not ts and acc.code_lines >= 5:
        add("typeUsage", "typescript", False, "plain JavaScript: nothing is typed")
    elif ts and acc.params_total >= 3 and acc.params_typed == acc.params_total:
        add("typeUsage", "typed_params", True, f"all {acc.params_total} function parameters are typed")
    elif ts and acc.params_total >= 3 and acc.params_typed / acc.params_total < 0.5:
        add(
            "typeUsage",
            "typed_params",
            False,
            f"{acc.params_total - acc.params_typed} of {acc.params_total} parameters untyped",
        )
    if acc.any_lines:
        add("typeUsage", "any", False, f"`any` used {len(acc.any_lines)} time(s)", acc.any_lines)
    if acc.double_cast_lines:
        n = len(acc.double_cast_lines)
        add("typeUsage", "any", False, f"type checks switched off with `as unknown as` ({n})", acc.double_cast_lines)
    if acc.loose_type_lines:
        n = len(acc.loose_type_lines)
        add(
            "typeUsage",
            "any",
            False,
            f"`Function`, `Object`, `{{}}` or a boxed `String`/`Number`/`Boolean` as a type ({n}):"
            " it accepts almost anything",
            acc.loose_type_lines,
        )
    if not (acc.any_lines or acc.double_cast_lines or acc.loose_type_lines) and ts and acc.code_lines >= 10:
        add("typeUsage", "any", True, "no `any`")
    if acc.untyped_state_lines:
        add(
            "typeUsage",
            "untyped_state",
            False,
            f"{len(acc.untyped_state_lines)} empty `ref`/`useState`/collection(s) without a type argument",
            acc.untyped_state_lines,
        )
    if len(acc.assertion_lines) >= 3:
        add(
            "typeUsage",
            "type_assertions",
            False,
            f"{len(acc.assertion_lines)} type assertions (`as T`) the compiler cannot check"
            " (a type guard or a typed source lets it)",
            acc.assertion_lines,
        )
    if len(acc.non_null_lines) >= 2:
        add("typeUsage", "non_null", False, f"{len(acc.non_null_lines)} non-null assertions (`!`)", acc.non_null_lines)
    if acc.ts_ignore_lines:
        add("typeUsage", "ts_ignore", False, "type errors silenced with `@ts-ignore`", acc.ts_ignore_lines)
    if acc.unchecked_input_lines:
        add(
            "typeUsage",
            "unchecked_input",
            False,
            "the client's input used unchecked (`readBody`/`getQuery` without a schema or `readValidatedBody`)",
            acc.unchecked_input_lines,
        )
    elif acc.checked_input_lines:
        add("typeUsage", "unchecked_input", True, "the client's input is checked before use", acc.checked_input_lines)
    # errorHandling
    error_read = {n for n in acc.error_names if n in acc.template_identifiers or _used_after(n, acc)}
    unhandled = list(acc.unhandled_lines)
    if acc.surfaced_lines:
        # the file raises or shows errors itself (`if (!data.value) throw createError(...)`): its data calls count
        acc.handled_lines.extend(acc.unchecked_data_lines)
    else:
        unhandled.extend(acc.unchecked_data_lines)
    for name, line in acc.error_names.items():
        if name not in error_read:
            unhandled.append(line)  # `error` destructured but never read
    total_async = max(acc.awaits_total, len(unhandled))
    m["unhandled_async"] = -(len(unhandled) / total_async) if total_async else 0.0
    m["empty_catch"] = -float(len(acc.empty_catch_lines))
    m["log_only_catch"] = -float(len(acc.log_catch_lines))
    m["error_leak"] = -_log1p(len(acc.error_leak_lines))
    m["status_lost"] = -_log1p(len(acc.swallowed_status_lines) + len(acc.lambda_response_lines))
    # Nuxt: an error thrown in a browser event handler is not fatal, so no error page shows it (nor anything else)
    acc.surfaced_lines = [ln for ln in acc.surfaced_lines if acc.thrown_in.get(ln, "") not in acc.event_handlers]
    surfaced = bool(acc.surfaced_lines or error_read or (acc.template_identifiers & {"error", "err", "errorMessage"}))
    m["error_surfaced"] = 1.0 if surfaced else 0.0
    if unhandled:
        dropped = f" ({len(acc.swallowed_lines)} caught only to be logged or dropped)" if acc.swallowed_lines else ""
        add(
            "errorHandling",
            "unhandled_async",
            False,
            f"{len(unhandled)} awaited call(s) with no error path{dropped}",
            unhandled,
        )
    elif acc.awaits_total >= 1:
        add("errorHandling", "unhandled_async", True, "every awaited call has an error path", acc.handled_lines)
    if acc.empty_catch_lines:
        add("errorHandling", "empty_catch", False, "empty catch block swallows errors", acc.empty_catch_lines)
    if acc.log_catch_lines:
        add(
            "errorHandling",
            "log_only_catch",
            False,
            "catch block only logs the error (console or a logger)",
            acc.log_catch_lines,
        )
    if acc.error_leak_lines:
        add(
            "errorHandling",
            "error_leak",
            False,
            "a server error's own message is sent to the client (`err.message` in `createError` or a response body)",
            acc.error_leak_lines,
        )
    if acc.swallowed_status_lines:
        add(
            "errorHandling",
            "status_lost",
            False,
            "a 4xx thrown inside a `try` whose `catch` sends every error as a 500: the client never gets the 4xx",
            acc.swallowed_status_lines,
        )
    if acc.lambda_response_lines:
        add(
            "errorHandling",
            "status_lost",
            False,
            "returns `{ statusCode, body }`: h3 sends that object with status 200 (throw `createError` instead)",
            acc.lambda_response_lines,
        )
    if surfaced and (acc.fallible or acc.error_names):
        where = sorted(set(acc.surfaced_lines) | set(acc.error_names.values()))
        add("errorHandling", "error_surfaced", True, "errors reach the user or Nuxt's error page", where)
    # apiConnection
    requests = len(acc.nuxt_request_lines) + len(acc.raw_request_lines)
    m["raw_requests"] = -(len(acc.raw_request_lines) / requests) if requests else 0.0
    for name, line in acc.request_url_names:  # `const URI = `https://host/...`` then `useFetch(URI)`
        counted = name in acc.url_consts_counted or line in acc.hardcoded_url_lines
        if any(h in acc.string_consts.get(name, "") for h in _HOSTS) and not counted:
            acc.hardcoded_url_lines.append(line)
    m["hardcoded_urls"] = -_log1p(len(acc.hardcoded_url_lines) + len(acc.glued_url_lines))
    m["secrets"] = -float(len(acc.secret_lines))
    m["route_client"] = -_log1p(len(acc.route_client_lines))
    m["raw_write"] = -_log1p(len(acc.raw_write_lines))
    m["setup_fetch"] = -_log1p(len(acc.setup_fetch_lines))
    m["mounted_fetch"] = -_log1p(len(acc.mounted_fetch_lines))
    m["late_fetch"] = -_log1p(len(acc.late_fetch_lines))
    m["unchecked_input"] = -_log1p(len(acc.unchecked_input_lines))
    m["typed_requests"] = _share(len(acc.typed_request_lines), requests) if requests else 0.5
    if acc.nuxt_request_lines and not acc.raw_request_lines:
        add("apiConnection", "raw_requests", True, "data through useFetch/useAsyncData/$fetch", acc.nuxt_request_lines)
    if acc.raw_request_lines:
        add(
            "apiConnection",
            "raw_requests",
            False,
            "raw fetch/axios calls instead of useFetch/$fetch",
            acc.raw_request_lines,
        )
    if acc.setup_fetch_lines:
        add(
            "apiConnection",
            "setup_fetch",
            False,
            "data awaited in `<script setup>` outside `useAsyncData`/`useFetch` (fetched twice: server and browser)",
            acc.setup_fetch_lines,
        )
    if acc.mounted_fetch_lines:
        add(
            "apiConnection",
            "mounted_fetch",
            False,
            "data loaded in `onMounted`: the server render has none (`useAsyncData`/`useFetch` load it once)",
            acc.mounted_fetch_lines,
        )
    if acc.late_fetch_lines:
        add(
            "apiConnection",
            "late_fetch",
            False,
            "`useFetch`/`useAsyncData` called in an event handler or watcher, after setup (Nuxt warns; use `$fetch`)",
            acc.late_fetch_lines,
        )
    if acc.hardcoded_url_lines:
        add("apiConnection", "hardcoded_urls", False, "hard-coded host in a request URL", acc.hardcoded_url_lines)
    if acc.glued_url_lines:
        add("apiConnection", "hardcoded_urls", False, "URL glued together by hand", acc.glued_url_lines)
    if acc.secret_lines:
        add("apiConnection", "secrets", False, "secret or key written into the source", acc.secret_lines)
    if acc.raw_write_lines:
        add(
            "typeUsage",
            "raw_write",
            False,
            "the client's body written to the database as it came (mass assignment: validate it, pick the fields)",
            acc.raw_write_lines,
        )
    if acc.route_client_lines:
        add(
            "apiConnection",
            "route_client",
            False,
            "a database client created in a route's file: each route opens its own pool (share one from server/utils)",
            acc.route_client_lines,
        )
    if requests >= 2 and len(acc.typed_request_lines) == requests:
        add("apiConnection", "typed_requests", True, "every request states its response type", acc.typed_request_lines)
    # stateManagement
    m["props_mutated"] = -float(len(acc.props_mutated_lines))
    m["watch_sync"] = -float(len(acc.watch_sync_lines))
    m["module_state"] = -_log1p(len(acc.module_state_lines))
    m["computed"] = _share(len(acc.computed_lines), len(acc.computed_lines) + len(acc.watch_sync_lines))
    m["dom_access"] = -_log1p(len(acc.dom_lines))
    if acc.dom_lines:
        add(
            "stateManagement",
            "dom_access",
            False,
            "the DOM queried by hand instead of refs and reactive state",
            acc.dom_lines,
        )
    if acc.props_mutated_lines:
        add("stateManagement", "props_mutated", False, "props assigned to directly", acc.props_mutated_lines)
    if acc.watch_sync_lines:
        add(
            "stateManagement",
            "watch_sync",
            False,
            "`watch` copies state that `computed` could derive",
            acc.watch_sync_lines,
        )
    if acc.module_state_lines:
        add(
            "stateManagement",
            "module_state",
            False,
            "mutable state at module level, shared by every request",
            acc.module_state_lines,
        )
    if acc.computed_lines and not acc.watch_sync_lines:
        add(
            "stateManagement",
            "computed",
            True,
            f"derived state through {len(acc.computed_lines)} `computed`",
            acc.computed_lines,
        )
    # performance
    m["vfor_key"] = -float(len(acc.vfor_nokey_lines) + len(acc.vfor_vif_lines))
    m["deep_watch"] = -float(len(acc.deep_watch_lines))
    m["sequential_awaits"] = -float(len(acc.sequential_await_lines))
    if acc.vfor_nokey_lines:
        add("performance", "vfor_key", False, "`v-for` without `:key`", acc.vfor_nokey_lines)
    if acc.vfor_vif_lines:
        add("performance", "vfor_key", False, "`v-if` on the same element as `v-for`", acc.vfor_vif_lines)
    if acc.deep_watch_lines:
        add("performance", "deep_watch", False, "deep watcher", acc.deep_watch_lines)
    if acc.sequential_await_lines:
        add(
            "performance",
            "sequential_awaits",
            False,
            "independent requests awaited one after another",
            acc.sequential_await_lines,
        )
    if parsed.template is not None and not acc.vfor_nokey_lines and _has_vfor(parsed):
        add("performance", "vfor_key", True, "every `v-for` is keyed")
    # designSystem
    m["inline_styles"] = -_log1p(len(acc.inline_style_lines) + len(acc.raw_color_lines))
    m["a11y"] = -float(len(acc.click_lines) + len(acc.img_alt_lines))
    m["components"] = _share(acc.components, acc.elements) if acc.elements else 0.5
    if acc.inline_style_lines:
        add("designSystem", "inline_styles", False, "inline `style` attributes", acc.inline_style_lines)
    if acc.raw_color_lines:
        add("designSystem", "inline_styles", False, "raw colour values in the template", acc.raw_color_lines)
    if acc.click_lines:
        add("designSystem", "a11y", False, "click handler on a non-interactive element", acc.click_lines)
    if acc.img_alt_lines:
        add("designSystem", "a11y", False, "image without `alt`", acc.img_alt_lines)
    if acc.elements >= 5 and acc.components / acc.elements >= 0.4 and not acc.inline_style_lines:
        add("designSystem", "components", True, f"{acc.components} of {acc.elements} elements are the app's components")
    applies = _applies(parsed, acc, requests)
    patterns = _patterns(acc, parsed)
    logic = max(0, acc.code_lines)
    return FileFacts(
        path=parsed.path,
        kind=parsed.kind,
        parse="partial" if parsed.partial else "full",
        problems=parsed.problems,
        lines=parsed.lines,
        logic_lines=logic,
        template_lines=parsed.template_lines,
        data_lines=acc.data_lines,  # counted only on code lines, so never above them
        applies=applies,
        metrics={k: round(v, 4) for k, v in m.items()},
        findings=[f for f in findings if f.dimension in applies or f.dimension == "structure"],
        patterns=patterns,
    )


def _has_vfor(parsed: Parsed) -> bool:
    return (
        any(n.type == "attribute_name" and _t(n) == "v-for" for n in walk(parsed.template))
        if parsed.template is not None
        else False
    )


def _used_after(name: str, acc: _Acc) -> bool:
    """A destructured ``error`` read in the script as well as declared (``if (error.value)``)."""
    return sum(1 for t, _ in acc.tokens if t == name) > acc.error_declared[name]


def _log1p(x: float) -> float:
    import math

    return math.log1p(max(0.0, x))


def _applies(parsed: Parsed, acc: _Acc, requests: int) -> list[str]:
    """Which dimensions this file can be judged on, from what it contains."""
    out = ["structure", "utilityUsage"]
    if parsed.scripts:
        out.append("typeUsage")  # a template-only component has nothing to type
    if requests or acc.mounted_fetch_lines or acc.route_client_lines or acc.secret_lines:
        out.append("apiConnection")
    lost = acc.swallowed_status_lines or acc.lambda_response_lines
    if acc.fallible or acc.awaits_total or acc.empty_catch_lines or acc.log_catch_lines or acc.error_names or lost:
        out.append("errorHandling")
    if parsed.template is not None:
        out.append("designSystem")
    state = acc.computed_lines or acc.watch_sync_lines or acc.module_state_lines or acc.props or acc.dom_lines
    if (parsed.template is not None and parsed.scripts) or state:
        out.append("stateManagement")
    if parsed.template is not None or acc.awaits_total or acc.deep_watch_lines or acc.watch_sync_lines:
        out.append("performance")
    return out


def _patterns(acc: _Acc, parsed: Parsed) -> list[str]:
    """What a newcomer could learn from the file: the Nuxt/Vue idioms it uses well."""
    p: Counter[str] = Counter()
    if acc.props == "typed":
        p["typed props"] += 1
    if acc.emits == "typed":
        p["typed emits"] += 1
    if acc.nuxt_request_lines and not acc.raw_request_lines:
        p["data fetching"] += 1
    if acc.handled_lines or acc.surfaced_lines:
        p["error handling"] += 1
    if acc.computed_lines:
        p["computed state"] += 1
    if acc.composable_calls >= 2:
        p["composables"] += 1
    if acc.exported_fns and parsed.kind != "vue":
        p["exported API"] += 1
    if acc.typed_request_lines:
        p["typed requests"] += 1
    if parsed.template is not None and acc.components >= 3:
        p["component composition"] += 1
    return sorted(p)
