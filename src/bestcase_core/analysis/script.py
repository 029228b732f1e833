"""The walk of a script block: per node, the facts of its calls, declarations, functions and types."""

from __future__ import annotations

import bisect
import re
from typing import Any

from .collect import _Acc
from .complexity import FUNCTION_TYPES, functions
from .duplication import DATA_TABLE_ROWS, _is_data_table
from .fetching import (
    _await_facts,
    _error_helpers,
    _error_keys,
    _late_fetch,
    _loads_data,
    _options_base_url,
    _request_args_urls,
    _sequential_awaits,
)
from .nodes import (
    _callee_name,
    _catch_statements,
    _contains_await,
    _explained,
    _first_arg,
    _first_fn,
    _function_name,
    _in_function_boundary,
    _is_commented_code,
    _is_log_call,
    _members,
    _on_error_path,
    _only_logs,
    _op,
    _pairs,
    _returned,
    _root_name,
    _t,
)
from .parse import Script, walk
from .server import (
    _DB_CLIENTS,
    _credential,
    _error_text,
    _fallback_secret,
    _input_checked,
    _lambda_response,
    _leaks_error,
    _raw_writes,
    _swallowed_status,
    _wrapped_in_check,
)
from .vocab import (
    _AXIOS_METHODS,
    _ERROR_NAME,
    _H3_RAW_INPUT,
    _H3_VALIDATED,
    _LOOSE_TYPES,
    _MEANINGLESS,
    _MOUNT_HOOKS,
    _OK_SHORT,
    _SECRET_NAME,
    _SECRET_VALUE,
    _URL_NAME,
    DATA_COMPOSABLES,
    NUXT_REQUESTS,
    RAW_REQUESTS,
    TODO_MARKER,
)


def _script_facts(script: Script, acc: _Acc, module_file: bool) -> None:
    acc.functions += functions(script)
    ts = script.lang in ("ts", "tsx")
    src_lines = script.source.decode("utf-8", "replace").splitlines()
    comment_rows: set[int] = set()
    unexplained: set[int] = set()  # commented-out code and to-do markers: not an explanation
    data_end = -1  # end byte of the data literal being walked (see duplicated_lines)
    data_rows: set[int] = set()
    acc.error_helpers |= _error_helpers(script)
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
            if "@ts-nocheck" in text and ts:
                acc.ts_nocheck_line = acc.ts_nocheck_line or line
            elif "@ts-ignore" in text or "@ts-expect-error" in text:
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
            acc.loose_types.append((_t(node), line))
        elif t == "object_type" and _empty_type(node):
            acc.loose_types.append(("{}", line))
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
            elif (
                acc.handler
                and _t(node.child_by_field_name("constructor") or node) in _DB_CLIENTS
                and not _created_once(node)
            ):
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
            if target is not None and target.type in ("member_expression", "subscript_expression"):
                acc.state_writes.append((_root_name(target), line))
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
        server_writes = _written_on_the_server(script)
        for stmt in script.root.named_children:
            if stmt.type == "lexical_declaration" and _t(stmt).startswith("let "):
                if any(_t(d.child_by_field_name("name")) in server_writes for d in _declarators(stmt)):
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


#: Conditions under which code runs only in the browser.
_CLIENT_ONLY = ("import.meta.client", "process.client", "import.meta.browser", "process.browser", "typeof window")


def _written_on_the_server(script: Script) -> set[str]:
    """The variables the script reassigns outside a browser-only branch (``if (import.meta.client)``,
    ``typeof window``, ``onMounted``). A module's ``let`` among them is, on the server, one value shared by
    every request; one never reassigned holds no state, and one written only in the browser is never shared."""
    names = set()
    for n in walk(script.root):
        if n.type not in ("assignment_expression", "augmented_assignment_expression", "update_expression"):
            continue
        target = n.child_by_field_name("left") or n.child_by_field_name("argument")
        if target is None or target.type != "identifier":
            continue
        up = n.parent
        while up is not None:
            if up.type == "if_statement" and any(c in _t(up.child_by_field_name("condition")) for c in _CLIENT_ONLY):
                break
            if up.type == "call_expression" and _callee_name(up) in ("onMounted", "onBeforeMount"):
                break
            up = up.parent
        else:
            names.add(_t(target))
    return names


def _declarators(decl: Any) -> list[Any]:
    return [d for d in decl.named_children if d.type == "variable_declarator" and d.child_by_field_name("name")]


_DOM_QUERIES = frozenset(
    {"getElementById", "querySelector", "querySelectorAll", "getElementsByClassName", "getElementsByTagName"}
)


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
        _name_fact(_t(bare), script.line(bare), acc, script, bare)
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
                _name_fact(_t(name), script.line(name), acc, script, name)
    name = fn.child_by_field_name("name")
    if name is not None:
        _name_fact(_t(name), script.line(name), acc)
    if not callback:  # an inline callback's return type comes from the call
        acc.returns_total += 1
        if fn.child_by_field_name("return_type") is not None:
            acc.returns_typed += 1


def _name_fact(name: str, line: int, acc: _Acc, script: Script | None = None, node: Any = None) -> None:
    acc.declared += 1
    if name in _OK_SHORT or not _MEANINGLESS.match(name):
        return
    if script is not None and node is not None and not any(c.isdigit() for c in name) and _read_near(script, node, acc):
        return  # `v => !!v || 'required'`, `(val) => val > 0`: read with its meaning in view (`v0`, `q1` never are)
    acc.meaningless.append((name, line))


#: A short name (a letter, `val`, `tmp`...) read only within this many lines of where it is declared is not a
#: naming problem; one with a digit (`v0`, `data2`) always is.
NEAR_LINES = 8


def _read_near(script: Script, node: Any, acc: _Acc) -> bool:
    """Every use of the name ``node`` declares, in the function (or module) declaring it, lies within
    :data:`NEAR_LINES` lines of the declaration."""
    scope = node.parent
    while scope is not None and scope.type not in (*FUNCTION_TYPES, "program"):
        scope = scope.parent
    if scope is None:
        return False
    uses = acc.identifier_rows.get(script.root.id)
    if uses is None:  # one walk per script, for every short name in it
        uses = acc.identifier_rows[script.root.id] = {}
        for n in walk(script.root):
            if n.type in ("identifier", "shorthand_property_identifier"):
                uses.setdefault(_t(n), []).append(n.start_point[0])
    rows = uses.get(_t(node), [])  # in walk order, so sorted
    last = rows[bisect.bisect_right(rows, scope.end_point[0]) - 1] if rows else 0
    return last - node.start_point[0] <= NEAR_LINES


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
    annotated = ("variable_declarator", "public_field_definition")  # `const a: Ref<T[]> = ...`, a class field's
    return not (parent is not None and parent.type in annotated and parent.child_by_field_name("type"))


#: A value that points somewhere rather than hides something: a path or URL (`LOGIN_BY_PASSWORD_PATH = '/v1/login'`).
_NAMING_VALUE = re.compile(r"^(/|\.{1,2}/|[a-z][a-z0-9+.-]*://)")


def _exported(node: Any) -> bool:
    """The declaration is exported (``export const API_URL = ...``)."""
    up = node.parent
    while up is not None and up.type in ("variable_declarator", "lexical_declaration", "variable_declaration"):
        up = up.parent
    return up is not None and up.type == "export_statement"


def _could_be_secret(text: str) -> bool:
    """A string a secret-named constant holds that could be the secret itself."""
    return len(text) >= 8 and " " not in text and "${" not in text and not _NAMING_VALUE.match(text)


def _created_once(new: Any) -> bool:
    """``if (!prisma) prisma = new PrismaClient()`` or ``prisma ??= new PrismaClient()``: one client, made lazily."""
    assign = new.parent
    if assign is None or assign.type not in ("assignment_expression", "augmented_assignment_expression"):
        return False
    target = assign.child_by_field_name("left")
    if target is None:
        return False
    if assign.type == "augmented_assignment_expression":
        return any(c.type in ("??=", "||=") for c in assign.children)
    guard = assign.parent
    while guard is not None and guard.type not in ("if_statement", *FUNCTION_TYPES, "program"):
        guard = guard.parent
    cond = guard.child_by_field_name("condition") if guard is not None and guard.type == "if_statement" else None
    return cond is not None and _t(cond).replace(" ", "").strip("()") == "!" + _t(target)


#: Methods that change the array, map or set they are called on.
_MUTATORS = frozenset({"push", "pop", "shift", "unshift", "splice", "sort", "reverse", "fill", "set", "delete", "add"})


#: Calls that make state a component or composable owns.
_STATE_MAKERS = frozenset({"ref", "shallowRef", "reactive", "shallowReactive", "useState"})


def _declarator_facts(script: Script, node: Any, acc: _Acc) -> None:
    name = node.child_by_field_name("name")
    value = node.child_by_field_name("value")
    if name is not None and name.type == "identifier":
        _name_fact(_t(name), script.line(name), acc, script, name)
        if value is not None and value.type == "call_expression" and _callee_name(value) in _STATE_MAKERS:
            acc.state_decls.add(_t(name))
        if value is not None and value.type in ("string", "template_string"):
            text = _t(value).strip("'\"`")
            acc.string_consts[_t(name)] = text
            acc.template_names[_t(name)] = {_t(n) for n in walk(value) if n.type == "identifier"}  # `${API_URL}/x`
            if _SECRET_NAME.search(_t(name)) and _could_be_secret(text):
                acc.secret_lines.append(script.line(node))
            if _URL_NAME.search(_t(name)) and ("http://" in text or "https://" in text or "localhost" in text):
                # counted where declared if exported (a config for other files) or, in the summary, if requested
                acc.url_consts[_t(name)] = (script.line(node), _exported(node))
    if name is not None and name.type == "object_pattern" and value is not None:
        awaited = value.type == "await_expression"
        call = value.named_children[0] if awaited and value.named_children else value
        if call.type == "call_expression" and (awaited or _callee_name(call) in NUXT_REQUESTS):
            for val, where in _error_keys(name):
                acc.error_names.setdefault(val, script.line(where))
                acc.error_declared[val] += 1


def _string_facts(script: Script, node: Any, acc: _Acc) -> None:
    text = _t(node)
    if _SECRET_VALUE.match(text.strip("'\"`")) or _credential(node):
        acc.secret_lines.append(script.line(node))


def _call_facts(script: Script, call: Any, acc: _Acc) -> None:
    name = _callee_name(call)
    line = script.line(call)
    fn = call.child_by_field_name("function")
    if fn is not None and fn.type == "member_expression" and _t(fn.child_by_field_name("property")) in _MUTATORS:
        acc.state_writes.append((_root_name(fn.child_by_field_name("object")), line))  # `list.value.push(x)`
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
    elif (name in RAW_REQUESTS and not (name == "fetch" and _binds_fetch(script, acc))) or (
        method in _AXIOS_METHODS
        and (base in ("axios", "$axios") or (base in ("api", "http") and _imports_axios(script, acc)))
    ):
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
    # what the new value may be made of: the callback's parameters and what is watched
    params = callback.child_by_field_name("parameters") or callback.child_by_field_name("parameter")  # `(a, b)`, `v`
    sources = {_t(n) for n in walk(params) if n.type == "identifier"} if params is not None else set()
    if _callee_name(call) == "watch" and items:
        sources |= {_t(n) for n in walk(items[0]) if n.type == "identifier"}
    roots = []
    for s in stmts:
        expr = s.named_children[0] if s.type == "expression_statement" and s.named_children else s
        if expr.type != "assignment_expression":
            return
        left, right = expr.child_by_field_name("left"), expr.child_by_field_name("right")
        if left is None or left.type != "member_expression" or right is None or _contains_await(expr):
            return
        used = {_t(n) for n in walk(right) if n.type == "identifier"} - {"undefined"}
        if not used or (_callee_name(call) == "watch" and not used & sources):
            return  # `page.value = 1` on a change: a reset, not a value derived from the source
        roots.append(_root_name(left))
    lines = (script.line(callback), int(callback.end_point[0]) + script.line_offset + 1)
    acc.watch_sync_in.append((script.line(call), roots, *lines))


def _binds_fetch(script: Script, acc: _Acc) -> bool:
    """The script names its own ``fetch`` (imported, destructured from a composable, declared, a parameter):
    a call of it is not the global ``fetch``."""
    key = script.root.id
    if key not in acc.local_fetch:
        acc.local_fetch[key] = any(_binding_name(n) == "fetch" for n in walk(script.root))
    return acc.local_fetch[key]


def _imports_axios(script: Script, acc: _Acc) -> bool:
    """The script imports axios: its ``api.get(...)``/``http.post(...)`` are an axios instance's (not an MSW
    handler's, nor the app's own wrapper of ``$fetch``)."""
    key = script.root.id
    if key not in acc.imports_axios:
        acc.imports_axios[key] = any(
            n.type == "import_statement" and _t(n.child_by_field_name("source")).strip("'\"") == "axios"
            for n in script.root.named_children
        )
    return acc.imports_axios[key]


def _binding_name(node: Any) -> str:
    """The name ``node`` binds, if it is an import, a declaration, a destructured name or a parameter."""
    t = node.type
    if t == "import_specifier":
        return _t(node.child_by_field_name("alias") or node.child_by_field_name("name"))
    if t == "shorthand_property_identifier_pattern":
        return _t(node)
    if t in ("function_declaration", "variable_declarator", "required_parameter", "optional_parameter"):
        name = node.child_by_field_name("name") or node.child_by_field_name("pattern")
        return _t(name) if name is not None and name.type == "identifier" else ""
    if t == "identifier" and node.parent is not None and node.parent.type == "formal_parameters":
        return _t(node)
    return ""


def _watch_syncs(acc: _Acc) -> None:
    """The watchers a ``computed`` could replace: each variable they write is local state (``ref()``,
    ``reactive()``) that nothing else writes (an assignment, ``push``/``splice``..., the template's own handlers)
    and no ``v-model`` binds: else it is edited, not derived."""
    for line, roots, first, last in acc.watch_sync_in:
        if all(
            root in acc.state_decls
            and root not in acc.vmodel_roots
            and root not in acc.template_writes
            and not any(r == root and not first <= at <= last for r, at in acc.state_writes)
            for root in roots
        ):
            acc.watch_sync_lines.append(line)


#: Calls that pass a failure on: to the caller, a parent component, the framework or a notice.
_PASSES_ON = frozenset(
    {"emit", "$emit", "reject", "next", "notify", "alert", "showError", "createError", "sendError", "showToast"}
)
_NOTICE_BASE = re.compile(r"^(toast|notif|snackbar|message|\$q|q|ElMessage|ElNotification)", re.I)
_NOTICE_NAME = re.compile(r"toast|notif|snackbar|alert", re.I)


def _reports_failure(catch: Any, body: Any) -> bool:
    """A catch block that passes the failure on: it throws or returns, sets state named for an error
    (``error.value = e``, ``this.errorMessage = ...``), tells someone (``emit('error')``, ``toast.add``,
    ``$q.notify``, ``useShowToast(...)``) or hands what it caught to a call that is not a log
    (``res.write(err.message)``). One that only resets state or falls back recovers without a word."""
    param = catch.child_by_field_name("parameter")
    caught = _t(param) if param is not None and param.type == "identifier" else ""
    for n in walk(body):
        if n.type in ("throw_statement", "return_statement"):
            return True
        if n.type == "assignment_expression":
            left = n.child_by_field_name("left")
            if left is not None and any(_ERROR_NAME.search(part) for part in _t(left).split(".")):
                return True
        if n.type == "call_expression":
            name = _callee_name(n)
            base, _, method = name.rpartition(".")
            if _is_log_call(name):
                continue
            if method in _PASSES_ON or name in _PASSES_ON or (base and _NOTICE_BASE.match(base)):
                return True
            if _NOTICE_NAME.search(name):
                return True
            args = n.child_by_field_name("arguments")
            if caught and args is not None and any(a.type == "identifier" and _t(a) == caught for a in walk(args)):
                return True
            if any(_ERROR_NAME.search(part) for part in name.split(".")):
                return True  # `setError(e)`, `handleError(e)`, `errorStore.set(e)`
    return False


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
        if not _on_error_path(node) and not _explained(node, script.lang):
            acc.log_catch_lines.append(script.line(node))
    else:
        acc.surfaced_lines.append(script.line(node))
        if not _reports_failure(node, body):
            acc.recovered_lines.append(script.line(node))
    if acc.server:
        _swallowed_status(script, node, acc)
    if acc.server:  # `return { error: err.message }` from a handler sends the failure's text as `createError` would
        for n in walk(body):
            if n.type == "return_statement" and _error_text(n):
                owner = _in_function_boundary(n, frozenset({"catch_clause"}))
                if owner is not None and owner.id == node.id:
                    acc.error_leak_lines.append(script.line(n))
