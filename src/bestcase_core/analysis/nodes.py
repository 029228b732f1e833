"""Questions about syntax-tree nodes shared by the facts: names, calls, enclosing functions and try blocks."""

from __future__ import annotations

from typing import Any

from .complexity import FUNCTION_TYPES
from .parse import Script, parse_bytes, walk
from .vocab import _CONSOLE, CATCH_REASON, CATCH_TODO, LINT_DIRECTIVE


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


def _root_name(target: Any) -> str:
    """``form`` for ``form.value.name = ...`` or ``form[key] = ...``; "" when it is not a variable's."""
    while target is not None and target.type in ("member_expression", "subscript_expression"):
        target = target.child_by_field_name("object")
    return _t(target) if target is not None and target.type == "identifier" else ""


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


def _on_error_path(catch: Any) -> bool:
    """The catch sits inside another catch block: a failure met while handling one, which is logged so that it
    does not mask the first (``catch (e) { try { body = await res.text() } catch (readErr) { log(readErr) } ...}``)."""
    return catch.parent is not None and _in_function_boundary(catch.parent, frozenset({"catch_clause"})) is not None


def _explained(catch: Any, lang: str = "ts") -> bool:
    """The catch block's comments say why the failure stops there (``// non-critical: the calendar refreshes
    on its own``, ``// ignore: we are logging out anyway``; :data:`~.vocab.CATCH_REASON`), and none asks for the
    handling that is missing (``// TODO: show a toast``, ``// you could notify the user here``;
    :data:`~.vocab.CATCH_TODO`) or keeps code (``// toast.error(e)``). Lint directives say nothing either way."""
    body = catch.child_by_field_name("body")
    comments = [_t(s) for s in body.named_children if s.type == "comment"] if body is not None else []
    comments = [c for c in comments if not LINT_DIRECTIVE.match(c)]
    if any(CATCH_TODO.search(c) or _is_commented_code(c, lang) for c in comments):
        return False
    return any(CATCH_REASON.search(c) for c in comments)


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

    root = parse_bytes("ts" if lang != "js" else "js", body.encode()).root_node
    if root.has_error or not root.named_children:
        return False
    kinds = {"expression_statement", "lexical_declaration", "variable_declaration", "if_statement", "return_statement"}
    if all(c.type in ("import_statement", "export_statement") for c in root.named_children):
        return module_line
    return all(c.type in kinds for c in root.named_children) and any(
        n.type in ("call_expression", "assignment_expression", "variable_declarator") for n in walk(root)
    )


def _swallows(catch: Any) -> bool:
    """A catch clause that is empty or only calls ``console.*``: the error goes nowhere.

    One holding only a comment (``catch { /* best effort: the cache is optional */ }``) says the loss is meant,
    as does one that logs with a comment giving the reason (`_explained`); one on another failure's error path
    (`_on_error_path`) keeps that failure from being masked.
    """
    stmts = _catch_statements(catch)
    body = catch.child_by_field_name("body")
    if not stmts and body is not None and body.named_children:
        return False
    if _on_error_path(catch) or _explained(catch):
        return False
    return _only_logs(stmts)


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


def _op(node: Any) -> str:
    op = node.child_by_field_name("operator")
    return _t(op) if op is not None else ""


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


def _own_name(fn: Any) -> str:
    """A function's own name: ``function save()``, ``const save = () =>``, ``save() {}``, ``save: () =>``."""
    name = fn.child_by_field_name("name")
    if name is None and fn.parent is not None and fn.parent.type == "variable_declarator":
        name = fn.parent.child_by_field_name("name")
    if name is None and fn.parent is not None and fn.parent.type == "pair":
        name = fn.parent.child_by_field_name("key")
    return _t(name) if name is not None else ""


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


def _logged(node: Any) -> bool:
    """``node`` is an argument of a logging call (``console.error('...', e)``): written down, not acted on."""
    p = node.parent
    while p is not None and p.type not in ("call_expression", "statement_block"):
        p = p.parent
    if p is None or p.type != "call_expression":
        return False
    base, _, method = _callee_name(p).rpartition(".")
    return base in ("console", "logger", "log") and method in ("error", "warn", "log", "info", "debug")


def _local_function(script: Script, name: str) -> Any | None:
    """The function a name in this script is declared as (``function load()`` or ``const load = async () =>``)."""
    for n in walk(script.root):
        if n.type == "function_declaration" and _t(n.child_by_field_name("name") or n) == name:
            return n
        if n.type == "variable_declarator" and _t(n.child_by_field_name("name") or n) == name:
            value = n.child_by_field_name("value")
            return value if value is not None and value.type in FUNCTION_TYPES else None
    return None
