"""``python -m bestcase_core.mcp`` / ``bestcase-mcp`` (= ``bestcase mcp``): the MCP server for editors.

The options are parsed in :mod:`bestcase_core.cli.mcp`; this module holds the HTTP transport's
guards: DNS-rebinding protection on loopback, a bearer token elsewhere.
"""

from __future__ import annotations

import hmac
import ipaddress
import sys
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
    """``bestcase-mcp [options]``, the same as ``bestcase mcp [options]``."""
    from ..cli import main as cli_main

    return cli_main(["mcp", *(sys.argv[1:] if argv is None else argv)], prog="bestcase-mcp")


if __name__ == "__main__":
    sys.exit(main())
