"""Static analysis: facts a parser measures exactly, per rubric dimension, with their lines.

No model is involved: :func:`analyze` parses a file with tree-sitter grammars
and returns :class:`FileFacts`, the judge's static half.
"""

from .facts import FileFacts, Finding, analyze

__all__ = ["FileFacts", "Finding", "analyze"]
