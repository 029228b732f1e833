"""From what the walks collected to metrics and findings per rubric dimension."""

from __future__ import annotations

from collections import Counter
from typing import Protocol

from .collect import _Acc
from .duplication import duplicated_lines
from .findings import FileFacts, Finding
from .nodes import _t
from .parse import Parsed, walk
from .vocab import _ERROR_NAME, COMMENT_PRIOR_LINES, COMMENT_TARGET, _fixed_hosts, _machine_host

#: Cognitive complexity a function may have before it counts against the file: S3776's default.
COMPLEXITY_FREE = 15
#: Cases of prior a share is drawn towards neutral by: 2 is Laplace's rule of succession.
SHARE_PRIOR = 2.0


def _share(part: int, whole: int, none: float = 0.5) -> float:
    """``part / whole`` drawn towards ``none`` (neutral) by a prior of SHARE_PRIOR cases, so that one
    typed parameter of one does not weigh as much as fifty of fifty; ``none`` when there is nothing."""
    return (part + none * SHARE_PRIOR) / (whole + SHARE_PRIOR)


class _Add(Protocol):
    """Records a finding (``add(dimension, key, good, text, lines)``)."""

    def __call__(self, dim: str, key: str, good: bool, text: str, lines: list[int] | None = None) -> None: ...


def _summarize(parsed: Parsed, acc: _Acc) -> FileFacts:
    findings: list[Finding] = []

    def add(dim: str, key: str, good: bool, text: str, lines: list[int] | None = None) -> None:
        findings.append(Finding(dimension=dim, key=key, good=good, text=text, lines=sorted(set(lines or []))))

    m: dict[str, float] = {}
    _structure_facts(parsed, acc, m, add)
    _utility_facts(parsed, acc, m, add)
    _type_facts(parsed, acc, m, add)
    _error_facts(parsed, acc, m, add)
    requests = _api_facts(parsed, acc, m, add)
    _state_facts(parsed, acc, m, add)
    _performance_facts(parsed, acc, m, add)
    _design_facts(parsed, acc, m, add)
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


def _structure_facts(parsed: Parsed, acc: _Acc, m: dict[str, float], add: _Add) -> None:
    """Structure: complexity, nesting, length, arguments, legacy syntax, names, comments."""
    fns = [f for f in acc.functions if f.name != "<module>"]
    allf = acc.functions
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
    if acc.server:  # on the server, `console.*` is the log Nitro keeps: operational logging, not debug output
        acc.console_lines = []
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


def _utility_facts(parsed: Parsed, acc: _Acc, m: dict[str, float], add: _Add) -> None:
    """UtilityUsage: duplication and reuse."""
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


def _type_facts(parsed: Parsed, acc: _Acc, m: dict[str, float], add: _Add) -> None:
    """TypeUsage: what is typed, and what switches the checks off."""
    ts = parsed.is_ts and not acc.ts_nocheck_line  # `@ts-nocheck`: written in TypeScript, checked as JavaScript
    m["typescript"] = 1.0 if ts else 0.0
    m["typed_params"] = _share(acc.params_typed, acc.params_total) if ts else 0.0
    m["typed_returns"] = _share(acc.returns_typed, acc.returns_total) if ts else 0.0
    # a use of `Object` is the built-in's unless the file declares its own (`type Object = {...}`)
    loose_types = [line for name, line in acc.loose_types if name not in acc.declared_types]
    m["any"] = -_log1p(len(acc.any_lines) + len(acc.double_cast_lines) + len(loose_types))
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
    if acc.ts_nocheck_line:
        add(
            "typeUsage",
            "typescript",
            False,
            "type checking switched off for the whole file (`@ts-nocheck`)",
            [acc.ts_nocheck_line],
        )
    elif not ts and acc.code_lines >= 5:
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
    if loose_types:
        n = len(loose_types)
        add(
            "typeUsage",
            "any",
            False,
            f"`Function`, `Object`, `{{}}` or a boxed `String`/`Number`/`Boolean` as a type ({n}):"
            " it accepts almost anything",
            loose_types,
        )
    if not (acc.any_lines or acc.double_cast_lines or loose_types) and ts and acc.code_lines >= 10:
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


def _error_facts(parsed: Parsed, acc: _Acc, m: dict[str, float], add: _Add) -> None:
    """ErrorHandling: error paths, what they do, and whether errors reach the user."""
    error_read = {n for n in acc.error_names if n in acc.template_identifiers or _used_after(n, acc)}
    unhandled = list(acc.unhandled_lines)
    for line, span in zip(acc.unchecked_data_lines, acc.unchecked_data_spans, strict=True):
        # the file raises or shows errors itself (`if (!data.value) throw createError(...)`): its data calls count;
        # one in a function (a store action, a handler) counts only if that function raises or shows them
        if any(span is None or span[0] <= s <= span[1] for s in acc.surfaced_lines):
            acc.handled_lines.append(line)
        else:
            unhandled.append(line)
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
    shown = any(_ERROR_NAME.search(n) for n in acc.template_identifiers)  # `{{ errorMessage }}`, `v-if="loginError"`
    surfaced = bool(acc.surfaced_lines or error_read or shown)
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
        told = shown or error_read or not set(where) <= set(acc.recovered_lines)
        # where every error path is a catch that resets or falls back, it is handled but nobody hears of it
        text = "errors reach the user, the caller or Nuxt's error page"
        text = text if told else "failures are caught and recovered from"
        add("errorHandling", "error_surfaced", True, text, where)


def _api_facts(parsed: Parsed, acc: _Acc, m: dict[str, float], add: _Add) -> int:
    """ApiConnection: how data is fetched; returns the number of requests."""
    requests = len(acc.nuxt_request_lines) + len(acc.raw_request_lines)
    m["raw_requests"] = -(len(acc.raw_request_lines) / requests) if requests else 0.0
    requested = set(acc.request_arg_names)  # and one step back: `const url = `${API_URL}/items``, `$fetch(url)`
    for name in acc.request_arg_names:
        requested.update(acc.template_names.get(name, ()))
    for name, (line, exported) in acc.url_consts.items():  # `const API_URL = 'https://...'`: a request's host
        if exported or name in requested:  # not a link or a canonical URL the page only shows
            acc.hardcoded_url_lines.append(line)
            acc.url_consts_counted.add(name)
    for name, line in acc.request_url_names:  # `const URI = `https://host/...`` then `useFetch(URI)`
        counted = name in acc.url_consts_counted or line in acc.hardcoded_url_lines
        if counted:
            continue
        value = acc.string_consts.get(name, "")
        if _machine_host(value):
            acc.hardcoded_url_lines.append(line)
        else:
            acc.request_hosts.extend((h, line) for h in _fixed_hosts(value)[:1])
    hosts = Counter(h for h, _ in acc.request_hosts)  # a public host requested more than once: the app's backend
    acc.hardcoded_url_lines.extend(line for h, line in acc.request_hosts if hosts[h] > 1)
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
    return requests


def _state_facts(parsed: Parsed, acc: _Acc, m: dict[str, float], add: _Add) -> None:
    """StateManagement: props, watchers, module state, computed."""
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


def _performance_facts(parsed: Parsed, acc: _Acc, m: dict[str, float], add: _Add) -> None:
    """Performance: keys, deep watchers, sequential awaits."""
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


def _design_facts(parsed: Parsed, acc: _Acc, m: dict[str, float], add: _Add) -> None:
    """DesignSystem: inline styles, accessibility, components."""
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
