"""Reading a source file safely, and cutting it to a token budget.

Bad input never crashes a scan: binary files, invalid UTF-8, empty and huge
files each raise :class:`InputFileError` naming the file and the reason.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .errors import InputFileError

_SNIFF = 8192
TRUNCATION_MARK = "\n/* ... cut by bestcase to fit the context ... */\n"


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def read_capped(path: Path, *, max_bytes: int, inside: Path | None = None, display: str | None = None) -> bytes:
    """The bytes of a regular file, at most ``max_bytes`` of them, read without following it anywhere unsafe.

    :class:`InputFileError` when ``path`` resolves outside ``inside`` (a symlink out of
    the project), is not a regular file (a FIFO, a device such as ``/dev/zero``, a
    socket), or holds more than ``max_bytes`` bytes. The size is counted while
    reading (at most ``max_bytes + 1`` bytes), never taken from ``st_size``: a
    device reports 0, and a file may grow between a stat and a read.
    """
    name = display or str(path)
    try:
        real = Path(os.path.realpath(path))
        if inside is not None:
            base = Path(os.path.realpath(inside))
            if real != base and base not in real.parents:
                raise InputFileError(name, "a symlink that leads outside its project; not read")
        # O_NONBLOCK: opening a FIFO must not wait for a writer; O_NOFOLLOW: the path checked is the path read
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    except InputFileError:
        raise
    except OSError as exc:
        raise InputFileError(name, f"cannot read it: {exc.strerror or exc}") from exc
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise InputFileError(name, f"{_kind(st.st_mode)}, not a regular file; not read")
        if st.st_size > max_bytes:
            raise InputFileError(name, _too_large(st.st_size, max_bytes))
        chunks: list[bytes] = []
        left = max_bytes + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except InputFileError:
        raise
    except OSError as exc:
        raise InputFileError(name, f"cannot read it: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > max_bytes:
        raise InputFileError(name, _too_large(None, max_bytes))
    return data


def _too_large(size: int | None, max_bytes: int) -> str:
    what = f"{size / 1e6:.1f} MB is" if size is not None else "it grew while being read and is"
    return f"{what} over the {max_bytes // 1024} KiB limit (BESTCASE_MAX_FILE_BYTES); skipped"


def read_source(path: Path, *, max_bytes: int, display: str | None = None) -> str:
    """The text of ``path``, or :class:`InputFileError` for binary, non-UTF-8, empty, too-large or special files."""
    name = display or str(path)
    return decode_source(read_capped(Path(path), max_bytes=max_bytes, display=name), name)


def decode_source(data: bytes, name: str) -> str:
    if b"\x00" in data[:_SNIFF]:
        raise InputFileError(name, "binary content (NUL bytes), not source code; skipped")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputFileError(name, f"not valid UTF-8 (bad byte at offset {exc.start}); skipped") from exc
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise InputFileError(name, "empty file, nothing to score")
    return text


# --- fitting a file into the context ---------------------------------------------------------

_SFC_BLOCK = re.compile(r"^<(script|template|style)\b[^>]*>.*?^</\1>[ \t]*$", re.S | re.M)


@dataclass(frozen=True)
class Fitted:
    text: str
    truncated: bool


def _cut_lines(text: str, keep_chars: int) -> str:
    """The longest whole-line prefix of ``text`` within ``keep_chars`` characters.

    Cutting at a line boundary of a ``str`` can never split a multi-byte character.
    """
    if keep_chars >= len(text):
        return text
    cut = text.rfind("\n", 0, max(0, keep_chars))
    return text[: cut + 1] if cut > 0 else text[: max(0, keep_chars)]


def vue_blocks_script_first(text: str) -> str:
    """A ``.vue`` file with its ``<script>`` blocks first, then ``<template>``, then ``<style>``."""
    blocks = {"script": [], "template": [], "style": []}  # type: dict[str, list[str]]
    for m in _SFC_BLOCK.finditer(text):
        blocks[m.group(1)].append(m.group(0))
    if not blocks["script"] and not blocks["template"]:
        return text
    return "\n\n".join(blocks["script"] + blocks["template"] + blocks["style"]) + "\n"


def fit_to_budget(text: str, path: str, budget: int, count_tokens: Callable[[str], int]) -> Fitted:
    """Cut ``text`` to at most ``budget`` tokens.

    The rule: a file that fits is left untouched. Otherwise a ``.vue`` file is
    reordered so the whole ``<script>`` comes before the template, and ``<style>``
    goes last (it says least about quality); then the text is cut at the last
    line boundary that fits and a marker comment is appended.
    """
    if count_tokens(text) <= budget:
        return Fitted(text, False)
    body = vue_blocks_script_first(text) if path.endswith(".vue") else text
    mark_tokens = count_tokens(TRUNCATION_MARK)
    room = max(1, budget - mark_tokens)
    # Shrink by the measured chars-per-token ratio until it fits (2-4 rounds in practice).
    keep = len(body)
    candidate = body
    for _ in range(12):
        n = count_tokens(candidate)
        if n <= room:
            break
        keep = max(0, min(keep - 1, int(keep * room / n * 0.98)))
        candidate = _cut_lines(body, keep)
    return Fitted(candidate.rstrip("\n") + TRUNCATION_MARK, True)
