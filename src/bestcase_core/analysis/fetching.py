"""Facts of data fetching: awaited calls and their error paths, useFetch after setup, URLs, sequential awaits."""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Any

from .collect import _Acc
from .complexity import FUNCTION_TYPES
from .nodes import (
    _callee_name,
    _declared_names,
    _enclosing_try,
    _has_catch_chain,
    _identifiers,
    _in_function_boundary,
    _local_function,
    _own_name,
    _pairs,
    _recovers,
    _returned,
    _swallows,
    _t,
)
from .parse import Script, walk
from .vocab import (
    _AFTER_SETUP,
    _AXIOS_METHODS,
    _H3_READERS,
    _H3_VALIDATED,
    _HOSTS,
    _SAFE_AWAITS,
    NUXT_REQUESTS,
    RAW_REQUESTS,
    _fixed_hosts,
    _machine_host,
)

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


def _request_args_urls(script: Script, call: Any, acc: _Acc) -> None:
    args = call.child_by_field_name("arguments")
    if args is None or not args.named_children:
        return
    first = args.named_children[0]
    text = _t(first)
    if first.type == "identifier":
        acc.request_url_names.append((text, script.line(first)))
    acc.request_arg_names.update(_t(n) for n in walk(args) if n.type == "identifier")
    literals = [s for s in walk(first) if s.type in ("string", "template_string")]
    if any(_machine_host(_t(s)) for s in literals):
        acc.hardcoded_url_lines.append(script.line(first))
    else:
        acc.request_hosts.extend((h, script.line(first)) for s in literals for h in _fixed_hosts(_t(s))[:1])
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
    if args is not None:
        acc.request_arg_names.update(_t(n) for n in walk(args) if n.type == "identifier")
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
    if _callee_name(call) in _foreign_imports(script):
        return  # `import { useFetch } from '@vueuse/core'`: not Nuxt's composable
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
        if _callee_name(fn.parent.parent).split(".")[-1] in _AFTER_SETUP:
            acc.late_fetch_lines.append(line)
    elif _option_of(fn) == "methods":
        acc.late_fetch_lines.append(line)
    elif name:
        acc.late_fetch_in.append((name, line, script))


def _late_fetches(acc: _Acc) -> None:
    """The named functions holding ``useFetch`` that run only after setup: the template runs them on an
    event (directly or one call down), or a watcher, a timer or ``onMounted`` does (``onMounted(load)``,
    ``watch(id, () => load())``), and setup itself never calls them (``await load()``, an ``immediate``
    watcher)."""
    later: dict[int, list[Any]] = {}
    for name, line, script in acc.late_fetch_in:
        if _called_in_setup(script, name):
            continue
        if id(script) not in later:
            later[id(script)] = _later_callbacks(script)
        callers = [_local_function(script, h) for h in acc.event_handlers if h != name] + later[id(script)]
        if name in acc.event_handlers or any(
            (n.type == "call_expression" and _callee_name(n) == name) or (n.type == "identifier" and _t(n) == name)
            for f in callers
            if f is not None
            for n in walk(f)
        ):
            acc.late_fetch_lines.append(line)


def _later_callbacks(script: Script) -> list[Any]:
    """What ``watch``, ``onMounted``, timers and ``.then`` are given to run later: their arguments past a
    watcher's source (a callback, or a function named by reference)."""
    out: list[Any] = []
    for n in walk(script.root):
        if n.type != "call_expression":
            continue
        name = _callee_name(n).split(".")[-1]
        if name not in _AFTER_SETUP or name == "watchEffect" or _immediate(n):
            continue  # `watchEffect` and an `immediate` watcher run their callback in setup first
        args = n.child_by_field_name("arguments")
        named = args.named_children if args is not None else []
        out.extend(named[1:] if name in ("watch", "addEventListener") else named[:1] if named else [])
    return out


def _immediate(call: Any) -> bool:
    """``watch(source, callback, { immediate: true })``."""
    args = call.child_by_field_name("arguments")
    named = args.named_children if args is not None else []
    options = named[2] if len(named) > 2 and named[2].type == "object" else None
    return options is not None and any(
        _t(p.child_by_field_name("key")) == "immediate" and _t(p.child_by_field_name("value")) == "true"
        for p in _pairs(options)
    )


def _called_in_setup(script: Script, name: str) -> bool:
    """Setup itself calls the local function ``name`` (``await load()`` at the top of ``<script setup>``),
    or an ``immediate`` watcher or ``watchEffect`` does on its first run."""
    for n in walk(script.root):
        if n.type != "call_expression" or _callee_name(n) != name:
            continue
        fn = _in_function_boundary(n, FUNCTION_TYPES)
        if fn is None:
            return True
        holder = fn.parent.parent if fn.parent is not None and fn.parent.type == "arguments" else None
        if holder is not None and (_callee_name(holder) == "watchEffect" or _immediate(holder)):
            return True
    return False


def _foreign_imports(script: Script) -> set[str]:
    """Names this script imports from a library that is not Nuxt (``useFetch`` from ``@vueuse/core``)."""
    out: set[str] = set()
    for n in script.root.named_children:
        if n.type != "import_statement":
            continue
        source = _t(n.child_by_field_name("source")).strip("'\"")
        if source.startswith(("#", "nuxt")):
            continue
        out.update(
            _t(s.child_by_field_name("alias") or s.child_by_field_name("name"))
            for s in walk(n)
            if s.type == "import_specifier"
        )
    return out


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
    if name.split(".")[-1] in _SAFE_AWAITS or _in_async_data_handler(node):
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
    if name.split(".")[0] in acc.error_helpers:
        acc.handled_lines.append(line)  # `await executeAsync(...)` from `useErrorHandler()`: the composable owns it
        return
    if _awaited_by_caller(node):
        # `await db.transaction(async (tx) => { await tx.insert(...) })`: the callback's rejection rejects the
        # awaited call, whose own await is counted (and judged) where it stands
        acc.handled_lines.append(line)
        return
    if not acc.vue and _returned(node):
        # `return await $fetch(...)` in a module's function: the rejection goes to the caller, as with
        # `return $fetch(...)`; in a .vue file the caller may be a template event, which drops it
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
        fn = _in_function_boundary(node, FUNCTION_TYPES)
        shift = line - node.start_point[0]  # a row of this script to a line of the file
        acc.unchecked_data_spans.append(None if fn is None else (fn.start_point[0] + shift, fn.end_point[0] + shift))
        return
    acc.unhandled_lines.append(line)


_ERROR_COMPOSABLE = re.compile(rb"=\s*(use\w*(?:Error|Safe)\w*)\s*\(")


def _error_helpers(script: Script) -> frozenset[str]:
    """The names a composable named for failures gives this script (``const { executeAsync } = useErrorHandler()``,
    ``const safe = useSafe()``): a call through one is that composable's to handle."""
    out: set[str] = set()
    if _ERROR_COMPOSABLE.search(script.source):
        for n in walk(script.root):
            value = n.child_by_field_name("value") if n.type == "variable_declarator" else None
            if value is None or value.type != "call_expression":
                continue
            if not _ERROR_COMPOSABLE.match(b"=" + _callee_name(value).encode() + b"("):
                continue
            pattern = n.child_by_field_name("name")
            if pattern is not None and pattern.type == "identifier":
                out.add(_t(pattern))
            elif pattern is not None:
                names = ("shorthand_property_identifier_pattern", "identifier")
                out.update(_t(c) for c in walk(pattern) if c.type in names)
    return frozenset(out)


#: Calls that run the function they are given without waiting on the promise it returns: its rejection is lost.
_DROPS_CALLBACK = frozenset({"forEach", "setTimeout", "setInterval", "addEventListener", "on", "once"}) | _AFTER_SETUP


def _awaited_by_caller(node: Any) -> bool:
    """The await is in a function given to a call that is itself awaited or returned, through any calls
    between (``await Promise.all(ids.map(async (id) => await load(id)))``). Not a ``new Promise(async ...)``
    executor, nor a function given to ``forEach``, a timer or a lifecycle hook: those drop its rejection."""
    fn = node.parent
    while fn is not None and fn.type not in FUNCTION_TYPES:
        fn = fn.parent
    holder = fn.parent if fn is not None else None
    found = False
    while holder is not None and holder.type == "arguments" and holder.parent is not None:
        call = holder.parent
        if call.type != "call_expression" or _callee_name(call).split(".")[-1] in _DROPS_CALLBACK:
            return False
        found = True
        holder = call.parent  # what holds the call given the function
    return found and holder is not None and holder.type in ("await_expression", "return_statement")


def _in_async_data_handler(node: Any) -> bool:
    """Inside the function given to ``useAsyncData``: Nuxt catches its rejection into the call's ``error``."""
    fn = node.parent
    while fn is not None and fn.type not in FUNCTION_TYPES:
        fn = fn.parent
    args = fn.parent if fn is not None else None
    call = args.parent if args is not None and args.type == "arguments" else None
    return call is not None and _callee_name(call) in ("useAsyncData", "useLazyAsyncData")


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
            if not _sends(n):
                return True
            continue
        if n.type == "await_expression" and n.named_children:
            inner = n.named_children[0]
            name = _callee_name(inner) if inner.type == "call_expression" else ""
            if name and name.split(".")[-1] not in _SAFE_AWAITS and name != "import" and not _sends(inner):
                return True
    return False


def _sends(call: Any) -> bool:
    """A request with ``method: 'POST'`` (PUT, PATCH, DELETE): it sends (a view count, a refresh), it loads nothing."""
    if _callee_name(call) not in NUXT_REQUESTS | RAW_REQUESTS:
        return False
    args = call.child_by_field_name("arguments")
    for obj in args.named_children if args is not None else []:
        for pair in _pairs(obj) if obj.type == "object" else []:
            value = pair.child_by_field_name("value")
            if _t(pair.child_by_field_name("key")).strip("'\"") == "method" and value is not None:
                return _t(value).strip("'\"`").upper() in ("POST", "PUT", "PATCH", "DELETE")
    return False


def _sequential_awaits(script: Script, block: Any, acc: _Acc) -> None:
    """Consecutive statements that each await, where the later one does not use what the earlier declared."""
    stmts = [s for s in block.named_children if s.type != "comment"]
    for a, b in pairwise(stmts):
        if not (_starts_with_await(a) and _starts_with_await(b)) or any(
            _loads_module(x) or _reads_event(x) or _waits(x) for x in (a, b)
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


def _waits(stmt: Any) -> bool:
    """``await new Promise(r => setTimeout(r, 500))``, ``await sleep(500)``, ``await nextTick()``: a pause on
    purpose, not a request that could run alongside another."""
    for n in walk(stmt):
        if n.type == "await_expression" and n.named_children:
            inner = n.named_children[0]
            if inner.type == "new_expression" and _t(inner.child_by_field_name("constructor")) == "Promise":
                return True
            if inner.type == "call_expression" and _callee_name(inner) in ("sleep", "delay", "wait", "nextTick"):
                return True
    return False


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
