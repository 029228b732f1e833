"""Functions and their complexity: Sonar's cognitive complexity, nesting, length, arguments, bumps.

Cognitive complexity follows G. A. Campbell's white paper (Sonar rule S3776):

* +1 for each ``if``, ``else if``, ``else``, ternary, ``switch``, loop, ``catch``,
  labelled ``break``/``continue``, and each run of like logical operators
  (``a && b && c`` is +1, ``a && b || c`` is +2);
* plus the nesting level for ``if``, ternary, ``switch``, loops and ``catch``;
* nesting grows inside those structures and inside nested functions.

Each function is measured on its own body; a function nested in it is a function
of its own (its structures still add nesting for the outer one's later code only
through its own measure). Code outside any function is measured as ``<module>``.

A function's length is its own lines: the lines of the functions nested in it
(a composable's inner handlers, a ``computed``'s getter) and of multi-line data
literals (an array of menu items, a column table) are not its length; each is
measured where it belongs, or is data rather than logic.

"Bumpy road" (CodeScene) counts the separate chunks of nested logic in one
function: top-level statements of its body that hold conditionals nested two deep.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .parse import Script

FUNCTION_TYPES = frozenset(
    {
        "function_declaration",
        "function_expression",
        "function",
        "arrow_function",
        "method_definition",
        "generator_function_declaration",
        "generator_function",
    }
)
_NESTING = frozenset(
    {
        "if_statement",
        "ternary_expression",
        "switch_statement",
        "for_statement",
        "for_in_statement",
        "while_statement",
        "do_statement",
        "catch_clause",
    }
)
_LOGICAL = frozenset({"&&", "||", "??"})
_DATA = frozenset({"object", "array"})
_NOT_DATA = FUNCTION_TYPES | {"call_expression", "new_expression", "await_expression", "class", "class_declaration"}


def is_data_literal(node: Any) -> bool:
    """An object or array literal holding only values (no function, call or class anywhere in it)."""
    if node.type not in _DATA:
        return False
    stack = list(node.named_children)
    while stack:
        n = stack.pop()
        if n.type in _NOT_DATA:
            return False
        stack.extend(n.named_children)
    return True


def own_lines(fn: Any) -> int:
    """Lines of ``fn`` less those of the functions and multi-line data literals inside it."""
    start, end = fn.start_point[0], fn.end_point[0]
    inner: set[int] = set()
    body = fn.child_by_field_name("body")
    stack = list(body.named_children) if body is not None else []
    while stack:
        n = stack.pop()
        s, e = n.start_point[0], n.end_point[0]
        if e > s and (n.type in FUNCTION_TYPES or is_data_literal(n)):
            inner.update(range(s + 1, e + 1))  # its first line stays: the line that names or assigns it
            continue
        stack.extend(n.named_children)
    return end - start + 1 - len(inner)


@dataclass(frozen=True)
class FunctionFacts:
    name: str
    line: int
    length: int  # its own lines: nested functions and data literals left out
    params: int
    cognitive: int
    nesting: int  # deepest nesting of control structures
    bumps: int
    complex_conditions: int  # conditions with 3 or more operands joined by && / || / ??
    is_callback: bool  # passed straight to a call (its types come from the call)


def function_name(script: Script, fn: Any) -> str:
    name = fn.child_by_field_name("name")
    if name is not None:
        return script.text(name)
    parent = fn.parent
    if parent is not None and parent.type in ("variable_declarator", "pair", "assignment_expression"):
        key = (
            parent.child_by_field_name("name")
            or parent.child_by_field_name("key")
            or parent.child_by_field_name("left")
        )
        if key is not None:
            return script.text(key)
    if parent is not None and parent.type == "arguments" and parent.parent is not None:
        callee = parent.parent.child_by_field_name("function")
        if callee is not None:
            return f"<callback of {script.text(callee)[:30]}>"
    return "<anonymous>"


def _operators(node: Any) -> list[str]:
    """The logical operators of a boolean expression in source order (through parentheses)."""
    if node.type == "parenthesized_expression":
        inner = [c for c in node.named_children]
        return _operators(inner[0]) if len(inner) == 1 else []
    if node.type == "binary_expression":
        op = node.child_by_field_name("operator")
        op_text = (op.text or b"").decode() if op is not None else ""
        if op_text in _LOGICAL:
            left = node.child_by_field_name("left")
            right = node.child_by_field_name("right")
            return (_operators(left) if left else []) + [op_text] + (_operators(right) if right else [])
    return []


def complex_conditions(root: Any) -> int:
    """Boolean expressions under ``root`` that chain three or more operands (two or more operators)."""
    stack, n = [root], 0
    while stack:
        node = stack.pop()
        n += _is_logical_root(node) and len(_operators(node)) >= 2
        stack.extend(node.children)
    return n


def _is_logical_root(node: Any) -> bool:
    if node.type != "binary_expression":
        return False
    op = node.child_by_field_name("operator")
    if op is None or (op.text or b"").decode() not in _LOGICAL:
        return False
    parent = node.parent
    while parent is not None and parent.type == "parenthesized_expression":
        parent = parent.parent
    if parent is not None and parent.type == "binary_expression":
        pop = parent.child_by_field_name("operator")
        if pop is not None and (pop.text or b"").decode() in _LOGICAL:
            return False
    return True


class _Measure:
    def __init__(self) -> None:
        self.cognitive = 0
        self.max_nesting = 0
        self.complex_conditions = 0

    def visit(self, node: Any, nesting: int, *, else_if: bool = False) -> None:
        t = node.type
        if t in FUNCTION_TYPES:
            return  # measured as a function of its own
        if _is_logical_root(node):
            ops = _operators(node)
            runs = sum(1 for i, op in enumerate(ops) if i == 0 or op != ops[i - 1])
            self.cognitive += runs
            if len(ops) >= 2:
                self.complex_conditions += 1
        if t in ("break_statement", "continue_statement") and node.child_by_field_name("label") is not None:
            self.cognitive += 1
        if t in _NESTING:
            self.cognitive += 1 if else_if else 1 + nesting
            depth = nesting + 1
            self.max_nesting = max(self.max_nesting, depth)
            if t == "if_statement":
                cond = node.child_by_field_name("condition")
                cons = node.child_by_field_name("consequence")
                alt = node.child_by_field_name("alternative")
                if cond is not None:
                    self.visit(cond, nesting)
                if cons is not None:
                    self.visit(cons, depth)
                if alt is not None:
                    inner = [c for c in alt.named_children if c.type != "comment"]
                    if len(inner) == 1 and inner[0].type == "if_statement":
                        self.visit(inner[0], nesting, else_if=True)
                    else:
                        self.cognitive += 1  # else
                        for c in alt.named_children:
                            self.visit(c, depth)
                return
            for c in node.named_children:
                self.visit(c, depth)
            return
        for c in node.named_children:
            self.visit(c, nesting)


def _bumps(body: Any) -> int:
    """Top-level statements of a body that hold logic nested at least two deep."""
    if body is None or body.type != "statement_block":
        return 0
    n = 0
    for stmt in body.named_children:
        m = _Measure()
        m.visit(stmt, 0)
        if m.max_nesting >= 2:
            n += 1
    return n


def _params(fn: Any) -> int:
    params = fn.child_by_field_name("parameters")
    if params is None:
        single = fn.child_by_field_name("parameter")
        return 1 if single is not None else 0
    return sum(1 for p in params.named_children if p.type != "comment" and (p.text or b"") != b"this")


def functions(script: Script) -> list[FunctionFacts]:
    """Every function of a script with its measures, and ``<module>`` for code outside functions."""
    from .parse import walk

    out = []
    for node in walk(script.root):
        if node.type not in FUNCTION_TYPES:
            continue
        body = node.child_by_field_name("body")
        m = _Measure()
        if body is not None:
            for c in body.named_children if body.type == "statement_block" else [body]:
                m.visit(c, 0)
        parent = node.parent
        out.append(
            FunctionFacts(
                name=function_name(script, node),
                line=script.line(node),
                length=own_lines(node),
                params=_params(node),
                cognitive=m.cognitive,
                nesting=m.max_nesting,
                bumps=_bumps(body),
                complex_conditions=m.complex_conditions,
                is_callback=parent is not None and parent.type == "arguments",
            )
        )
    top = _Measure()
    for c in script.root.named_children:
        top.visit(c, 0)
    if top.cognitive:
        out.append(
            FunctionFacts(
                name="<module>",
                line=script.line_offset + 1,
                length=int(script.root.end_point[0]) + 1,
                params=0,
                cognitive=top.cognitive,
                nesting=top.max_nesting,
                bumps=0,
                complex_conditions=top.complex_conditions,
                is_callback=False,
            )
        )
    return out
