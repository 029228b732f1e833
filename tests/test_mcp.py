"""The MCP adapter through real MCP client sessions: in-process, over stdio, and over HTTP."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import anyio
import httpx2
import pytest
from mcp import Client, StdioServerParameters

from bestcase_core.mcp import build_server
from bestcase_core.scan import run_scan
from conftest import REPO, TEST_MODEL, copy_example

TOOLS = {"list_bestcases", "load_bestcase", "save_bestcase", "search_bestcases", "score_code", "scan_status"}


@pytest.fixture()
def store(example_scan, tmp_path) -> Path:
    """A copy of the store a real scan of the example workspace wrote."""
    _, storage, _, _ = example_scan
    return Path(shutil.copytree(storage, tmp_path / "store"))


@pytest.fixture()
def server(store, settings_05b):
    return build_server(settings_05b, store)


def call(server, name: str, args: dict | None = None):
    async def go():
        async with Client(server) as client:
            return await client.call_tool(name, args or {})

    return anyio.run(go)


def test_tools_list_shows_every_tool_with_its_input_schema(server):
    async def go():
        async with Client(server) as client:
            return (await client.list_tools()).tools

    tools = {t.name: t for t in anyio.run(go)}
    assert set(tools) == TOOLS
    for t in tools.values():
        assert t.input_schema["type"] == "object" and t.description
    assert set(tools["save_bestcase"].input_schema["required"]) == {"projectName", "category", "description", "files"}
    assert tools["search_bestcases"].output_schema is not None


def test_list_returns_the_newest_record_per_project_without_contents(server):
    result = call(server, "list_bestcases")
    assert not result.is_error
    records = result.structured_content["records"]
    assert [r["projectName"] for r in records].count("00.common/shop-nuxt3") == 1
    assert all("content" not in json.dumps(r) for r in records)
    assert all(r["tier"] in "SABCD" for r in records)
    every = call(server, "list_bestcases", {"all_versions": True}).structured_content["records"]
    assert len(every) == 4  # two per project: the example scan lowered the threshold once


def test_load_by_id_and_by_project_gives_the_newest_with_exemplar_code(server):
    listed = call(server, "list_bestcases", {"project": "00.common/shop-nuxt3"}).structured_content["records"]
    newest = listed[0]["id"]
    by_name = call(server, "load_bestcase", {"projectName": "00.common/shop-nuxt3"}).structured_content
    assert by_name["id"] == newest and by_name["files"] and by_name["files"][0]["content"]
    assert call(server, "load_bestcase", {"id": newest}).structured_content == by_name
    assert call(server, "load_bestcase", {"projectName": "00.common-shop-nuxt3"}).structured_content["id"] == newest


def test_search_finds_exemplar_files_with_scores_reasons_and_code(server, store):
    record = json.loads(max(store.glob("00.common-shop-nuxt3-*.json")).read_text())
    exemplar = record["patterns"]["exemplars"][0]
    word = Path(exemplar["path"]).stem
    hits = call(server, "search_bestcases", {"query": word}).structured_content["results"]
    assert hits[0]["path"] == exemplar["path"] and hits[0]["projectName"] == "00.common/shop-nuxt3"
    assert hits[0]["reasons"]["summary"] and hits[0]["content"] and hits[0]["dimensions"]
    by_role = call(server, "search_bestcases", {"role": exemplar["role"]}).structured_content["results"]
    assert by_role and all(h["role"] == exemplar["role"] for h in by_role)
    assert call(server, "search_bestcases", {"query": "zzqqxx"}).structured_content["results"] == []


def test_save_writes_a_record_that_load_and_list_then_see(server, store):
    saved = call(
        server,
        "save_bestcase",
        {
            "projectName": "50.dktechin/frontend",
            "category": "composables",
            "description": "our fetch pattern",
            "files": [
                {
                    "path": "composables/useApi.ts",
                    "content": "export const useApi = () => {}\n",
                    "purpose": "typed $fetch wrapper",
                }
            ],
            "tags": ["api"],
        },
    )
    assert not saved.is_error
    rid = saved.structured_content["id"]
    assert rid.startswith("50.dktechin-frontend-composables-")
    assert Path(saved.structured_content["path"]).parent == store
    loaded = call(server, "load_bestcase", {"projectName": "50.dktechin/frontend", "category": "composables"})
    assert loaded.structured_content["files"][0]["purpose"] == "typed $fetch wrapper"
    tagged = call(server, "list_bestcases", {"tag": "api"}).structured_content
    assert tagged["records"] == [] and [r["id"] for r in tagged["saved"]] == [rid]  # listed apart from scans


def test_scan_status_reports_the_last_scan_model_and_store(server, store):
    status = call(server, "scan_status").structured_content
    assert status["model"] == TEST_MODEL and status["scan_running"] is False
    assert status["last_scan"]["status"] == "done" and status["last_scan"]["summary"]["projects"] == 2
    assert status["store"]["records"] == 4 and status["store"]["bytes"] > 0


def test_resources_expose_each_record_and_the_latest_per_project(server):
    async def go():
        async with Client(server) as client:
            listed = (await client.list_resources()).resources
            latest = await client.read_resource("bestcase://latest/00.common-shop-nuxt3")
            one = await client.read_resource(str(listed[0].uri))
            return listed, latest, one

    listed, latest, one = anyio.run(go)
    assert len([r for r in listed if str(r.uri).startswith("bestcase://")]) == 4
    assert json.loads(latest.contents[0].text)["projectName"] == "00.common/shop-nuxt3"
    assert json.loads(one.contents[0].text)["id"] == str(listed[0].uri).removeprefix("bestcase://")


def test_score_code_scores_with_the_real_model_and_reports_progress(server):
    progress = []

    async def go():
        async with Client(server) as client:

            async def on_progress(done, total, message):
                progress.append((done, total, message))

            return await client.call_tool(
                "score_code",
                {"content": "export const twice = (n: number): number => n * 2\n", "filename": "utils/twice.ts"},
                progress_callback=on_progress,
            )

    result = anyio.run(go)
    assert not result.is_error
    assert result.structured_content["role"] == "util" and 0 <= result.structured_content["overall"] <= 100
    assert progress and progress[-1][0] == progress[-1][1]


# --- hostile and broken input -----------------------------------------------------------------


@pytest.mark.parametrize("bad_id", ["../../etc/passwd", "/etc/passwd", "a\x00b", "x" * 5000, "..", "index"])
def test_hostile_ids_are_clear_errors_and_touch_nothing(server, store, tmp_path, bad_id):
    outside = tmp_path / "outside.json"
    outside.write_text("{}")
    before = sorted(p.name for p in store.iterdir())
    result = call(server, "load_bestcase", {"id": bad_id})
    assert result.is_error and result.content[0].text
    assert sorted(p.name for p in store.iterdir()) == before and outside.read_text() == "{}"


@pytest.mark.parametrize(
    "args",
    [
        {"files": [{"path": "a.ts", "content": "x" * 200_001}]},
        {"files": [{"path": f"f{i}.ts", "content": "x"} for i in range(51)]},
        {"files": []},
        {"files": [{"path": "../../escape.ts", "content": "x"}]},
        {"files": [{"path": "a.ts"}]},
        {"category": "../x"},
        {"projectName": "p\x00q"},
        {"files": "not a list"},
    ],
)
def test_bad_save_requests_are_clear_errors_and_write_nothing(server, store, args):
    base = {"projectName": "p", "category": "c", "description": "d", "files": [{"path": "a.ts", "content": "x"}]}
    before = sorted(p.name for p in store.iterdir())
    result = call(server, "save_bestcase", {**base, **args})
    assert result.is_error and result.content[0].text
    assert sorted(p.name for p in store.iterdir()) == before


def test_a_corrupt_record_is_reported_and_does_not_take_the_store_down(server, store):
    bad = store / "00.common-shop-nuxt3-1.json"
    bad.write_text('{"id": "00.common-shop-nuxt3-1", "projectName": ')
    listed = call(server, "list_bestcases").structured_content
    assert listed["unreadable"] == [bad.name] and listed["records"]
    result = call(server, "load_bestcase", {"id": bad.stem})
    assert result.is_error and "not a valid BestCase record" in result.content[0].text


def test_the_store_folder_disappearing_is_survived(server, store):
    shutil.rmtree(store)
    assert call(server, "list_bestcases").structured_content["records"] == []
    assert call(server, "load_bestcase", {"projectName": "admin-dashboard"}).is_error
    assert call(server, "scan_status").structured_content["store"]["exists"] is False
    assert not call(server, "search_bestcases", {"query": "x"}).is_error


def test_50_concurrent_calls_while_a_scan_writes_all_succeed(example_scan, settings_05b, tmp_path):
    root = copy_example(tmp_path / "ws")
    store = tmp_path / "store"
    settings = settings_05b.model_copy(update={"max_files": 2, "exemplar_threshold": 100.0})
    run_scan(root, settings.model_copy(update={"model_reads": "contenders"}), storage=store, progress=False)
    # the model reads every file of the forced rescan, so it is still writing while the calls run
    server = build_server(settings, store)
    scan = threading.Thread(
        target=run_scan, args=(root, settings), kwargs={"storage": store, "force": True, "progress": False}
    )
    failures: list[str] = []
    rounds = 0

    async def burst():
        async with Client(server) as client:

            async def one(i: int):
                name = ("list_bestcases", "load_bestcase", "search_bestcases")[i % 3]
                args = {"projectName": "admin-dashboard"} if name == "load_bestcase" else {}
                r = await client.call_tool(name, args)
                if r.is_error:
                    failures.append(r.content[0].text)

            async with anyio.create_task_group() as tg:
                for i in range(50):
                    tg.start_soon(one, i)

    scan.start()
    while scan.is_alive() or rounds == 0:
        anyio.run(burst)
        rounds += 1
    scan.join()
    assert failures == [] and rounds >= 1
    assert len(list(store.glob("*.json"))) == 4  # a second record per project, each whole


# --- transports ------------------------------------------------------------------------------


def test_stdio_subprocess_speaks_only_protocol_on_stdout(store):
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "bestcase_core.mcp", "--storage", str(store)],
        env={**os.environ, "LLM_MODEL": TEST_MODEL},
        cwd=str(REPO),
    )

    async def go():
        async with Client(params) as client:
            tools = (await client.list_tools()).tools
            listed = await client.call_tool("list_bestcases", {})
            return tools, listed

    tools, listed = anyio.run(go)
    assert {t.name for t in tools} == TOOLS and len(listed.structured_content["records"]) == 2

    init = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
    }
    proc = subprocess.run(
        [sys.executable, "-m", "bestcase_core.mcp", "--storage", str(store)],
        input=json.dumps(init) + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    lines = [x for x in proc.stdout.splitlines() if x.strip()]
    assert lines and all(json.loads(x)["jsonrpc"] == "2.0" for x in lines)


def test_console_script_is_installed():
    script = Path(sys.executable).parent / "bestcase-mcp"
    assert script.exists()
    out = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "--http" in out.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_http_refuses_requests_without_the_token_and_serves_with_it(store):
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bestcase_core.mcp",
            "--http",
            "--port",
            str(port),
            "--token",
            "s3cret",
            "--storage",
            str(store),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO,
    )
    try:
        url = f"http://127.0.0.1:{port}/mcp"
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
        assert httpx2.post(url, json=body).status_code == 401
        assert httpx2.post(url, json=body, headers={"Authorization": "Bearer wrong"}).status_code == 401

        from mcp.client.streamable_http import streamable_http_client

        async def go():
            http = httpx2.AsyncClient(headers={"Authorization": "Bearer s3cret"}, timeout=30)
            async with Client(streamable_http_client(url, http_client=http)) as client:
                return (await client.list_tools()).tools

        assert {t.name for t in anyio.run(go)} == TOOLS
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_http_on_a_public_host_without_a_token_is_refused(store):
    out = subprocess.run(
        [sys.executable, "-m", "bestcase_core.mcp", "--http", "--host", "0.0.0.0", "--storage", str(store)],
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if k != "BESTCASE_MCP_TOKEN"},
    )
    assert out.returncode == 2 and "--token" in out.stderr


def _free_port_on(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _get(url: str, headers: dict[str, str]) -> int:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}).encode()
    req = urllib.request.Request(
        url,
        data=body,
        headers={"Content-Type": "application/json", "Accept": "application/json, text/event-stream", **headers},
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_every_loopback_address_gets_host_and_origin_checks(tmp_path):
    """Before: only 127.0.0.1, localhost and ::1 got DNS-rebinding protection; 127.0.0.2 took any Host header."""
    from bestcase_core.mcp.__main__ import _is_loopback

    assert all(_is_loopback(h) for h in ("127.0.0.2", "127.1.2.3", "::1", "[::1]", "localhost", "LOCALHOST"))
    assert not any(_is_loopback(h) for h in ("0.0.0.0", "10.0.0.1", "example.com", "128.0.0.1"))
    host = "127.0.0.2"
    port = _free_port_on(host)
    (tmp_path / "store").mkdir()
    env = {k: v for k, v in os.environ.items() if k != "BESTCASE_MCP_TOKEN"}
    store_args = ["--storage", str(tmp_path / "store")]
    proc = subprocess.Popen(
        [sys.executable, "-m", "bestcase_core.mcp", "--http", "--host", host, "--port", str(port), *store_args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=REPO,
        env=env,
    )
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                socket.create_connection((host, port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        url = f"http://{host}:{port}/mcp"
        assert _get(url, {"Host": f"evil.example:{port}"}) == 421
        assert _get(url, {"Origin": "http://evil.example"}) == 403
        assert _get(url, {}) not in (421, 403)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
