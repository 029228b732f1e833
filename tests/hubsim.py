"""A tiny stand-in for the Hugging Face hub's file endpoints, on localhost.

``huggingface_hub.hf_hub_download(endpoint=...)`` talks to it exactly as to the
real hub: a HEAD for the metadata (commit, ETag, size), then a ranged GET.
It lets the hub download path run in tests on a machine without internet.
"""

from __future__ import annotations

import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

COMMIT = "0123456789abcdef0123456789abcdef01234567"


class HubSim:
    def __init__(self, files: dict[str, bytes]) -> None:
        """``files`` maps ``"<repo_id>/<filename>"`` to the bytes to serve."""
        self.files = files
        self.requests: list[tuple[str, str]] = []
        sim = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _lookup(self) -> bytes | None:
                # /<org>/<repo>/resolve/<revision>/<filename>
                parts = self.path.split("?")[0].strip("/").split("/")
                if len(parts) < 5 or parts[2] != "resolve":
                    return None
                return sim.files.get(f"{parts[0]}/{parts[1]}/{'/'.join(parts[4:])}")

            def _headers(self, body: bytes, status: int = 200, start: int = 0) -> None:
                self.send_response(status)
                self.send_header("X-Repo-Commit", COMMIT)
                etag = hashlib.sha256(body).hexdigest()
                self.send_header("ETag", f'"{etag}"')
                self.send_header("X-Linked-Etag", f'"{etag}"')
                self.send_header("X-Linked-Size", str(len(body)))
                self.send_header("Accept-Ranges", "bytes")
                self.send_header("Content-Length", str(len(body) - start))
                if status == 206:
                    self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
                self.end_headers()

            def do_HEAD(self) -> None:
                sim.requests.append(("HEAD", self.path))
                body = self._lookup()
                if body is None:
                    self.send_response(404)
                    self.send_header("X-Error-Code", "EntryNotFound")
                    self.end_headers()
                    return
                self._headers(body)

            def do_GET(self) -> None:
                sim.requests.append(("GET", self.path))
                body = self._lookup()
                if body is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                start = 0
                rng = self.headers.get("Range")
                if rng and rng.startswith("bytes="):
                    start = int(rng[6:].split("-")[0] or 0)
                self._headers(body, 206 if start else 200, start)
                self.wfile.write(body[start:])

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> HubSim:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def write_tiny_gguf(path: Path, arch: str = "qwen2") -> bytes:
    """A small but real GGUF file (metadata and one tensor), made with the gguf package."""
    import gguf
    import numpy as np

    w = gguf.GGUFWriter(str(path), arch)
    w.add_block_count(1)
    w.add_context_length(128)
    w.add_embedding_length(8)
    w.add_head_count(2)
    w.add_head_count_kv(1)
    w.add_tensor("token_embd.weight", np.ones((16, 8), dtype=np.float32))
    w.add_tensor("blk.0.attn_q.weight", np.ones((8, 8), dtype=np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path.read_bytes()
