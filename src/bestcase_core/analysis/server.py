"""Facts of server routes (h3): input checks, mass assignment, lost statuses, leaked errors, secrets."""

from __future__ import annotations

import re
from typing import Any

from .collect import _Acc
from .complexity import FUNCTION_TYPES
from .nodes import _callee_name, _first_arg, _in_function_boundary, _logged, _members, _op, _t
from .parse import Script, walk
from .vocab import _CHECK_CALL, _SECRET_NAME

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
    query = _callee_name(read) == "getQuery"  # a flag or a choice; a body's other fields stay unchecked
    if _wrapped_in_check(read) or (query and _compared_to_literal(read)):
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
        if query and n.type == "identifier" and _t(n) in names and _compared_to_literal(n):
            return True
    return False


_LITERALS = frozenset({"string", "number", "true", "false", "null"})


def _compared_to_literal(node: Any) -> bool:
    """``getQuery(event).draft === 'true'``, ``['en', 'fi'].includes(lang)``: the value is only ever one of
    the values the code names (an allow-list), whatever the client sent."""
    value = node
    while (
        value.parent is not None
        and value.parent.type in ("member_expression", "await_expression")
        and (value.parent.type == "await_expression" or value.parent.child_by_field_name("object") == value)
    ):
        value = value.parent
    up = value.parent
    if (
        up is not None
        and up.type == "binary_expression"
        and _t(up.child_by_field_name("operator"))
        in (
            "===",
            "!==",
            "==",
            "!=",
        )
    ):
        other = up.child_by_field_name("right" if up.child_by_field_name("left") == value else "left")
        return other is not None and other.type in _LITERALS
    call = up.parent if up is not None and up.type == "arguments" else None
    fn = call.child_by_field_name("function") if call is not None else None
    if fn is None or fn.type != "member_expression" or _t(fn.child_by_field_name("property")) != "includes":
        return False
    listed = fn.child_by_field_name("object")
    return listed is not None and listed.type == "array" and all(c.type in _LITERALS for c in listed.named_children)


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
        elif n.type == "new_expression" and _callee_name(read) != "getQuery":
            ctor = _t(n.child_by_field_name("constructor") or n)  # a query string builds a service, not a record
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
