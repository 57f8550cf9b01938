"""A run's inputs and outputs beyond its source: stdin, the files written
under the sandbox's working directory before the run (``files``), and the
files read back after it (``fetch``).

The host checks every path and size here, before the run; the runner
(``_runner.py``) writes the files into the fresh ``/work`` tmpfs before the
program's first line, and reads the fetched ones when the program's main
code has finished, opening each path component with ``O_NOFOLLOW`` and
taking regular files only.  What comes back is untrusted (the program can
have changed anything in its process): ``parse_fetched`` checks its shape,
the paths it answers for and every size against the cap.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Union

from . import _sandbox
from ._common import SandboxError

__all__ = ["FETCH_STATUS", "MAX_PATH_BYTES", "MAX_STDIN_BYTES", "check_fetch", "check_files", "check_stdin",
           "encoded_utf8", "fetch_total", "parse_fetched", "verdict_limit"]

#: Longest relative path accepted for ``files`` and ``fetch`` (bytes of
#: UTF-8), and longest path component (Linux's NAME_MAX).
MAX_PATH_BYTES = 4096
MAX_NAME_BYTES = 255
#: Most bytes of stdin (it is held in a sealed memfd of the caller).
MAX_STDIN_BYTES = 1 << 30
#: Most paths in ``fetch``.
MAX_FETCH_PATHS = 1024
#: What the runner says of a fetched path (one byte each), and its words.
FETCH_STATUS = {
    "f": "",  # found: the data follows
    "m": "not found",
    "s": "a symbolic link (not followed)",
    "t": "not a regular file",
    "b": "larger than the cap",
    "o": "over what was left of the total the fetched files may take (max_disk_mb)",
    "e": "could not be read",
    "x": "the program did not finish, so its files were not read",
}
#: What the verdict holds besides fetched files, bytes (_runner.py).
_VERDICT_TEXT_BYTES = 65536
#: Per fetched path: a status byte and a 10-digit length.
_RECORD_HEADER = 11
_DIGITS = re.compile(rb"[0-9]{10}")
#: What tmpfs charges a file or a directory at least (a page), bytes.
_PAGE = 4096
Data = Union[bytes, bytearray, memoryview, str]


def encoded_utf8(value: str, what: str) -> bytes:
    """value in UTF-8; SandboxError naming what for a str that is not
    (a lone surrogate)."""
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise SandboxError(f"{what} is not encodable as UTF-8: {exc.reason}") from exc


def _check_path(path: object, what: str) -> str:
    """A normalised relative path under the working directory, or
    SandboxError/TypeError for one that could leave it."""
    if not isinstance(path, str):
        raise TypeError(f"{what}: paths must be str, not {type(path).__name__}")
    encoded = encoded_utf8(path, f"{what}: path {path!r}")
    if not path or len(encoded) > MAX_PATH_BYTES or "\0" in path:
        raise SandboxError(f"{what}: path {path!r} must be 1 to {MAX_PATH_BYTES} bytes without NUL")
    if path.startswith("/"):
        raise SandboxError(f"{what}: path {path!r} is absolute; paths are relative to the working directory")
    parts = path.split("/")
    for part in parts:
        if part in ("", ".", ".."):
            raise SandboxError(f"{what}: path {path!r} has an empty, '.' or '..' component; "
                               "paths stay under the working directory")
        if len(part.encode("utf-8")) > MAX_NAME_BYTES:
            raise SandboxError(f"{what}: path {path!r} has a component over {MAX_NAME_BYTES} bytes")
    return path


def check_files(files: object, max_file_bytes: int, max_total_bytes: int, max_files: int,
                reserved: str = "") -> list[tuple[str, bytes]]:
    """The (path, bytes) pairs of ``files``, a mapping of relative path to
    bytes-like or str (UTF-8), checked: ``TypeError`` for other types,
    ``SandboxError`` for a path that is absolute, has '..', '.' or an
    empty component, names a file and a directory at once or is reserved
    (the program's own file name), for a str that is not UTF-8, or for a
    file over max_file_bytes (RLIMIT_FSIZE), a total over max_total_bytes
    (the tmpfs's size, each file and directory counted in whole pages, as
    tmpfs charges them) or more than max_files files and directories."""
    if files is None:
        return []
    if not isinstance(files, Mapping):
        raise TypeError(f"files must be a mapping of path to bytes or str, not {type(files).__name__}")
    checked: list[tuple[str, bytes]] = []
    total = 0
    directories: set[str] = set()
    for path, value in files.items():
        name = _check_path(path, "files")
        if name == reserved:
            raise SandboxError(f"files: {name!r} is the program's own file name (its traceback copy)")
        if isinstance(value, str):
            data = encoded_utf8(value, f"files[{name!r}]")
        elif isinstance(value, (bytes, bytearray, memoryview)):
            data = bytes(value)
        else:
            raise TypeError(f"files[{name!r}] must be bytes or str, not {type(value).__name__}")
        if len(data) > max_file_bytes:
            raise SandboxError(f"files[{name!r}] is {len(data)} bytes; the bound is max_file_size_kb "
                               f"({max_file_bytes} bytes)")
        parts = name.split("/")
        new = {"/".join(parts[:i]) for i in range(1, len(parts))} - directories
        directories |= new
        total += (len(data) + _PAGE - 1) // _PAGE * _PAGE + len(new) * _PAGE
        if total > max_total_bytes:
            raise SandboxError(f"files total over {max_total_bytes} bytes (in whole pages of {_PAGE} bytes per "
                               "file and directory, as tmpfs counts them); the bound is max_disk_mb")
        checked.append((name, data))
    names = {name for name, _ in checked}
    clash = sorted(names & directories)
    if clash:
        raise SandboxError(f"files: {clash[0]!r} is given as a file and as a directory")
    if len(names) + len(directories) > max_files:
        raise SandboxError(f"files: more than {max_files} files and directories (the tmpfs's inodes)")
    return checked


def check_fetch(fetch: object) -> list[str]:
    """The relative paths of ``fetch`` (an iterable of str, not a str),
    checked as ``check_files`` checks paths; duplicates are dropped."""
    if fetch is None:
        return []
    if isinstance(fetch, (str, bytes)) or not isinstance(fetch, Iterable):
        raise TypeError(f"fetch must be an iterable of str paths, not {type(fetch).__name__}")
    paths: list[str] = []
    for path in fetch:
        name = _check_path(path, "fetch")
        if name not in paths:
            paths.append(name)
        if len(paths) > MAX_FETCH_PATHS:
            raise SandboxError(f"fetch names more than {MAX_FETCH_PATHS} paths")
    return paths


def check_stdin(stdin: object) -> bytes | None:
    """The bytes of ``stdin`` (None, str as UTF-8, or bytes-like);
    ``TypeError`` for other types, ``SandboxError`` over MAX_STDIN_BYTES."""
    if stdin is None:
        return None
    if isinstance(stdin, str):
        data = encoded_utf8(stdin, "stdin")
    elif isinstance(stdin, (bytes, bytearray, memoryview)):
        data = bytes(stdin)
    else:
        raise TypeError(f"stdin must be str or bytes, not {type(stdin).__name__}")
    if len(data) > MAX_STDIN_BYTES:
        raise SandboxError(f"stdin is {len(data)} bytes; the bound is {MAX_STDIN_BYTES}")
    return data


def verdict_limit(fetch: list[str], total: int) -> int:
    """Bytes of the verdict pipe to keep: the verdict's text and the fetch
    records, whose files take total bytes at most together.  At most the
    C layer's bound (1 GiB)."""
    return min(_VERDICT_TEXT_BYTES + 1 + len(fetch) * _RECORD_HEADER + (total if fetch else 0),
               _sandbox.MAX_OUTPUT_BYTES)


def fetch_total(scratch_bytes: int) -> int:
    """What the fetched files of one run may take together, bytes: no more
    than its /work holds, and within the verdict's bound."""
    return min(scratch_bytes, _sandbox.MAX_OUTPUT_BYTES - _VERDICT_TEXT_BYTES - 1 - MAX_FETCH_PATHS * _RECORD_HEADER)


def parse_fetched(payload: bytes | None, fetch: list[str], cap: int, total: int
                  ) -> tuple[dict[str, bytes], dict[str, str]]:
    """({path: data}, {path: why not}) of the runner's fetch records
    (payload None: no verdict came, the program did not finish).  A
    payload that is not one record per path in order, a file over cap, or
    files over total together, count as unreadable for what is left."""
    found: dict[str, bytes] = {}
    errors: dict[str, str] = {}
    if payload is None:
        return found, {path: FETCH_STATUS["x"] for path in fetch}
    view = memoryview(payload)
    at = 0
    for path in fetch:
        header = bytes(view[at:at + _RECORD_HEADER])
        status = header[:1].decode("ascii", "replace")
        if len(header) != _RECORD_HEADER or status not in FETCH_STATUS or not _DIGITS.fullmatch(header[1:]):
            errors[path] = "the runner's answer for it was malformed"
            at = len(view)
            continue
        size = int(header[1:])
        at += _RECORD_HEADER
        if status != "f":
            errors[path] = FETCH_STATUS[status] + (f" ({size} bytes; the cap is {cap}: max_output_bytes)"
                                                   if status == "b" else "")
            continue
        if size > cap or size > total or at + size > len(view):
            errors[path] = "the runner's answer for it was malformed"
            at = len(view)
            continue
        found[path] = bytes(view[at:at + size])
        total -= size
        at += size
    return found, errors

