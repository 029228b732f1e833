"""What the facts look for: the calls, names and patterns of Nuxt, Vue, h3 and the usual libraries."""

from __future__ import annotations

import re

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
#: Callbacks that run after setup, ``onMounted`` among them (where Nuxt warns "Component is already mounted").
_AFTER_SETUP = _LATER_CALLBACKS | {"onMounted"}
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
#: A host written into a URL literal: what follows the scheme, up to the path (`${...}` is a host made at run time).
_URL_HOST = re.compile(r"(https?)://([^/\s'\"`?#]*)")
_IPV4 = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")


def _fixed_hosts(text: str) -> list[str]:
    """The hosts written literally into the URLs in ``text`` (not `https://${domain}/`)."""
    return [host for _, host in _URL_HOST.findall(text) if host and "${" not in host]


def _machine_host(text: str) -> bool:
    """A URL in ``text`` names one machine of one environment: `localhost`, an IP address, an explicit port, or
    plain `http://` to a remote host. A fixed public API (`https://api.github.com/...`) is not: its address is
    the same in every environment, and Nuxt's own docs call such APIs inline (one the file requests more
    than once is counted where requests are summed: the app's data source, whose base belongs in config)."""
    if "localhost:" in text:
        return True
    for scheme, host in _URL_HOST.findall(text):
        if not host or "${" in host:
            continue
        name, _, port = host.rpartition("@")[2].partition(":")
        if name in ("localhost", "0.0.0.0") or _IPV4.match(name) or port or scheme == "http":
            return True
    return False


#: A template value named for a failure (`error`, `errorMessage`, `loginError`, `errMsg`): it shows one. Plurals
#: (`errors.email`) are usually a form's validation messages, not a failed request's.
_ERROR_NAME = re.compile(r"^(?:err|error)(?:[A-Z_\d]|$)|[a-z\d](?:Err|Error)(?:[A-Z_\d]|$)")
_URL_NAME = re.compile(r"(url|api|endpoint|base|host)", re.I)
#: Comment lines per code line that count as fully commented.
COMMENT_TARGET = 0.15
#: Code lines of neutral (half-commented) prior: in a 3-line file one comment is weak evidence.
COMMENT_PRIOR_LINES = 80
#: A comment in a catch block that gives a reason for stopping the failure there (English only: a comment in
#: another language gives none, and the block counts as it would without it).
CATCH_REASON = re.compile(
    r"\b(ignor\w*|non[- ]?(critical|fatal|blocking|essential)|not (critical|fatal|needed|required|important|block)"
    r"|best[- ]effort|silent(ly)?|fire[- ]and[- ]forget"
    r"|don'?t (fail|block|break|show|throw|crash|want|need|interrupt|let|stop|close)|do not|doesn'?t (matter|need)"
    r"|shouldn'?t|should not|should (still )?(continue|work|proceed)|no need|fall ?back|continue|proceed|skip\w*"
    r"|already|expected|intentional(ly)?|deliberate(ly)?|on purpose|keep|remains?|still|even if|usually|means"
    r"|safe(ly)?|harmless|cosmetic|is fine|anyway|otherwise|because|since|handled (in|by)|(is|are) done (in|by))\b",
    re.I,
)
#: A comment in a catch block that asks for the handling it lacks (``// TODO: toast``, ``// you could show an
#: error here``, ``// Handle upload error``): unfinished work, not a reason.
CATCH_TODO = re.compile(
    r"\b(todo|fixme|xxx|hack|could|might|consider|you can|you should|we should|maybe|perhaps|e\.g\.|optional:"
    r"|for now)\b|\badd\w*\b.*\bhere\b|^\s*(//+|/\*+)\s*(show|display|handle|notify|add|implement)\b",
    re.I,
)
LINT_DIRECTIVE = re.compile(r"^\s*(//|/\*)\s*(eslint|@ts-|prettier|istanbul|c8|biome|oxlint)", re.I)
#: A to-do marker (Sonar's S1135) records unfinished work; it does not explain the code.
TODO_MARKER = re.compile(r"^(//+|/\*+)\s*(TODO|FIXME|XXX|HACK)\b", re.I)
_COLOR = re.compile(r"#[0-9a-fA-F]{3,8}\b|\brgba?\(")
_MEANINGLESS = re.compile(
    r"^(?:[a-zA-Z]\d+|_\d+|[a-hl-wzA-Z]|tmp\d*|temp\d*|foo|bar|baz|data\d+|val\d*|obj\d*|arr\d*)$"
)
_OK_SHORT = frozenset({"i", "j", "k", "n", "x", "y", "e", "_", "t", "h", "el", "id", "fn", "cb", "ok", "to", "db"})
