"""Parsing a source file with real grammars (tree-sitter): a ``.vue`` file into blocks, scripts as TS or JS.

A Vue single-file component is split by the HTML grammar: its top-level
``<script>``, ``<template>`` and ``<style>`` elements. A script's text is then
parsed again with the TypeScript, TSX or JavaScript grammar (``lang`` decides),
and its line numbers are shifted to the file's. The template stays an HTML
tree: Vue's directives (``v-for``, ``:key``, ``@click``) are attributes to it.

Nothing here raises on bad input: what does not parse is marked, and what did
parse is still returned (``Parsed.partial``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

#: File extensions the analysis understands.
SCRIPT_LANGS = {"ts": "ts", "mts": "ts", "cts": "ts", "tsx": "tsx", "js": "js", "mjs": "js", "cjs": "js", "jsx": "js"}


@cache
def _language(name: str) -> Any:
    from tree_sitter import Language

    if name == "html":
        import tree_sitter_html

        return Language(tree_sitter_html.language())
    if name in ("ts", "tsx"):
        import tree_sitter_typescript

        return Language(
            tree_sitter_typescript.language_typescript() if name == "ts" else tree_sitter_typescript.language_tsx()
        )
    import tree_sitter_javascript

    return Language(tree_sitter_javascript.language())


def parse_bytes(lang: str, data: bytes) -> Any:
    """A tree-sitter tree of ``data`` in ``lang`` (``ts``, ``tsx``, ``js`` or ``html``)."""
    from tree_sitter import Parser

    return Parser(_language(lang)).parse(data)


@dataclass
class Script:
    """One script: its tree, its language and where its first line is in the file (0-based)."""

    root: Any
    lang: str  # ts, tsx or js
    line_offset: int
    setup: bool
    source: bytes

    def line(self, node: Any) -> int:
        """The 1-based line of ``node`` in the file."""
        return int(node.start_point[0]) + self.line_offset + 1

    def text(self, node: Any) -> str:
        return bytes(node.text or b"").decode("utf-8", "replace")


@dataclass
class Parsed:
    path: str
    kind: str  # vue, ts, tsx or js
    scripts: list[Script] = field(default_factory=list)
    template: Any = None  # the <template> element of a .vue file (HTML tree)
    template_source: bytes = b""
    outside: list[Any] = field(default_factory=list)  # a .vue file's comments and text outside its blocks
    partial: bool = False
    problems: list[str] = field(default_factory=list)
    lines: int = 0
    script_lines: int = 0
    template_lines: int = 0
    style_lines: int = 0

    @property
    def is_ts(self) -> bool:
        return any(s.lang in ("ts", "tsx") for s in self.scripts)


def walk(node: Any) -> Iterator[Any]:
    """Every node below ``node`` (itself included), depth first, in source order."""
    cursor = node.walk()
    visited = False
    while True:
        if not visited:
            yield cursor.node
            if cursor.goto_first_child():
                continue
        if cursor.goto_next_sibling():
            visited = False
            continue
        if not cursor.goto_parent() or cursor.node == node:
            return
        visited = True


def _errors(root: Any) -> int:
    if not root.has_error:
        return 0
    return sum(1 for n in walk(root) if n.is_error or n.is_missing)


def _attr(start_tag: Any, name: str) -> str | None:
    for a in start_tag.named_children:
        if a.type != "attribute":
            continue
        key = next((c for c in a.named_children if c.type == "attribute_name"), None)
        if key is None or (key.text or b"").decode() != name:
            continue
        val = next((c for c in a.named_children if c.type in ("quoted_attribute_value", "attribute_value")), None)
        if val is None:
            return ""
        return (val.text or b"").decode().strip("\"'")
    return None


def _line_count(data: bytes) -> int:
    return data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)


def parse_source(text: str, path: str) -> Parsed:
    """Parse a file's text by its extension; never raises on bad input."""
    data = text.encode("utf-8")
    ext = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    if ext == "vue":
        return _parse_vue(data, path)
    lang = SCRIPT_LANGS.get(ext, "ts")
    out = Parsed(path=path, kind=lang, lines=_line_count(data), script_lines=_line_count(data))
    tree = parse_bytes(lang, data)
    out.scripts.append(Script(tree.root_node, lang, 0, False, data))
    n = _errors(tree.root_node)
    if n:
        out.partial = True
        out.problems.append(f"{n} syntax error(s) in the {lang} source")
    return out


def _parse_vue(data: bytes, path: str) -> Parsed:
    out = Parsed(path=path, kind="vue", lines=_line_count(data))
    tree = parse_bytes("html", data)
    root = tree.root_node
    found_block = False
    for el in root.named_children:
        if el.type in ("comment", "text"):
            out.outside.append(el)
        if el.type in ("script_element", "style_element", "element"):
            start = next((c for c in el.named_children if c.type in ("start_tag", "self_closing_tag")), None)
            if start is None:
                continue
            tag = next((c for c in start.named_children if c.type == "tag_name"), None)
            name = (tag.text or b"").decode().lower() if tag is not None else ""
            raw = next((c for c in el.named_children if c.type == "raw_text"), None)
            if el.type == "script_element" and raw is not None:
                found_block = True
                lang = SCRIPT_LANGS.get((_attr(start, "lang") or "js").lower(), "js")
                body = data[raw.start_byte : raw.end_byte]
                sub = parse_bytes(lang, body)
                out.scripts.append(
                    Script(sub.root_node, lang, int(raw.start_point[0]), _attr(start, "setup") is not None, body)
                )
                out.script_lines += _line_count(body)
                n = _errors(sub.root_node)
                if n:
                    out.partial = True
                    out.problems.append(f"{n} syntax error(s) in <script lang={lang}>")
            elif el.type == "style_element":
                found_block = True
                out.style_lines += int(el.end_point[0] - el.start_point[0]) + 1
            elif name == "template" and out.template is None:
                found_block = True
                out.template = el
                out.template_source = data
                out.template_lines += int(el.end_point[0] - el.start_point[0]) + 1
    if root.has_error and out.template is not None:
        # HTML's grammar is stricter than Vue's compiler (a bare `>` in text is an error to it):
        # the markup around an error is still read, so this does not make the parse partial
        n = _errors(out.template)
        if n:
            out.problems.append(f"{n} spot(s) of the template the HTML grammar could not read")
    if root.has_error and not out.scripts and out.template is None:
        out.partial = True
        out.problems.append("the single-file component's blocks did not parse")
    if not found_block:
        out.partial = True
        out.problems.append("no <script> or <template> block found")
    return out
