"""``python -m autopoietic mcp``: a Model Context Protocol server over stdio.

Built on the official ``mcp`` SDK (the ``[mcp]`` extra: ``pip install
'.[mcp]'`` from a checkout; Python 3.10 or later),
whose ``MCPServer`` does the protocol; this module only maps its tools onto
``autopoietic.aio.AsyncSandbox`` (docs/api.md, "The MCP server"):

- ``run_python(code, stdin=None, timeout_s=None)``: one run of ``code`` as a
  script (``run_source``: the validator is off, the kernel isolation is on);
- ``session_create()``, ``session_run(session_id, code, stdin=None,
  timeout_s=None)``, ``session_close(session_id)``: a session per id.

Each tool returns a dict: ``stdout``, ``stderr``, ``status``, ``success``,
``exit_code``, ``limit_exceeded``, ``timed_out``, ``execution_time``,
``cpu_time_s``, ``isolation`` and ``error`` (for a cell, also ``cell`` and
``session_ended``).  The limits come from the command line, the same for
every call.  A stdio server has one client connection: its sessions are
its connection's, and all of them are killed when it ends (stdin closed,
SIGTERM).
"""

# no `from __future__ import annotations`: the SDK reads the tools'
# annotations (Context among them) as objects
import argparse
import contextlib
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, cast

from ._common import SandboxError
from .aio import AsyncSandbox, AsyncSession
from .sandbox import AutopoieticSandbox

__all__ = ["RESULT_FIELDS", "SessionTable", "build_server", "serve", "summary"]

#: The keys of a run's result dict a tool returns.
RESULT_FIELDS = ("success", "status", "stdout", "stderr", "error", "exit_code", "limit_exceeded", "timed_out",
                 "execution_time", "cpu_time_s", "isolation")

def summary(result: Dict[str, Any]) -> Dict[str, Any]:
    """The fields of a result dict a tool returns (RESULT_FIELDS; a cell's
    ``cell`` and ``session_ended`` too)."""
    keys = RESULT_FIELDS + tuple(k for k in ("cell", "session_ended") if k in result)
    return {key: result[key] for key in keys}


@dataclass
class SessionTable:
    """The sessions of the connection, by id."""

    sandbox: AsyncSandbox
    sessions: Dict[str, AsyncSession] = field(default_factory=dict)

    async def create(self) -> str:
        session = await self.sandbox.session().start()
        session_id = secrets.token_hex(8)
        self.sessions[session_id] = session
        return session_id

    def get(self, session_id: str) -> AsyncSession:
        try:
            return self.sessions[session_id]
        except KeyError:
            raise SandboxError(f"no open session {session_id!r}") from None

    async def close(self, session_id: str) -> None:
        session = self.get(session_id)
        del self.sessions[session_id]
        await session.aclose()

    async def close_all(self) -> None:
        for session_id in list(self.sessions):
            await self.close(session_id)


def build_server(options: Dict[str, Any]) -> Any:
    """The ``MCPServer`` of the tools above, whose sandbox is made with
    options (AutopoieticSandbox's keyword arguments) when a client connects
    and cleaned up when it goes.  Raises ImportError without the ``mcp``
    extra."""
    from mcp.server.mcpserver import Context, MCPServer
    from mcp.server.mcpserver.exceptions import ToolError
    from typing_extensions import TypedDict  # pydantic's, for Python < 3.12

    class RunOutput(TypedDict):
        """What run_python returns: the result dict's RESULT_FIELDS."""

        success: bool
        status: str
        stdout: str
        stderr: str
        error: str
        exit_code: Optional[int]
        limit_exceeded: Optional[str]
        timed_out: bool
        execution_time: float
        cpu_time_s: float
        isolation: str

    class CellOutput(RunOutput):
        """What session_run returns: a run's fields, the cell's number, and
        whether it ended the session."""

        cell: int
        session_ended: bool

    class SessionCreated(TypedDict):
        session_id: str

    class SessionClosed(TypedDict):
        closed: bool

    @contextlib.asynccontextmanager
    async def lifespan(_server: Any) -> AsyncIterator[SessionTable]:
        sandbox = AsyncSandbox(**options)
        table = SessionTable(sandbox)
        try:
            yield table
        finally:
            await table.close_all()
            await sandbox.aclose()

    from . import __version__

    server = MCPServer("autopoietic", version=__version__, lifespan=lifespan,
                       instructions="Runs Python code in a Linux sandbox (namespaces, seccomp, rlimits, a timeout). "
                                    "run_python runs a program once; a session keeps its variables and files "
                                    "between session_run calls.")

    @contextlib.contextmanager
    def refused() -> Any:
        """Bad input (an unknown session, a bad timeout, code over the
        bound) as a tool error the model reads."""
        try:
            yield
        except (SandboxError, TypeError, ValueError) as exc:
            raise ToolError(str(exc)) from None

    def table_of(ctx: Context) -> SessionTable:
        return cast(SessionTable, ctx.request_context.lifespan_context)

    @server.tool()
    async def run_python(code: str, ctx: Context, stdin: Optional[str] = None,
                         timeout_s: Optional[float] = None) -> RunOutput:
        """Run Python code once in a fresh sandbox; returns its stdout, stderr and status."""
        with refused():
            result = await table_of(ctx).sandbox.run_source(code, stdin=stdin, timeout_s=timeout_s)
        return summary(dict(result))  # type: ignore[return-value]

    @server.tool()
    async def session_create(ctx: Context) -> SessionCreated:
        """Start a sandboxed Python session whose variables, imports and files persist between cells."""
        with refused():
            return {"session_id": await table_of(ctx).create()}

    @server.tool()
    async def session_run(session_id: str, code: str, ctx: Context, stdin: Optional[str] = None,
                          timeout_s: Optional[float] = None) -> CellOutput:
        """Run a cell of Python code in a session; returns its stdout, stderr and status."""
        with refused():
            result = await table_of(ctx).get(session_id).run(code, stdin=stdin, timeout_s=timeout_s)
        return summary(dict(result))  # type: ignore[return-value]

    @server.tool()
    async def session_close(session_id: str, ctx: Context) -> SessionClosed:
        """End a session and kill its processes."""
        with refused():
            await table_of(ctx).close(session_id)
        return {"closed": True}

    return server


def serve(args: argparse.Namespace) -> int:
    """Serve MCP over stdin/stdout until the client goes; args: the
    command line's options (cli.py, ``mcp``)."""
    options = {"max_memory_mb": args.memory_mb, "max_cpu_time_seconds": args.cpu_s, "timeout_s": args.timeout_s,
               "max_output_bytes": args.max_output_bytes, "max_sessions": args.max_sessions, "mode": args.mode}
    AutopoieticSandbox(**options).cleanup()  # bad limits fail here, before any client connects
    build_server(options).run("stdio")
    return 0
