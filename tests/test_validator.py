"""The validator (SPEC section 7): table-driven, one hostile snippet per
bypass technique (rule id and position), benign snippets with no finding,
and properties over random input (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autopoietic.architecture_evolution import ArchitectureEvolution, EvolutionStrategy
from autopoietic.code_synthesizer import CodeSynthesizer
from autopoietic.meta_architect import ComponentSpec
from autopoietic.validator import DEFAULT_POLICY, Finding, ValidatorPolicy, validate

NO_MARKERS = DEFAULT_POLICY.with_changes(require_markers=False)


def findings(source, policy=NO_MARKERS):
    return [(f.rule, f.line, f.col) for f in validate(source, policy)]


# (id, source, [(rule, line, col), ...]) -- every technique once
HOSTILE = [
    ("import-os", "import os", [("denied-import", 1, 7)]),
    ("import-dotted-as", "import os.path as p", [("denied-import", 1, 7)]),
    ("import-comma-list", "import math, subprocess", [("denied-import", 1, 13)]),
    ("from-import", "from os import system", [("denied-import", 1, 5)]),
    ("from-import-parenthesised", "from shutil import (\n    rmtree,\n    copy)", [("denied-import", 1, 5)]),
    ("from-import-submodule", "from logging import config", [("denied-import", 1, 20)]),
    ("import-submodule-denied", "import logging.config", [("denied-import", 1, 7)]),
    ("relative-import", "from . import helpers", [("relative-import", 1, 5)]),
    ("relative-import-dotted", "from ..pkg import x", [("relative-import", 1, 5)]),
    ("unknown-module", "import requests", [("unknown-import", 1, 7)]),
    ("import-ctypes", "import ctypes", [("denied-import", 1, 7)]),
    ("import-importlib", "import importlib", [("denied-import", 1, 7)]),
    ("import-builtins", "import builtins", [("denied-import", 1, 7)]),
    ("import-pickle", "import pickle", [("denied-import", 1, 7)]),
    ("import-after-semicolon", "x = 1; import socket", [("denied-import", 1, 14)]),
    ("import-in-one-line-block", "if True: import sys", [("denied-import", 1, 16)]),
    ("import-line-continuation", "import \\\n    marshal", [("denied-import", 2, 4)]),
    ("eval-call", "eval('1')", [("denied-name", 1, 0)]),
    ("eval-not-called", "f = eval", [("denied-name", 1, 4)]),
    ("exec", "exec('x = 1')", [("denied-name", 1, 0)]),
    ("compile", "c = compile('1', 'f', 'eval')", [("denied-name", 1, 4)]),
    ("dunder-import-name", "__import__('os')", [("denied-name", 1, 0)]),
    ("open", "data = open('/etc/passwd').read()", [("denied-name", 1, 7)]),
    ("breakpoint", "breakpoint()", [("denied-name", 1, 0)]),
    ("globals", "g = globals()", [("denied-name", 1, 4)]),
    ("vars", "v = vars()", [("denied-name", 1, 4)]),
    ("getattr-on-builtins", "getattr(__builtins__, 'ev' + 'al')", [("denied-name", 1, 0), ("denied-attribute", 1, 8)]),
    ("setattr", "setattr(obj, 'x', 1)", [("denied-name", 1, 0)]),
    ("default-argument", "def f(x=eval): pass", [("denied-name", 1, 8)]),
    ("decorator", "@exec\ndef f(): pass", [("denied-name", 1, 1)]),
    ("subclasses-walk", "().__class__.__base__.__subclasses__()",
     [("denied-attribute", 1, 3), ("denied-attribute", 1, 13), ("denied-attribute", 1, 22)]),
    ("function-globals", "f.__globals__['x']", [("denied-attribute", 1, 2)]),
    ("code-object", "f.__code__", [("denied-attribute", 1, 2)]),
    ("bare-builtins", "b = __builtins__", [("denied-attribute", 1, 4)]),
    ("bound-self-of-builtin", "print.__self__", [("denied-attribute", 1, 6)]),
    ("frame-walk", "exc.__traceback__.tb_frame.f_back.f_globals",
     [("denied-attribute", 1, 4), ("denied-attribute", 1, 18), ("denied-attribute", 1, 27),
      ("denied-attribute", 1, 34)]),
    ("generator-frame", "g.gi_frame.f_locals", [("denied-attribute", 1, 2), ("denied-attribute", 1, 11)]),
    ("coroutine-frame", "c.cr_frame", [("denied-attribute", 1, 2)]),
    ("attribute-across-lines", "x = (obj\n     .__dict__)", [("denied-attribute", 2, 6)]),
    ("module-reexport", "import logging\nlogging.os.system('id')", [("module-attribute", 2, 8)]),
    ("private-module-reexport", "import random\nrandom._os.system('id')", [("module-attribute", 2, 7)]),
    ("functools-sys", "import functools\nfunctools.sys", [("module-attribute", 2, 10)]),
    ("attrgetter-import", "from operator import attrgetter", [("denied-name", 1, 21)]),
    ("methodcaller-attribute", "import operator\noperator.methodcaller('x')", [("denied-attribute", 2, 9)]),
    ("format-globals", "'{0.__globals__}'.format(f)",
     [("denied-attribute-string", 1, 0), ("format-attribute-walk", 1, 0)]),
    ("format-walk-split", "('{0.' + 'x}').format(f)", [("format-attribute-walk", 1, 1)]),
    ("dunder-in-string", "name = '__subclasses__'", [("denied-attribute-string", 1, 7)]),
    ("implicit-concatenation", "name = ('__glo'\n        'bals__')", [("denied-attribute-string", 1, 8)]),
    ("hex-escaped-dunder", "name = '\\x5f\\x5fglobals\\x5f\\x5f'", [("denied-attribute-string", 1, 7)]),
    ("unicode-escaped-dunder", "name = '\\u005f\\u005fcode\\u005f\\u005f'", [("denied-attribute-string", 1, 7)]),
    ("octal-escaped-dunder", "name = '\\137\\137dict\\137\\137'", [("denied-attribute-string", 1, 7)]),
    ("named-escape", "name = '\\N{LOW LINE}\\N{LOW LINE}globals__'", [("unicode-name-escape", 1, 8), ("unicode-name-escape", 1, 20)]),
    ("fstring-field", "s = f'{eval(\"1\")}'", [("denied-name", 1, 7)]),
    ("fstring-nested-spec", "s = f'{x:>{eval(\"2\")}}'", [("denied-name", 1, 11)]),
    ("fstring-nested-fstring", "s = f'{f\"{open(1)}\"}'", [("denied-name", 1, 10)]),
    ("fstring-backslash-brace", "s = f'\\{eval(\"3\")}'", [("denied-name", 1, 8)]),
    ("fstring-conversion", "s = f'{x.__class__!r}'", [("denied-attribute", 1, 9)]),
    ("rawf-string", "s = rf'{exec(x)}'", [("denied-name", 1, 8)]),
    ("fullwidth-eval", "ｅｖａｌ('1')", [("denied-name", 1, 0)]),
    ("math-italic-open", "𝑜𝑝𝑒𝑛('/etc/passwd')", [("denied-name", 1, 0)]),
    ("fullwidth-dunder", "x.＿＿class＿＿", [("denied-attribute", 1, 2)]),
    ("coding-utf7", "# -*- coding: utf-7 -*-\nx = '+AGU-val'", [("encoding-declaration", 1, 6)]),
    ("coding-latin1-line2", "#!/usr/bin/env python\n# coding=latin-1\n", [("encoding-declaration", 2, 2)]),
    ("coding-unicode-escape", "# vim: set fileencoding=unicode_escape :\n", [("encoding-declaration", 1, 17)]),
]

# sources that must produce no finding at all
BENIGN = [
    "'''import os in a docstring'''",
    "x = 'eval(' + \"exec(\"",
    "# import os, eval(x), open(f)",
    "s = 'subprocess.call and os.system are only text'",
    "self.open()",
    "handler.eval_expression(x)",
    "import logging",
    "import logging, functools",
    "from functools import lru_cache",
    "from collections import (\n    OrderedDict,\n    defaultdict,\n)",
    "import math as m",
    "from __future__ import annotations",
    "import json\njson.dumps({'a': 1})",
    "import re\nre.compile(r'\\d+')",
    "raise ValueError('x') from exc",
    "def gen():\n    yield from range(3)",
    "x = dict(open=1, eval=2)",
    "def open(self):\n    return 1",
    "class eval_helper:\n    pass",
    "open = None",
    "with lock as file_lock:\n    pass",
    "s = f'{self.name}: {value!r:>10}'",
    "s = f'{{literal braces}} {x}'",
    "s = f'{a[\"key\"]}'",
    "s = f'{x:{width}.{precision}}'",
    "s = '{} and {:>4} and {name}'.format(1, 2, name=3)",
    "s = '{0} {1}'.format(a, b)",
    "x = 1if True else 2",
    "x = 0x1f + 1_000 + 1e-3 + 2j + .5",
    "name = '_private'",
    "__name__ == '__main__'",
    "class A:\n    def __init__(self):\n        self.x = 1\n    def __repr__(self):\n        return 'A'",
    "s = 'text with __init__ and __name__'",
    "b = b'\\x00\\x01 bytes'",
    "u = u'unicode'",
    "r = r'\\d+\\.\\w*'",
    "s = '\\N{BULLET}'.__len__() if False else 1" if False else "s = 'caf\\u00e9'",
    "s = '''multi\nline\nstring with import os'''",
    "x = [i for i in range(10) if i % 2]",
    "lambda x: x + 1",
    "async def f():\n    await g()",
    "x: int = 1",
    "t = (1,\n     2)\ny = t[0]",
    "# coding: utf-8\nx = 1",
    "# -*- coding: UTF_8 -*-\nx = 1",
    "text = 'ｅval is only text in a string'",
    "名前 = 1\nprint(名前)",
    "import statistics\nstatistics.mean([1, 2])",
    "import time, datetime, itertools, enum, abc, random, decimal, fractions, string, textwrap, copy, heapq, bisect",
    "logger.info('%s recovered from %s', a, b)",
]


def synthesized_sources():
    base = [ComponentSpec("data_processor", "processor", {"batch_size": "32", "mode": "streaming"}),
            ComponentSpec("cache_manager", "cache", {"max_entries": "1024"}),
            ComponentSpec("health_monitor", "monitor", {})]
    specs = list(base)
    for strategy in EvolutionStrategy:
        specs.extend(ArchitectureEvolution().propose_evolution(base, {}, strategy=strategy).specs)
    return [(name, c.source_code) for name, c in CodeSynthesizer().synthesize(specs).items()]


def test_tables_are_large_enough():
    assert len(HOSTILE) >= 40
    assert len(BENIGN) + len(synthesized_sources()) >= 40


@pytest.mark.parametrize("source, expected", [(s, e) for _, s, e in HOSTILE], ids=[i for i, _, _ in HOSTILE])
def test_hostile_snippet(source, expected):
    assert findings(source) == expected


@pytest.mark.parametrize("source", BENIGN)
def test_benign_snippet(source):
    assert findings(source) == []


@pytest.mark.parametrize("name, source", synthesized_sources(), ids=[n for n, _ in synthesized_sources()])
def test_synthesized_components_pass(name, source):
    assert validate(source) == []  # markers required: the default policy


def test_markers_are_tokens_not_substrings():
    only_text = "'''see modulo_autopoiesis_data_x and _generated_in_sandbox = True'''\n# _generated_in_sandbox = True\n"
    assert [f.rule for f in validate(only_text)] == ["missing-sandbox-marker", "missing-security-signature"]
    real = "s = 'modulo_autopoiesis_data_x'\n_generated_in_sandbox = True\n"
    assert validate(real) == []
    assert [f.rule for f in validate("s = 'modulo_autopoiesis_data_x'\n_generated_in_sandbox = False\n")] == [
        "missing-sandbox-marker"]


@pytest.mark.parametrize(
    "data, rule",
    [(b"x = 1\x00", "nul-byte"), (b"x = '\xff'", "invalid-utf8"), (b"x = '\xed\xa0\x80'", "invalid-utf8"),
     (b"x = '\xc0\xaf'", "invalid-utf8")],
    ids=["nul", "invalid-byte", "surrogate", "overlong"],
)
def test_invalid_bytes(data, rule):
    assert rule in [f.rule for f in validate(data, NO_MARKERS)]


def test_source_over_the_bound():
    policy = NO_MARKERS.with_changes(max_source_bytes=100)
    assert [f.rule for f in validate("x = 1\n" * 100, policy)] == ["source-too-large"]


def test_every_finding_has_a_position():
    """Found by make fuzz: a leading dot in 'import .os' (a syntax error)
    left the finding without a line."""
    for source in ("import  .os, sys", "import .", "from . import", "import", "from", "from .. import (a as"):
        assert all(f.line >= 1 and f.col >= 0 for f in validate(source)), source


def test_deep_fstring_nesting_is_bounded():
    deep = "x = " + "f'{" * 300 + "1" + "}'" * 300
    assert "nesting-too-deep" in [f.rule for f in validate(deep, NO_MARKERS)]


def test_too_many_findings_stops():
    result = validate("eval\n" * 5000, NO_MARKERS)
    assert len(result) == 1001 and result[-1].rule == "too-many-findings" or result[0].rule == "too-many-findings"


def test_policy_is_data():
    assert findings("import requests") == [("unknown-import", 1, 7)]
    allow = NO_MARKERS.with_changes(allow_unknown_modules=True)
    assert findings("import requests", allow) == []
    assert findings("import os", allow) == [("denied-import", 1, 7)]  # denied stays denied
    strict = NO_MARKERS.with_changes(denied_names=NO_MARKERS.denied_names | {"print"})
    assert findings("print(1)", strict) == [("denied-name", 1, 0)]
    permissive = NO_MARKERS.with_changes(denied_modules=NO_MARKERS.denied_modules - {"os"},
                                         allowed_modules=NO_MARKERS.allowed_modules | {"os"})
    assert findings("import os", permissive) == []


def test_policy_checks_its_fields():
    with pytest.raises(TypeError):
        ValidatorPolicy("os", frozenset(), frozenset(), frozenset())
    with pytest.raises(TypeError):
        ValidatorPolicy(frozenset({1}), frozenset(), frozenset(), frozenset())
    with pytest.raises(ValueError):
        NO_MARKERS.with_changes(max_source_bytes=-1)


def test_sandbox_uses_its_policy(tmp_path):
    from autopoietic.sandbox import AutopoieticSandbox, SandboxError

    code = "import requests\nclass C:\n    _security_signature = 'modulo_autopoiesis_data_c'\n" \
           "    _generated_in_sandbox = True\n    def run(self):\n        pass\n"
    with AutopoieticSandbox(temp_dir=tmp_path) as sb:
        with pytest.raises(SandboxError) as info:
            sb.execute_component(code, "c")
        assert [f.rule for f in info.value.findings] == ["unknown-import"]
        assert isinstance(info.value.findings[0], Finding)
    allow = DEFAULT_POLICY.with_changes(allow_unknown_modules=True)
    with AutopoieticSandbox(temp_dir=tmp_path, validator_policy=allow) as sb:
        assert sb.validate_component(code) is True
    with pytest.raises(TypeError):
        AutopoieticSandbox(temp_dir=tmp_path, validator_policy={"denied_modules": []})


def test_validate_rejects_other_types():
    for bad in (None, 1, bytearray(b"x"), ["import os"]):
        with pytest.raises(TypeError):
            validate(bad)


# -- properties: random bytes and random token soup never crash the scanner --

TOKENS = ["import", "from", "os", "eval", "(", ")", "[", "]", "{", "}", ".", ",", ":", "=", "==", "!", "'", '"',
          "'''", "f'", 'f"', "rb'", "\\", "\n", " ", "#", "__class__", "x", "1", "1e5", "{0.", "as", ";", "\\N{",
          "\\x5f", "ｅval", "𝑜", "\t", "\r", "\x00", "lambda", "def", "class", "@", "async", "yield", "}}", "{{"]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2048))
def test_random_bytes_never_crash(data):
    result = validate(data, NO_MARKERS)
    assert all(isinstance(f, Finding) and f.line >= 1 and f.col >= 0 for f in result)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        assert "invalid-utf8" in [f.rule for f in result]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(TOKENS), max_size=200))
def test_token_soup_never_crashes(tokens):
    source = "".join(tokens)
    result = validate(source, NO_MARKERS)
    lines = source.count("\n") + 1
    assert all(1 <= f.line <= lines and f.col >= 0 for f in result)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200))
def test_text_inside_a_string_or_comment_is_never_code(text):
    """Whatever a comment holds, it is not code; nor is a raw triple-quoted
    string's body (escaped so it cannot close itself)."""
    text = text.replace("\x00", "")  # NUL is refused anywhere, comments included
    assert findings("# " + text.replace("\n", " ").replace("\r", " ")) == []
    body = text.replace("\\", "").replace("'", "").replace("\x00", "")
    if "{" not in body and not any(a in body for a in DEFAULT_POLICY.denied_attributes) and "\\N" not in body:
        assert findings("x = r'''" + body + "'''") == []
