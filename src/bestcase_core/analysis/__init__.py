"""Static analysis: facts a parser measures exactly, per rubric dimension, with their lines.

No model is involved: :func:`analyze` parses a file with tree-sitter grammars
and returns :class:`FileFacts`, the judge's static half.

The modules, in the order a file goes through them: ``parse`` (grammars, .vue blocks),
``script`` (the walk of each script block, calling ``fetching`` for requests and awaits and
``server`` for h3 routes), ``template``, ``duplication``, then ``summary`` (metrics and findings
per dimension); ``vocab`` holds what the facts look for, ``nodes`` the syntax-tree questions they
share, ``collect`` what a walk gathers, ``complexity`` the per-function measures. Names with a
leading underscore are shared inside this package only; its API is the three names below.
"""

from .facts import analyze
from .findings import FileFacts, Finding

__all__ = ["FileFacts", "Finding", "analyze"]
