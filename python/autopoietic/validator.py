"""The validator: a lexical scanner of Python source in C, with policy as data.

``validate(source, policy=DEFAULT_POLICY) -> list[Finding]``.  The scanner
(src/_sandbox/validator.c) tokenizes the source (strings of every prefix,
f-string replacement fields as code, comments, line joining) and applies the
rules below, so text inside strings and comments is not mistaken for code,
and the known bypass families are caught.  It is a gate, not the boundary:
what it lets through still runs inside the kernel isolation
(docs/threat-model.md), which is what stops code that no static check can
see (strings built at run time, bugs in allowed modules).

Rules (the ``rule`` of each finding):

``denied-import``, ``unknown-import``, ``relative-import``
    imports in every form (``import a.b as c``, ``from a import b``,
    parenthesised and comma lists) of a module in ``denied_modules`` or of
    one whose top-level package is not in ``allowed_modules`` (unless
    ``allow_unknown_modules``); ``from a import b`` also checks ``a.b``; a
    component is one module, so relative imports are refused.
``denied-name``
    a builtin of ``denied_names`` referenced by name, called or not
    (``eval``, ``f = open``); a binding (``def open``, ``open = 1``,
    ``f(open=1)``) and attribute access (``self.open()``) are not.
``denied-attribute``
    an attribute of ``denied_attributes`` used as an attribute, a name or
    a definition: the steps out of an object (``__subclasses__``,
    ``__globals__``, ``__builtins__``, ``__mro__``, ...), frames and the
    functions that hand them out (``f_back``, ``tb_frame``, ``_getframe``,
    ``currentframe``, ``walk_stack``), evaluators of strings
    (``get_type_hints``).  ``__class__``, ``__name__``, ``__dict__`` and
    ``__init__`` are attributes like any other.
``dynamic-attribute``
    ``getattr``, ``setattr``, ``delattr``, ``hasattr`` (argument 1),
    ``attrgetter`` (every argument), ``methodcaller`` and
    ``Formatter().get_field`` (argument 0) whose name is not one plain
    string literal (``*args`` included), that are used other than called
    directly, or imported under another name; ``wraps``/``update_wrapper``
    given attribute names; ``x.__setattr__``/``__delattr__`` with a
    computed name; ``type(name, bases, namespace)``; a metaclass's
    ``__new__``/``__prepare__``; a class ``__dict__`` entry that is a sink
    (``type.__dict__["__setattr__"]``); ``basicConfig(filename=...,
    handlers=..., stream=...)``; the ``__dict__`` of an object other than
    ``self`` subscripted with a computed key, iterated, copied or handed on
    (a class's ``__dict__`` holds its slot wrappers and descriptors).
``denied-attribute-string``, ``format-attribute-walk``
    a literal name of those calls that is denied (``getattr(f,
    "__globals__")``); and, only in a module with a string-to-attribute
    sink (any name of ``string_sinks``: getattr & co., ``format``,
    ``format_map``, ``Formatter``, ``style``, ``type``, ...), a string
    literal that names a denied attribute as a whole identifier, or whose
    format field walks to one (``"{0.__globals__}"``) or is left open
    (``"{0." + rest``).  String statements (docstrings) never count.
``module-attribute``, ``module-dict``, ``private-module-attribute``, ``module-as-value``
    on a chain rooted at a name bound by ``import`` (through calls and
    subscripts, and names bound from such a chain): another module the
    module imported (``reexports``, found by ``module_graph``:
    ``logging.traceback``, ``enum.bltns``), an attribute named after a
    denied module, leading underscores aside (``logging.os``,
    ``random._os``; also ``from logging import os`` and
    ``getattr(logging, "os")``), a module's ``__dict__``, a
    ``denied_module_members`` (io streams, ``shlex.shlex``), the class of
    what a module hands out (``string.Formatter().__class__``,
    ``type(fmt)``), a private member
    (``uuid._get_command_stdout``), and a module bound by ``import`` used
    as a value (``m = logging``).
``line-ending``
    a carriage return not followed by a line feed, in code or a comment:
    Python ends a line there.
``star-import``
    ``from x import *``: what it binds cannot be seen.
(annotations), ``annotation-name``
    ``functools.singledispatch`` and ``typing`` evaluate a function's
    annotations: a string annotation is scanned as code (its findings
    carry the string's position), and a name annotation must be a type
    (builtin, a class of the module, imported, or bound from one).
``denied-attribute`` also covers ``called_only`` names used other than
called (``string.Formatter`` subclassed or handed on), and
``module-attribute`` the ``denied_members`` of any object (``x.sys``).
``unicode-name-escape``
    ``\\N{...}`` in a string of a module with a sink: the character it
    names cannot be checked.
``non-ascii-identifier``
    only where NFKC normalisation is unavailable; otherwise identifiers are
    compared after NFKC, as Python does (``ｅval`` is ``eval``).
``encoding-declaration``, ``invalid-utf8``, ``nul-byte``, ``source-too-large``
    the bytes themselves: only UTF-8 is accepted, because the child runs
    exactly the validated text (decoded as UTF-8; a coding cookie is
    ignored), which must not depend on a declaration.
``missing-security-signature``, ``missing-sandbox-marker``
    the component protocol's markers, as tokens: a string literal starting
    with ``modulo_autopoiesis_data_`` and ``_generated_in_sandbox = True``.
``nesting-too-deep``, ``too-many-findings``, ``too-many-imports``
    bounds of the scanner (200 nested f-strings, 1000 findings, 256 names
    bound by import).
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import warnings
from dataclasses import dataclass, replace
from types import ModuleType
from typing import NamedTuple, Optional, Union

from . import _sandbox
from ._common import MARKER_ATTRIBUTE, SIGNATURE_PREFIX

__all__ = ["DEFAULT_POLICY", "PACKAGE_ESCAPES", "Finding", "ValidatorPolicy", "validate"]


class Finding(NamedTuple):
    """One finding: rule id, 1-based line, 0-based column (bytes, as in
    Python's ast), message."""

    rule: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.line}:{self.col}: {self.rule} {self.message}"


@dataclass(frozen=True)
class ValidatorPolicy:
    """What the validator refuses; every field is data.

    ``ValidatorPolicy(denied_modules, allowed_modules, denied_names,
    denied_attributes, allow_unknown_modules=False, require_markers=True,
    max_source_bytes=1048576, string_sinks=frozenset())``: sets of str;
    ``string_sinks`` are the names whose presence makes a module's string
    literals count (see the rules above).  Derive variants with ``dataclasses.replace``
    or ``DEFAULT_POLICY.with_changes(...)``; ``DEFAULT_POLICY.allowing("numpy")``
    allows a third-party package.  Raises ``TypeError`` when a
    set holds anything but str.
    """

    denied_modules: frozenset[str]
    allowed_modules: frozenset[str]
    denied_names: frozenset[str]
    denied_attributes: frozenset[str]
    allow_unknown_modules: bool = False
    require_markers: bool = True
    max_source_bytes: int = 1 << 20
    string_sinks: frozenset[str] = frozenset()
    reexports: Optional[frozenset[str]] = None
    submodules: Optional[frozenset[str]] = None
    denied_module_members: frozenset[str] = frozenset()
    denied_members: frozenset[str] = frozenset()
    called_only: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        for name in ("denied_modules", "allowed_modules", "denied_names", "denied_attributes", "string_sinks",
                     "reexports", "submodules", "denied_module_members", "denied_members", "called_only"):
            value = getattr(self, name)
            if value is None and name in ("reexports", "submodules"):
                continue
            if isinstance(value, str) or not all(isinstance(v, str) for v in value):
                raise TypeError(f"ValidatorPolicy.{name} must be a collection of str")
            object.__setattr__(self, name, frozenset(value))
        if not isinstance(self.max_source_bytes, int) or self.max_source_bytes < 0:
            raise ValueError("ValidatorPolicy.max_source_bytes must be an int >= 0")

    @property
    def _arguments(self) -> dict[str, object]:
        """The keyword arguments of _sandbox.validate, built once per policy
        (on first use: the module graph imports the allowed modules)."""
        cached = self.__dict__.get("_cached_arguments")
        if cached is None:
            reexports, submodules = self.reexports, self.submodules
            if reexports is None or submodules is None:
                found_reexports, found_submodules = module_graph(self.allowed_modules, self.denied_modules)
                reexports = found_reexports if reexports is None else reexports
                submodules = found_submodules if submodules is None else submodules
            cached = {
                "denied_modules": tuple(sorted(self.denied_modules)),
                "allowed_modules": tuple(sorted(self.allowed_modules)),
                "denied_names": tuple(sorted(self.denied_names)),
                "denied_attributes": tuple(sorted(self.denied_attributes)),
                "string_sinks": tuple(sorted(self.string_sinks)),
                "reexports": tuple(sorted(reexports)),
                "submodules": tuple(sorted(submodules)),
                "denied_module_members": tuple(sorted(self.denied_module_members)),
                "denied_members": tuple(sorted(self.denied_members)),
                "called_only": tuple(sorted(self.called_only)),
                "allow_unknown_modules": self.allow_unknown_modules,
                "require_markers": self.require_markers,
                "signature_prefix": SIGNATURE_PREFIX,
                "marker_name": MARKER_ATTRIBUTE,
                "max_source_bytes": self.max_source_bytes,
            }
            object.__setattr__(self, "_cached_arguments", cached)
        return cached

    def with_changes(self, **changes: object) -> "ValidatorPolicy":
        """A copy with some fields changed (``dataclasses.replace``)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    def allowing(self, *modules: str, denying: "tuple[str, ...] | list[str]" = ()) -> "ValidatorPolicy":
        """allowing(*modules: str, denying=()) -> ValidatorPolicy

        A copy that allows the top-level packages ``modules`` (and so their
        submodules: ``numpy`` allows ``from numpy.linalg import norm``),
        and denies the dotted modules ``denying`` and those of
        ``PACKAGE_ESCAPES`` for each package allowed (numpy's ctypes bridge
        and compiler drivers).  A denied module stays denied.  Raises
        ``TypeError`` for names that are not str and ``ValueError`` for a
        name that is not an identifier (``modules``) or dotted identifiers
        (``denying``).
        """
        for name in (*modules, *denying):
            if not isinstance(name, str):
                raise TypeError(f"module names must be str, not {type(name).__name__}")
        for name in modules:
            if not name.isidentifier():
                raise ValueError(f"{name!r} is not a top-level module name (allowed_modules holds those)")
        for name in denying:
            if not all(part.isidentifier() for part in name.split(".")):
                raise ValueError(f"{name!r} is not a module name (dotted identifiers)")
        escapes = {escape for name in modules for escape in PACKAGE_ESCAPES.get(name, ())}
        return replace(self, allowed_modules=self.allowed_modules | set(modules),
                       denied_modules=self.denied_modules | set(denying) | escapes)


#: Submodules of third-party packages that ``ValidatorPolicy.allowing``
#: denies with their package: each hands out what the standard library's
#: denied modules would (``numpy.ctypeslib``: ctypes, raw memory and any
#: shared library; ``numpy.f2py`` and ``numpy.distutils``: compilers run as
#: subprocesses).  What such a package does through its public functions
#: (``numpy.load(allow_pickle=True)`` and ``pandas.read_pickle`` unpickle,
#: ``pandas.read_csv`` reads any path) the validator does not see: the
#: kernel isolation bounds it (docs/threat-model.md).
PACKAGE_ESCAPES: dict[str, tuple[str, ...]] = {
    "numpy": ("numpy.ctypeslib", "numpy.f2py", "numpy.distutils"),
}


@functools.lru_cache(maxsize=8)
def module_graph(allowed_modules: frozenset[str],
                 denied_modules: frozenset[str] = frozenset()) -> tuple[frozenset[str], frozenset[str]]:
    """module_graph(allowed_modules, denied_modules=frozenset()) -> (reexports, submodules)

    What the allowed modules of this interpreter hold, as dotted names:
    ``reexports``, attributes that are another module (``logging.traceback``,
    ``enum.bltns`` is builtins); ``submodules``, attributes that are the
    package's own submodule (``json.decoder``, ``collections.abc``).  Found
    by importing each allowed top-level module and its packages' submodules
    (all but the denied ones and test suites: ``tests`` and ``conftest``
    packages of third-party packages such as numpy's and pandas') in this
    process, with warnings ignored, and walking their attributes (through
    submodules, 4 levels); a module that does not import (any exception,
    pytest's ``Skipped`` of a test module included) is skipped.  The validator refuses a re-export on a chain rooted
    at an imported module and follows a submodule as a module.
    """
    reexports: set[str] = set()
    submodules: set[str] = set()

    def walk(module: ModuleType, depth: int) -> None:
        for attr, value in list(vars(module).items()):
            if not isinstance(value, ModuleType):
                continue
            dotted = f"{module.__name__}.{attr}"
            if value.__name__ == dotted:
                if dotted not in submodules:
                    submodules.add(dotted)
                    if depth < 4:
                        walk(value, depth + 1)
            else:
                reexports.add(dotted)

    def load(name: str) -> ModuleType | None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return importlib.import_module(name)
        except (KeyboardInterrupt, MemoryError):
            raise
        except BaseException:  # lacking, failing, or a test module that skips itself
            return None

    def import_submodules(package: ModuleType) -> None:
        # a package's submodules, imported or not yet (logging.handlers,
        # concurrent.futures): importing one imports what it re-exports
        for info in pkgutil.iter_modules(getattr(package, "__path__", []), prefix=package.__name__ + "."):
            if info.name.rsplit(".", 1)[1] in ("tests", "conftest", "__main__") or any(
                    info.name == d or info.name.startswith(d + ".") for d in denied_modules):
                continue
            module = load(info.name)
            if module is not None and info.ispkg:
                import_submodules(module)

    for name in sorted(allowed_modules):
        if "." in name or name == "__future__":
            continue
        package = load(name)
        if package is None:  # an allowed module this interpreter lacks or cannot import
            continue
        import_submodules(package)
        walk(package, 0)
    # A denied submodule of an allowed package (logging.config,
    # numpy.ctypeslib: numpy hands it out on first access) counts as a
    # re-export, so that a chain to it is refused as well as its import.
    for name in denied_modules:
        top = name.partition(".")[0]
        if "." in name and top in allowed_modules:
            reexports.add(name)
            submodules.discard(name)
    return frozenset(reexports), frozenset(submodules)


#: The default policy.  Denied modules reach the host (files, processes,
#: the network), the interpreter's internals or code execution; allowed ones
#: are the pure-computation standard library that components use.  Modules
#: in neither set are refused unless ``allow_unknown_modules``.
DEFAULT_POLICY = ValidatorPolicy(
    denied_modules=frozenset({
        "os", "sys", "subprocess", "shutil", "socket", "ctypes", "cffi", "importlib", "builtins", "posix", "pty",
        "signal", "resource", "multiprocessing", "threading", "_thread", "asyncio.subprocess", "pickle", "marshal",
        "shelve", "code", "codeop", "inspect", "gc", "sysconfig", "site", "io", "pathlib", "tempfile", "urllib",
        "http", "ftplib", "smtplib", "telnetlib", "webbrowser", "mmap", "fcntl", "select", "selectors",
        "logging.config", "runpy", "types", "pydoc", "_posixsubprocess", "zipimport", "_io", "_imp", "__main__",
        "concurrent.futures.process", "copyreg", "atexit", "faulthandler", "tracemalloc", "linecache",
    }),
    allowed_modules=frozenset({
        "__future__", "abc", "array", "base64", "binascii", "bisect", "calendar", "cmath", "collections",
        "colorsys", "concurrent", "contextlib", "contextvars", "copy", "csv", "dataclasses", "datetime", "decimal",
        "difflib", "enum", "fnmatch", "fractions", "functools", "graphlib", "hashlib", "heapq", "hmac", "html",
        "ipaddress", "itertools", "json", "keyword", "logging", "math", "numbers", "operator", "pprint", "queue",
        "random", "re", "reprlib", "secrets", "shlex", "statistics", "string", "struct", "textwrap", "time",
        "traceback", "typing", "unicodedata", "uuid", "warnings", "weakref", "zlib", "zoneinfo",
    }),
    denied_names=frozenset({
        "eval", "exec", "compile", "__import__", "open", "input", "breakpoint", "globals", "locals", "vars",
        "memoryview", "help", "exit", "quit", "file",
    }),
    denied_attributes=frozenset({
        # the steps out of an object: to every class, a function's globals
        # and builtins, code objects, closures, bound selves, module loaders
        "__base__", "__bases__", "__mro__", "__subclasses__", "__globals__", "__builtins__", "__code__",
        "__closure__", "__getattribute__", "__reduce__", "__reduce_ex__", "__loader__", "__spec__", "__import__",
        "__self__", "__func__", "__objclass__",
        # annotations are evaluated (typing) or pasted into code (dataclasses)
        "__annotations__", "get_type_hints", "ForwardRef", "_eval_type",
        # frames, and the functions that hand them out
        "gi_frame", "gi_code", "f_back", "f_globals", "f_locals", "f_builtins", "f_code", "tb_frame", "tb_next",
        "cr_frame", "cr_code", "ag_frame", "ag_code", "_getframe", "_current_frames", "currentframe",
        "walk_stack", "walk_tb", "extract_stack", "getouterframes", "getinnerframes", "settrace", "setprofile",
        "_evaluate", "__forward_code__",
        # Formatter hooks that receive the objects a format field walks to
        "format_field", "convert_field",
        # files: what opens or reads a path without open()
        "FileHandler", "RotatingFileHandler", "TimedRotatingFileHandler", "WatchedFileHandler",
        "BaseRotatingHandler", "sourcehook", "FrameSummary", "from_list", "format_list", "print_list",
        "formatwarning", "showwarning", "warn_explicit", "reset_tzpath", "StackSummary", "extract_tb",
        "format_tb", "print_tb", "format_stack", "print_stack",
        # enum's _convert_ makes an enum of any module's names (builtins included)
        "_convert_",
        # sockets (logging.handlers makes them)
        "makeSocket", "SocketHandler", "DatagramHandler", "SysLogHandler", "HTTPHandler", "SMTPHandler",
        "NTEventLogHandler",
        # processes
        "create_subprocess_exec", "create_subprocess_shell", "ProcessPoolExecutor",
    }),
    string_sinks=frozenset({
        # builtins and operator: a string becomes an attribute name
        "getattr", "setattr", "delattr", "hasattr", "attrgetter", "methodcaller", "__getattribute__",
        "__setattr__", "__delattr__",
        # str.format and its machinery walk attributes of the arguments
        "format", "format_map", "vformat", "Formatter", "get_field", "get_value", "basicConfig", "style",
        # functools copies attributes named by strings
        "update_wrapper", "wraps",
    }),
    # io objects that modules hand out (logging's handlers' streams): the
    # type of one opens any path
    denied_module_members=frozenset({"stream", "buffer", "raw", "setStream", "detach", "shlex"}),
    # attributes of anything that hand out the module by that name
    # (warnings.catch_warnings()._module is sys.modules["warnings"])
    denied_members=frozenset({"os", "sys", "builtins", "subprocess", "importlib", "posix", "_module", "_os",
                              "_sys"}),
    # what may only be called: a subclass of string.Formatter has hooks
    # that receive the objects a format field walks to
    called_only=frozenset({"string.Formatter"}),
)


def validate(source: Union[str, bytes], policy: ValidatorPolicy = DEFAULT_POLICY) -> list[Finding]:
    """validate(source: str | bytes, policy=DEFAULT_POLICY) -> list[Finding]

    Scan ``source`` (str, or bytes that should be UTF-8) and return every
    finding, in source order per rule family.  Raises ``TypeError`` for
    other types and ``MemoryError``.
    """
    if isinstance(source, str):
        try:
            data = source.encode("utf-8")
        except UnicodeEncodeError as exc:
            return [Finding("invalid-utf8", 1, 0, f"source is not encodable as UTF-8: {exc.reason}")]
    elif isinstance(source, bytes):
        data = source
    else:
        raise TypeError(f"source must be str or bytes, not {type(source).__name__}")
    if not isinstance(policy, ValidatorPolicy):
        raise TypeError(f"policy must be a ValidatorPolicy, not {type(policy).__name__}")
    raw = _sandbox.validate(data, **policy._arguments)  # type: ignore[arg-type]
    found = [Finding(*f) for f in raw]
    # a denied submodule is also a re-export (module_graph): its import is
    # reported once, as the denied import
    imports = {(f.line, f.col) for f in found if f.rule == "denied-import"}
    found = [f for f in found if f.rule != "module-attribute" or (f.line, f.col) not in imports]
    return sorted(found, key=lambda f: (f.line, f.col, f.rule))
