"""Facts of a .vue file's template and of what lies outside its blocks."""

from __future__ import annotations

import re
from typing import Any

from .collect import _Acc
from .complexity import complex_conditions
from .nodes import _root_name, _t
from .parse import Parsed, parse_bytes, walk
from .vocab import _COLOR, _HANDLER_NAME, _NON_INTERACTIVE


def _attrs(start_tag: Any) -> dict[str, tuple[str, Any]]:
    out: dict[str, tuple[str, Any]] = {}
    for a in start_tag.named_children:
        if a.type != "attribute":
            continue
        key = next((c for c in a.named_children if c.type == "attribute_name"), None)
        if key is None:
            continue
        val = next((c for c in a.named_children if c.type in ("quoted_attribute_value", "attribute_value")), None)
        if val is not None and val.type == "quoted_attribute_value":  # the text between the quotes, quotes inside kept
            val = next((c for c in val.named_children if c.type == "attribute_value"), None)
        out[_t(key)] = (_t(val) if val is not None else "", a)
    return out


_MUSTACHE_ID = re.compile(r"[A-Za-z_$][\w$]*")


_MARKUP_TAG = re.compile(r"</?[A-Za-z][\w:.-]*(?:\s[^<>]*)?/?>")


def _is_commented_markup(comment: str) -> bool:
    """``<!-- <div class="card">...</div> -->``: markup commented out, not a note on what the markup is for."""
    body = comment.strip().removeprefix("<!--").removesuffix("-->").strip()
    return body.startswith("<") and _MARKUP_TAG.match(body) is not None


def _template_facts(template: Any, acc: _Acc) -> None:
    for node in walk(template):
        if node.type == "comment":  # `<!-- Only logo -->`: what a section of the markup is for
            if _is_commented_markup(_t(node)):
                acc.commented_code_lines.append(int(node.start_point[0]) + 1)
            else:
                acc.comment_lines += int(node.end_point[0] - node.start_point[0]) + 1
            continue
        if node.type == "text":
            text = _t(node)
            if "{{" in text:
                acc.template_identifiers |= set(
                    _MUSTACHE_ID.findall(" ".join(re.findall(r"\{\{(.*?)\}\}", text, re.S)))
                )
            continue
        if node.type not in ("start_tag", "self_closing_tag"):
            continue
        tag_node = next((c for c in node.named_children if c.type == "tag_name"), None)
        if tag_node is None:
            continue
        tag = _t(tag_node)
        line = int(node.start_point[0]) + 1
        if tag == "template" and node.parent is not None and node.parent.id == template.id:
            continue
        acc.elements += 1
        if tag[:1].isupper() or "-" in tag:
            acc.components += 1
        attrs = _attrs(node)
        for key, (value, _) in attrs.items():
            if key.startswith((":", "@", "v-", "#")):
                acc.template_identifiers |= set(_MUSTACHE_ID.findall(value))
                if key.split(":")[0].split(".")[0] == "v-model" and (bound := _MUSTACHE_ID.match(value.strip())):
                    acc.vmodel_roots.add(bound.group(0))
                if key.startswith((":", "v-if", "v-else-if", "v-show")) and ("&&" in value or "||" in value):
                    expression = parse_bytes("js", f"({value})".encode()).root_node
                    acc.template_complex_conditions += complex_conditions(expression)
        if "v-for" in attrs:
            if not any(k in attrs for k in (":key", "v-bind:key", "key")):
                acc.vfor_nokey_lines.append(line)
            if "v-if" in attrs:
                acc.vfor_vif_lines.append(line)
        if "style" in attrs and attrs["style"][0].strip():
            acc.inline_style_lines.append(line)
        for key in ("style", "class", "color", "fill", "stroke"):
            if key in attrs and _COLOR.search(attrs[key][0]):
                acc.raw_color_lines.append(line)
                break
        # `@click.stop` with no handler only keeps the click from the parent: nothing to reach by keyboard
        clicks = any(k.split(".")[0] in ("@click", "v-on:click") and v.strip() for k, (v, _) in attrs.items())
        for key, (value, _) in attrs.items():
            if key.startswith(("@", "v-on:")) and (handler := _HANDLER_NAME.match(value)):
                acc.event_handlers.add(handler.group(1))
            if key.startswith(("@", "v-on:")) and "=" in value:  # `@click="tab = 'a'"`: the template writes `tab`
                acc.template_writes |= _written_names(value)
        if tag.lower() in _NON_INTERACTIVE and clicks and "role" not in attrs and ":role" not in attrs:
            acc.click_lines.append(line)
        is_img = tag.lower() in ("img", "nuxtimg", "nuxt-img", "nuxtpicture")
        if is_img and not any(k in attrs for k in ("alt", ":alt", "v-bind:alt")):
            acc.img_alt_lines.append(line)


def _written_names(handler: str) -> set[str]:
    """The variables an inline event handler assigns (``tab = 'a'``, ``open = !open``, ``count++``)."""
    tree = parse_bytes("js", handler.encode()).root_node
    names = set()
    for n in walk(tree):
        if n.type in ("assignment_expression", "augmented_assignment_expression", "update_expression"):
            target = n.child_by_field_name("left") or n.child_by_field_name("argument")
            names.add(_root_name(target) if target is not None else "")
    return names - {""}


def _outside_facts(parsed: Parsed, acc: _Acc) -> None:
    """A .vue file's markup commented out, and code left outside its blocks (which Vue ignores): dead code."""
    for node in parsed.outside:
        line = int(node.start_point[0]) + 1
        if node.type == "comment":
            if _is_commented_markup(_t(node)):
                acc.commented_code_lines.append(line)
        elif text := _t(node).strip():
            acc.stray_lines.append(line + _t(node)[: _t(node).index(text)].count("\n"))
