"""What the script and template walks collect for one file, before it is summarized."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .complexity import FunctionFacts
from .parse import Script


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
    loose_types: list[tuple[str, int]] = field(default_factory=list)  # `: Function`, `: Object`, `: {}`: name, line
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
    ts_nocheck_line: int = 0  # `// @ts-nocheck`: TypeScript checks nothing in the file
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
    #: the lines of the function each unchecked data call is in (first, last); none at the top of setup
    unchecked_data_spans: list[tuple[int, int] | None] = field(default_factory=list)
    server: bool = False  # a file under server/: h3 turns a thrown error into an HTTP error response
    handler: bool = False  # a route handler's file (server/api, server/routes, server/middleware)
    vue: bool = False  # a .vue file: its `export default {...}` is the component's options
    handled_lines: list[int] = field(default_factory=list)
    error_helpers: frozenset[str] = frozenset()  # what a composable named for failures gives (`_error_helpers`)
    empty_catch_lines: list[int] = field(default_factory=list)
    log_catch_lines: list[int] = field(default_factory=list)
    surfaced_lines: list[int] = field(default_factory=list)
    recovered_lines: list[int] = field(default_factory=list)  # catch blocks that deal with a failure but tell no one
    fallible: int = 0
    nuxt_request_lines: list[int] = field(default_factory=list)
    raw_request_lines: list[int] = field(default_factory=list)
    local_fetch: dict[int, bool] = field(default_factory=dict)  # per script: does it name its own `fetch`
    imports_axios: dict[int, bool] = field(default_factory=dict)  # per script: does it import axios
    typed_request_lines: list[int] = field(default_factory=list)
    hardcoded_url_lines: list[int] = field(default_factory=list)
    glued_url_lines: list[int] = field(default_factory=list)
    request_hosts: list[tuple[str, int]] = field(default_factory=list)  # a public host a request names, its line
    string_consts: dict[str, str] = field(default_factory=dict)  # name -> the string it is declared with
    template_names: dict[str, set[str]] = field(default_factory=dict)  # name -> names its template puts in
    url_consts_counted: set[str] = field(default_factory=set)  # URL-named constants already counted where declared
    url_consts: dict[str, tuple[int, bool]] = field(default_factory=dict)  # URL-named constant: line, exported
    request_arg_names: set[str] = field(default_factory=set)  # every name used in a request's arguments
    request_url_names: list[tuple[str, int]] = field(default_factory=list)  # a request's URL given by name
    secret_lines: list[int] = field(default_factory=list)
    props_mutated_lines: list[int] = field(default_factory=list)
    watch_sync_lines: list[int] = field(default_factory=list)
    # a watcher whose callback only copies what it watches into state: line, the variables it writes, its lines
    watch_sync_in: list[tuple[int, list[str], int, int]] = field(default_factory=list)
    state_writes: list[tuple[str, int]] = field(default_factory=list)  # `x.value = ...`: the variable, the line
    state_decls: set[str] = field(default_factory=set)  # variables declared as `ref()`, `reactive()`, `useState()`
    vmodel_roots: set[str] = field(default_factory=set)  # .vue: variables the template binds with `v-model`
    template_writes: set[str] = field(default_factory=set)  # .vue: variables an inline handler assigns
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
    identifier_rows: dict[int, dict[str, list[int]]] = field(default_factory=dict)  # per script: name -> rows
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
