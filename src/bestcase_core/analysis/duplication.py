"""Duplicated code inside a file, and tables of values (data, not logic)."""

from __future__ import annotations

from typing import Any

from .complexity import is_data_literal

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
