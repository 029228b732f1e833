"""The MCP adapter: bestcase's store and scorer as MCP tools and resources for editors.

It uses only bestcase's public Python API. Start it with ``python -m bestcase_core.mcp``
or the ``bestcase-mcp`` console script.
"""

from __future__ import annotations

from .server import build_server

__all__ = ["build_server"]
