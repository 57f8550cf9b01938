"""``python -m autopoietic mcp`` (docs/api.md, "The MCP server"): the real
client of the official ``mcp`` SDK starts the server over stdio."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest

from helpers import eventually, processes_named, ready_token

mcp = pytest.importorskip("mcp", reason="the [mcp] extra (Python >= 3.10) is not installed")
from mcp import Client  # noqa: E402
from mcp.client.stdio import StdioServerParameters  # noqa: E402


def _server(*options: str) -> StdioServerParameters:
    return StdioServerParameters(command=sys.executable, args=["-m", "autopoietic", "mcp", *options])


def test_tools_run_python_and_a_session(execution_mode):
    token = ready_token()

    async def main():
        async with Client(_server("--timeout-s", "10", "--mode", execution_mode)) as client:
            tools = {tool.name: tool for tool in (await client.list_tools()).tools}
            assert set(tools) == {"run_python", "session_create", "session_run", "session_close"}
            assert "code" in tools["run_python"].input_schema["required"]

            once = await client.call_tool("run_python", {"code": "import sys\nprint(sys.stdin.read()[::-1])",
                                                         "stdin": "olleh"})
            assert not once.is_error
            assert once.structured_content["stdout"] == "hello\n"
            assert once.structured_content["status"] == "ok"
            assert once.structured_content["isolation"] == "unshare-namespaces"

            failed = await client.call_tool("run_python", {"code": "raise SystemExit(4)"})
            assert failed.structured_content["exit_code"] == 4 and not failed.structured_content["success"]

            slow = await client.call_tool("run_python", {"code": "import time\ntime.sleep(30)", "timeout_s": 1})
            assert slow.structured_content["timed_out"] and slow.structured_content["status"] == "timeout"

            created = await client.call_tool("session_create", {})
            session_id = created.structured_content["session_id"]
            await client.call_tool("session_run", {"session_id": session_id, "code": "x = 41"})
            cell = await client.call_tool("session_run", {"session_id": session_id, "code": "print(x + 1)"})
            assert cell.structured_content["stdout"] == "42\n"
            assert cell.structured_content["cell"] == 2 and not cell.structured_content["session_ended"]

            closed = await client.call_tool("session_close", {"session_id": session_id})
            assert closed.structured_content == {"closed": True}
            gone = await client.call_tool("session_run", {"session_id": session_id, "code": "print(x)"})
            assert gone.is_error and "no open session" in gone.content[0].text

            # a session left open dies with the connection
            other = (await client.call_tool("session_create", {})).structured_content["session_id"]
            await client.call_tool("session_run", {"session_id": other,
                                                   "code": f"open('/proc/self/comm', 'w').write({token!r})"})
            assert processes_named(token)

    asyncio.run(main())
    assert eventually(lambda: not processes_named(token)), "a session outlived its client connection"


def test_bad_options_are_refused_before_serving():
    proc = subprocess.run([sys.executable, "-m", "autopoietic", "mcp", "--memory-mb", "-5"],
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert proc.returncode == 2
    assert "max_memory_mb" in proc.stderr
