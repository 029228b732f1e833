"""``bestcase mcp`` (also ``bestcase-mcp``, ``python -m bestcase_core.mcp``): the MCP server for editors."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from ..settings import setting_help

HELP = """The MCP server for editors.

stdio is the default transport. Streamable HTTP listens on loopback unless
--host says otherwise; a non-loopback host needs --token or BESTCASE_MCP_TOKEN,
which every request must then send as ``Authorization: Bearer <token>``.
Only protocol goes to stdout; logs go to stderr.
"""


def add(sub: Any) -> None:
    p = sub.add_parser(
        "mcp",
        help="the MCP server for editors",
        description=HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(p)
    p.set_defaults(run=run)


def add_arguments(p: argparse.ArgumentParser) -> None:
    root_help = setting_help("projects_path", "workspace root (store in <root>/.bestcases)")
    p.add_argument("--root", type=Path, help=root_help)
    p.add_argument("--storage", type=Path, help=setting_help("storage_path"))
    p.add_argument("--model", help=setting_help("model", "model for score_code"))
    p.add_argument("--http", action="store_true", help="serve streamable HTTP instead of stdio")
    p.add_argument("--host", default="127.0.0.1", help="HTTP address (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8765, help="HTTP port (default 8765)")
    p.add_argument(
        "--token",
        default=os.environ.get("BESTCASE_MCP_TOKEN"),
        help="bearer token every HTTP request must send (default BESTCASE_MCP_TOKEN)",
    )


def run(ns: argparse.Namespace) -> int:
    from ..errors import BestcaseError
    from ..mcp.__main__ import _is_loopback, http_app
    from ..mcp.server import build_server
    from ..settings import load_settings

    try:
        settings = load_settings(model=ns.model, projects_path=ns.root, storage_path=ns.storage)
        server = build_server(settings)
    except BestcaseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not ns.http:
        server.run()
        return 0
    if not _is_loopback(ns.host) and not ns.token:
        print(
            f"error: --host {ns.host} is reachable from other machines; set --token or BESTCASE_MCP_TOKEN.",
            file=sys.stderr,
        )
        return 2
    import uvicorn

    print(
        f"bestcase MCP on http://{ns.host}:{ns.port}/mcp" + (" (bearer token required)" if ns.token else ""),
        file=sys.stderr,
    )
    uvicorn.run(http_app(server, ns.token, ns.host), host=ns.host, port=ns.port, log_level="warning")
    return 0
