"""``python -m bestcase_core.mcp`` / ``bestcase-mcp``: the MCP server for editors.

    bestcase-mcp [--root DIR | --storage DIR] [--model NAME]
                 [--http [--host 127.0.0.1] [--port 8765] [--token T]]

stdio is the default transport. Streamable HTTP listens on loopback unless
--host says otherwise; a non-loopback host needs --token or BESTCASE_MCP_TOKEN,
which every request must then send as ``Authorization: Bearer <token>``.
Only protocol goes to stdout; logs go to stderr.
"""

from __future__ import annotations

import argparse
import hmac
import ipaddress
import logging
import os
import sys
from pathlib import Path
from typing import Any


def _is_loopback(host: str) -> bool:
    """``localhost``, any of 127.0.0.0/8, ``::1`` (bracketed or not), or an IPv4-mapped 127.x address."""
    name = host.strip().strip("[]").rstrip(".").lower()
    if name == "localhost":
        return True
    try:
        ip = ipaddress.ip_address(name)
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return bool(ip.is_loopback or (mapped is not None and mapped.is_loopback))


def transport_security(host: str) -> Any:
    """Host/Origin checks (DNS-rebinding protection) for every loopback host, not only the SDK's three names.

    None for other hosts: those need a token instead.
    """
    if not _is_loopback(host):
        return None
    from mcp.server.transport_security import TransportSecuritySettings

    bare = host.strip().strip("[]")
    names = ["127.0.0.1", "localhost", "[::1]"]
    shown = f"[{bare}]" if ":" in bare else bare
    if shown not in names:
        names.append(shown)
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=[f"{n}:*" for n in names],
        allowed_origins=[f"http://{n}:*" for n in names],
    )


class BearerTokenMiddleware:
    """Refuse any HTTP request without ``Authorization: Bearer <token>`` (compared in constant time)."""

    def __init__(self, app: Any, token: str) -> None:
        self.app = app
        self.expected = f"Bearer {token}".encode()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            given = dict(scope.get("headers") or []).get(b"authorization", b"")
            if not hmac.compare_digest(given, self.expected):
                body = b'{"error": "unauthorized: send Authorization: Bearer <token>"}'
                await send(
                    {
                        "type": "http.response.start",
                        "status": 401,
                        "headers": [(b"content-type", b"application/json"), (b"www-authenticate", b"Bearer")],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


def http_app(server: Any, token: str | None, host: str) -> Any:
    app = server.streamable_http_app(host=host, transport_security=transport_security(host))
    return BearerTokenMiddleware(app, token) if token else app


def main(argv: list[str] | None = None) -> int:
    from ..errors import BestcaseError
    from ..settings import load_settings
    from .server import build_server

    ap = argparse.ArgumentParser(
        prog="bestcase-mcp", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--root", type=Path, help="workspace root (store in <root>/.bestcases); default PROJECTS_PATH")
    ap.add_argument("--storage", type=Path, help="store folder; default BESTCASE_STORAGE_PATH")
    ap.add_argument("--model", help="model for score_code (default LLM_MODEL, else qwen2.5-coder:1.5b)")
    ap.add_argument("--http", action="store_true", help="serve streamable HTTP instead of stdio")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument(
        "--token",
        default=os.environ.get("BESTCASE_MCP_TOKEN"),
        help="bearer token every HTTP request must send (default BESTCASE_MCP_TOKEN)",
    )
    ns = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
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


if __name__ == "__main__":
    sys.exit(main())
