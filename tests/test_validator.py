"""The validator (docs/validator.md): table-driven, one hostile snippet per
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
#: a line that makes the module's strings count: "{}".format is a
#: string-to-attribute sink (a format field walks attributes)
SINK = "\nprint('{}'.format(name))"


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
    ("getattr-on-builtins", "getattr(__builtins__, 'ev' + 'al')",
     [("dynamic-attribute", 1, 0), ("denied-attribute", 1, 8)]),
    ("setattr-computed", "setattr(obj, name, 1)", [("dynamic-attribute", 1, 0)]),
    ("default-argument", "def f(x=eval): pass", [("denied-name", 1, 8)]),
    ("decorator", "@exec\ndef f(): pass", [("denied-name", 1, 1)]),
    ("subclasses-walk", "().__class__.__base__.__subclasses__()",
     [("denied-attribute", 1, 13), ("denied-attribute", 1, 22)]),
    ("function-globals", "f.__globals__['x']", [("denied-attribute", 1, 2)]),
    ("code-object", "f.__code__", [("denied-attribute", 1, 2)]),
    ("bare-builtins", "b = __builtins__", [("denied-attribute", 1, 4)]),
    ("bound-self-of-builtin", "print.__self__", [("denied-attribute", 1, 6)]),
    ("frame-walk", "exc.__traceback__.tb_frame.f_back.f_globals",  # a traceback is data; its frame is not
     [("denied-attribute", 1, 18), ("denied-attribute", 1, 27), ("denied-attribute", 1, 34)]),
    ("generator-frame", "g.gi_frame.f_locals", [("denied-attribute", 1, 2), ("denied-attribute", 1, 11)]),
    ("coroutine-frame", "c.cr_frame", [("denied-attribute", 1, 2)]),
    ("attribute-across-lines", "x = (obj\n     .__mro__)", [("denied-attribute", 2, 6)]),
    ("module-reexport", "import logging\nlogging.os.system('id')", [("module-attribute", 2, 8)]),
    ("private-module-reexport", "import random\nrandom._os.system('id')", [("module-attribute", 2, 7)]),
    ("functools-sys", "import functools\nfunctools.sys", [("module-attribute", 2, 10)]),
    ("attrgetter-computed", "from operator import attrgetter\nattrgetter(name)", [("dynamic-attribute", 2, 0)]),
    ("methodcaller-computed", "import operator\noperator.methodcaller(name)", [("dynamic-attribute", 2, 9)]),
    ("format-globals", "'{0.__globals__}'.format(f)",
     [("denied-attribute-string", 1, 0), ("format-attribute-walk", 1, 0)]),
    ("format-walk-split", "('{0.' + 'x}').format(f)", [("format-attribute-walk", 1, 1)]),
    # a string counts where the module can turn it into attribute access (SINK)
    ("dunder-in-string", "name = '__subclasses__'" + SINK, [("denied-attribute-string", 1, 7)]),
    ("implicit-concatenation", "name = ('__glo'\n        'bals__')" + SINK, [("denied-attribute-string", 1, 8)]),
    ("hex-escaped-dunder", "name = '\\x5f\\x5fglobals\\x5f\\x5f'" + SINK, [("denied-attribute-string", 1, 7)]),
    ("unicode-escaped-dunder", "name = '\\u005f\\u005fcode\\u005f\\u005f'" + SINK,
     [("denied-attribute-string", 1, 7)]),
    ("octal-escaped-dunder", "name = '\\137\\137mro\\137\\137'" + SINK, [("denied-attribute-string", 1, 7)]),
    ("named-escape", "name = '\\N{LOW LINE}\\N{LOW LINE}globals__'" + SINK,
     [("unicode-name-escape", 1, 8), ("unicode-name-escape", 1, 20)]),
    ("sink-after-the-string", "name = 'f_back'\n\n\ndef later(o):\n    return getattr(o, 'x')",
     [("denied-attribute-string", 1, 7)]),
    ("fstring-field", "s = f'{eval(\"1\")}'", [("denied-name", 1, 7)]),
    ("fstring-nested-spec", "s = f'{x:>{eval(\"2\")}}'", [("denied-name", 1, 11)]),
    ("fstring-nested-fstring", "s = f'{f\"{open(1)}\"}'", [("denied-name", 1, 10)]),
    ("fstring-backslash-brace", "s = f'\\{eval(\"3\")}'", [("denied-name", 1, 8)]),
    ("fstring-conversion", "s = f'{x.__mro__!r}'", [("denied-attribute", 1, 9)]),
    ("rawf-string", "s = rf'{exec(x)}'", [("denied-name", 1, 8)]),
    ("fullwidth-eval", "ｅｖａｌ('1')", [("denied-name", 1, 0)]),
    ("math-italic-open", "𝑜𝑝𝑒𝑛('/etc/passwd')", [("denied-name", 1, 0)]),
    ("fullwidth-dunder", "x.＿＿globals＿＿", [("denied-attribute", 1, 2)]),
    ("coding-utf7", "# -*- coding: utf-7 -*-\nx = '+AGU-val'", [("encoding-declaration", 1, 6)]),
    ("coding-latin1-line2", "#!/usr/bin/env python\n# coding=latin-1\n", [("encoding-declaration", 2, 2)]),
    ("coding-unicode-escape", "# vim: set fileencoding=unicode_escape :\n", [("encoding-declaration", 1, 17)]),
    # frame sources, string-to-attribute sinks, module members (issue: rules fire where code can reach an escape)
    ('logging-currentframe-formatter', "import logging, string\nf = logging.currentframe()\nv = string.Formatter().get_field('0.' + 'f_' + 'back', [f], {})",
     [('denied-attribute', 2, 12), ('dynamic-attribute', 3, 23)]),
    ('from-logging-import-currentframe', 'from logging import currentframe',
     [('denied-name', 1, 20)]),
    ('traceback-walk-stack', 'import traceback\nframes = list(traceback.walk_stack(None))',
     [('denied-attribute', 2, 24)]),
    ('traceback-extract-stack', 'import traceback\ns = traceback.extract_stack()',
     [('denied-attribute', 2, 14)]),
    ('traceback-walk-tb', 'import traceback\ndef f(tb):\n    return [fr for fr, _ in traceback.walk_tb(tb)]',
     [('denied-attribute', 3, 38)]),
    ('sys-getframe-reexport', 'import warnings\nframe = warnings.sys._getframe(1)',
     [('module-attribute', 2, 17), ('denied-attribute', 2, 21), ('private-module-attribute', 2, 21)]),
    ('get-field-literal-walk', "import string\nv = string.Formatter().get_field('0.gi_frame', [g], {})",
     [('denied-attribute-string', 2, 23)]),
    ('get-field-computed', 'import string\nv = string.Formatter().get_field(path, [g], {})',
     [('dynamic-attribute', 2, 23)]),
    ('vformat-walk', "import string\ns = string.Formatter().vformat('{0.gi_frame.f_back}', [g], {})",
     [('denied-attribute-string', 2, 31), ('format-attribute-walk', 2, 31), ('format-attribute-walk', 2, 31)]),
    ('format-map-walk', "s = '{g.gi_frame}'.format_map({'g': g})",
     [('denied-attribute-string', 1, 4), ('format-attribute-walk', 1, 4)]),
    ('logging-formatter-brace', "import logging\nh = logging.Formatter('{msg.__globals__}', style='{')",
     [('denied-attribute-string', 2, 22), ('format-attribute-walk', 2, 22)]),
    ('format-field-split', "s = ('{0.gi_' + 'frame}').format(g)",
     [('format-attribute-walk', 1, 5)]),
    ('format-field-key', "s = '{0[__builtins__]}'.format(d)",
     [('denied-attribute-string', 1, 4), ('format-attribute-walk', 1, 4)]),
    ('getattr-literal-denied', "x = getattr(f, '__globals__')",
     [('denied-attribute-string', 1, 4)]),
    ('getattr-as-value', "import functools\nwalk = functools.reduce(getattr, ['gi_frame', 'f_back'], g)",
     [('dynamic-attribute', 2, 24), ('denied-attribute-string', 2, 34), ('denied-attribute-string', 2, 46)]),
    ('getattr-star-args', 'x = getattr(*pair)',
     [('dynamic-attribute', 1, 4)]),
    ('getattr-fstring-name', "x = getattr(obj, f'{a}{b}')",
     [('dynamic-attribute', 1, 4)]),
    ('hasattr-computed', 'ok = hasattr(obj, name)',
     [('dynamic-attribute', 1, 5)]),
    ('delattr-computed', 'delattr(obj, name)',
     [('dynamic-attribute', 1, 0)]),
    ('attrgetter-dotted-denied', "import operator\nget = operator.attrgetter('f.__globals__')",
     [('denied-attribute-string', 2, 15)]),
    ('methodcaller-denied', "import operator\nm = operator.methodcaller('__reduce_ex__', 2)",
     [('denied-attribute-string', 2, 13)]),
    ('nested-getattr', "x = getattr(getattr(obj, 'a'), name)",
     [('dynamic-attribute', 1, 4)]),
    ('getattr-module-reexport', "import logging\nos_module = getattr(logging, 'os')",
     [('module-attribute', 2, 12)]),
    ('module-dict', "import logging\nos_module = logging.__dict__['os']",
     [('module-dict', 2, 20)]),
    ('submodule-dict', 'import json\nns = json.decoder.__dict__',
     [('module-dict', 2, 18)]),
    ('module-as-value', "import logging\nlg = logging\nlg.os.system('id')",
     [('module-as-value', 2, 5), ('module-attribute', 3, 3)]),
    ('module-in-a-list', 'import random\nmods = [random]',
     [('module-as-value', 2, 8)]),
    ('from-import-reexport', 'from logging import os',
     [('module-attribute', 1, 20)]),
    ('from-import-private', 'from random import _os',
     [('module-attribute', 1, 19)]),
    ('private-module-helper', "import uuid\nout = uuid._get_command_stdout('id')",
     [('private-module-attribute', 2, 11)]),
    ('module-chain-through-call', 'import warnings\nsys_module = warnings.catch_warnings()._module.sys',
     [('private-module-attribute', 2, 39), ('module-attribute', 2, 47)]),
    ('deep-module-reexport', 'import json\njson.decoder.re.sys',
     [('module-attribute', 2, 13), ('module-attribute', 2, 16)]),
    ('contextlib-sys', 'import contextlib\ncontextlib.sys.modules',
     [('module-attribute', 2, 11)]),
    ('concurrent-threading', 'from concurrent.futures.thread import threading',
     [('module-attribute', 1, 38)]),
    ('process-pool', 'import concurrent.futures\npool = concurrent.futures.ProcessPoolExecutor()',
     [('denied-attribute', 2, 26)]),
    ('process-pool-module', 'import concurrent.futures.process',
     [('denied-import', 1, 7)]),
    ('get-type-hints', 'import typing\nhints = typing.get_type_hints(f)',
     [('denied-attribute', 2, 15)]),
    ('forward-ref', 'from typing import ForwardRef',
     [('denied-name', 1, 19)]),
    ('annotations-write', 'class C:\n    pass\nC.__annotations__ = {name: int}',
     [('denied-attribute', 3, 2)]),
    ('define-reduce', "class C:\n    def __reduce__(self):\n        return (print, ('x',))",
     [('denied-attribute', 2, 8)]),
    ('frame-of-generator-string', "name = 'gi_frame'\nv = '{0.' + name + '}'\nv.format(g)",
     [('denied-attribute-string', 1, 7), ('format-attribute-walk', 2, 4)]),
    # a second hostile review (each was accepted and reached os, builtins, eval or a file)
    ('submodule-reexport-as-value', "import logging\nt = logging.traceback\nt.sys.modules['os']",
     [('module-attribute', 2, 12), ('module-attribute', 3, 2)]),
    ('lone-cr-ends-a-comment', 'x = 1 # harmless\rimport os\rprint(os.getpid())\n',
     [('line-ending', 1, 16), ('line-ending', 1, 26)]),
    ('formatter-subclass-captures', "import string\nclass F(string.Formatter):\n    def format_field(self, value, spec):\n        return ''",
     [('denied-attribute', 2, 15), ('denied-attribute', 3, 8)]),
    ('formatter-hook-assigned', 'import string\nstring.Formatter.convert_field = hook',
     [('denied-attribute', 2, 7), ('denied-attribute', 2, 17)]),
    ('alias-of-attrgetter', "from operator import attrgetter as ag\nb = ag('x')",
     [('dynamic-attribute', 1, 35)]),
    ('star-args-shift-the-name', "g = getattr(*(f, '__glo' + 'bals__'), 'default')",
     [('dynamic-attribute', 1, 4)]),
    ('star-args-attrgetter', 'import operator\nget = operator.attrgetter(*names)',
     [('dynamic-attribute', 2, 15)]),
    ('singledispatch-string-annotation', 'import functools\n@functools.singledispatch\ndef g(x): pass\n@g.register\ndef _(x: "print(__import__(\'os\').getpid()) or int"): pass',
     [('denied-name', 5, 9)]),
    ('return-annotation-string', 'def f() -> "exec(\'1\')":\n    pass',
     [('denied-name', 1, 11)]),
    ('logging-file-handler', "import logging\nh = logging.FileHandler('/etc/passwd', 'r')",
     [('denied-attribute', 2, 12)]),
    ('frame-summary-reads-a-line', "import traceback\nline = traceback.FrameSummary('/etc/passwd', 1, 'x').line",
     [('denied-attribute', 2, 17)]),
    ('shlex-sourcehook-opens', "import shlex\nname, f = shlex.shlex().sourcehook('/etc/passwd')",
     [('module-attribute', 2, 16), ('denied-attribute', 2, 24)]),
    ('formatwarning-reads-a-line', "import warnings\ntext = warnings.formatwarning('m', UserWarning, '/etc/passwd', 1)",
     [('denied-attribute', 2, 16)]),
    ('io-stream-of-a-handler', 'import logging\ns = logging.StreamHandler().stream.buffer',
     [('module-attribute', 2, 28), ('module-attribute', 2, 35)]),
    ('enum-bltns-is-builtins', "import enum\nenum.bltns.exec('1')",
     [('module-attribute', 2, 5)]),
    ('parenthesised-reexport', 'import logging\n(logging.traceback).sys',
     [('module-attribute', 2, 9), ('module-attribute', 2, 20)]),
    ('from-import-reexport-module', 'from logging import traceback',
     [('module-attribute', 1, 20)]),
    ('update-wrapper-copies-by-name', "import functools\nfunctools.update_wrapper(w, f, assigned=('__glo' 'bals__',), updated=())",
     [('dynamic-attribute', 2, 10), ('denied-attribute-string', 2, 41)]),
    ('wraps-assigned-names', "import functools\ndeco = functools.wraps(f, ('__glo' + 'bals__',))",
     [('dynamic-attribute', 2, 17)]),
    ('forward-ref-evaluate', "import typing\nfr = typing.List['int'].__args__[0]\nfr._evaluate({}, {}, frozenset())",
     [('denied-attribute', 3, 3), ('private-module-attribute', 3, 3)]),
    ('catch-warnings-held-in-a-name', 'import warnings\nw = warnings.catch_warnings()\nw._module.sys',
     [('private-module-attribute', 3, 2), ('module-attribute', 3, 10)]),
    ('with-as-held-module-object', 'import warnings\nwith warnings.catch_warnings() as w:\n    w._module.sys',
     [('private-module-attribute', 3, 6), ('module-attribute', 3, 14)]),
    ('class-dict-slot-wrapper', "ga = object.__dict__['__getattri' 'bute__']",
     [('denied-attribute-string', 1, 12)]),
    ('class-dict-computed-key', 'ga = object.__dict__[name]',
     [('dynamic-attribute', 1, 12)]),
    ('class-dict-iterated', 'for key, value in object.__dict__.items():\n    pass',
     [('dynamic-attribute', 1, 25)]),
    ('class-dict-handed-on', 'd = dict(type(f).__dict__)',
     [('dynamic-attribute', 1, 17)]),
    ('class-dict-get-computed', 'v = type(f).__dict__.get(name)',
     [('dynamic-attribute', 1, 12)]),
    ('lambda-string-is-an-expression', "s = lambda: '{0.__globals__}'\n'{}'.format(s)",
     [('denied-attribute-string', 1, 12), ('format-attribute-walk', 1, 12)]),
    ('fstring-debug-specifier', "s = f'{eval=}'",
     [('denied-name', 1, 7)]),
    ('star-import-hands-out-os', 'from uuid import *\nos.getpid()',
     [('star-import', 1, 17)]),
    ('module-object-in-a-tuple-target', 'import warnings\nw, = [warnings.catch_warnings()]\nw._module.sys',
     [('module-attribute', 3, 2), ('module-attribute', 3, 10)]),
    ('module-object-from-a-loop', 'import warnings\nfor w in [warnings.catch_warnings()]:\n    w._module',
     [('module-attribute', 3, 6)]),
    ('submodule-not-yet-imported-as-value', 'from logging import handlers\nh = handlers\nh.os',
     [('module-as-value', 2, 4), ('module-attribute', 3, 2)]),
    ('dotted-submodule-as-value', 'import logging.handlers\nh = (logging.handlers)',
     [('module-as-value', 2, 13)]),
    ('annotation-is-a-reference', 'import dataclasses\n@dataclasses.dataclass\nclass C:\n    x: eval = None',
     [('denied-name', 4, 7)]),
    ('annotation-holds-a-string', "import functools\n@functools.singledispatch\ndef g(x): pass\nann = 'int'\n@g.register\ndef _(x: ann): pass",
     [('annotation-name', 6, 9)]),
    ('type-with-a-namespace', "F = type('F', (base,), {'format_' + 'field': hook})",
     [('dynamic-attribute', 1, 4)]),
    ('type-setattr-computed', "type.__setattr__(F, 'format_' + 'field', hook)",
     [('dynamic-attribute', 1, 5)]),
    ('formatter-subclassed', 'import string\nclass F(string.Formatter):\n    pass',
     [('denied-attribute', 2, 15)]),
    ('formatter-handed-on', 'from string import Formatter as B\nclass F(B):\n    pass',
     [('denied-attribute', 2, 8)]),
    ('basicconfig-opens-a-path', "import logging\nlogging.basicConfig(filename='/etc/passwd', filemode='r')",
     [('dynamic-attribute', 2, 8), ('dynamic-attribute', 2, 8)]),
    ('base-rotating-handler', "import logging.handlers\nh = logging.handlers.BaseRotatingHandler('/etc/passwd', 'r')",
     [('denied-attribute', 2, 21)]),
    ('format-list-reads-a-line', "import traceback\ntraceback.format_list([('/etc/passwd', 1, 'x', None)])",
     [('denied-attribute', 2, 10)]),
    ('zoneinfo-tzpath', "import zoneinfo\nzoneinfo.reset_tzpath(['/etc'])",
     [('denied-attribute', 2, 9)]),
    ('datagram-socket', "import logging.handlers\nh = logging.handlers.DatagramHandler('127.0.0.1', 9)",
     [('denied-attribute', 2, 21)]),
    ('lone-cr-after-a-backslash', 'x = 1 + \\\r2',
     [('line-ending', 1, 9)]),
    ('setattr-from-a-class-dict', "type.__dict__['__setattr__'](F, 'format_' + 'field', hook)",
     [('dynamic-attribute', 1, 5)]),
    ('format-from-a-class-dict', "s = str.__dict__['format']('{0.__globals__}', f)",
     [('dynamic-attribute', 1, 8)]),
    ('class-of-a-formatter', 'import string\nclass F(string.Formatter().__class__):\n    pass',
     [('module-attribute', 2, 27)]),
    ('type-of-a-formatter', 'import string\nfmt = string.Formatter()\nF = type(fmt)',
     [('module-attribute', 3, 4)]),
    ('metaclass-new-builds-a-namespace', "class M(type):\n    def __new__(mcls, name, bases, ns):\n        ns['format_' + 'field'] = hook\n        return super().__new__(mcls, name, bases, ns)",
     [('dynamic-attribute', 2, 8)]),
    ('super-setattr-computed', 'class C:\n    def set(self, name, value):\n        super().__setattr__(name, value)',
     [('dynamic-attribute', 3, 16)]),
    ('warn-explicit-reads-a-line', "import warnings\nwarnings.warn_explicit('m', UserWarning, '/etc/passwd', 1)",
     [('denied-attribute', 2, 9)]),
    ('stack-summary-of-fake-frames', 'import traceback\nlines = traceback.StackSummary.extract(frames)',
     [('denied-attribute', 2, 18)]),
    ('shlex-source-keyword', "import shlex\nlex = shlex.shlex('source /etc/passwd')",
     [('module-attribute', 2, 12)]),
    ('stream-buffer-through-a-function', 'import logging\nh = same(logging.lastResort)\nb = h.stream.buffer',
     [('module-attribute', 3, 13)]),
    ('enum-convert-imports-any-module', "import enum\nB = enum.Enum._convert_('B', 'builtins', lambda n: n == 'eval')",
     [('denied-attribute', 2, 14), ('private-module-attribute', 2, 14)]),
    ('enum-convert-on-a-local-enum', "import enum\nclass E(enum.Enum):\n    pass\nB = E._convert_('B', 'builtins', f)",
     [('denied-attribute', 4, 6)]),
    ('sunder-private-helper', 'import weakref\nr = weakref.finalize._registry_',
     [('private-module-attribute', 2, 21)]),
    ('set-stream-hands-out-stderr', 'import logging\nerr = logging.StreamHandler().setStream(logging.StreamHandler())',
     [('module-attribute', 2, 30)]),
    ('detach-to-the-raw-file', 'import logging\nh = logging.StreamHandler()\nf = h.detach()',
     [('module-attribute', 3, 6)]),
    ('init-re-makes-an-object', "f = g.detach()\nf.__init__('/etc/hostname')",
     [('dynamic-attribute', 2, 2)]),
    ('register-an-instance', 'import functools\n@functools.singledispatch\ndef g(x):\n    return x\ng.register(h)',
     [('dynamic-attribute', 5, 2)]),
    ('register-of-an-assigned-dispatch', 'import functools\ng = functools.singledispatch(f)\ng.register(h)',
     [('dynamic-attribute', 3, 2)]),
    ('register-handed-on', 'import functools\n@functools.singledispatch\ndef g(x):\n    return x\nr = g.register',
     [('dynamic-attribute', 5, 6)]),
    ('format-tb-of-a-fake', 'import traceback\nlines = traceback.format_tb(fake)',
     [('denied-attribute', 2, 18)]),
    ('format-stack-of-a-fake', 'import traceback\nlines = traceback.format_stack(fake)',
     [('denied-attribute', 2, 18)]),
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
    # idioms of generated code (issue: a rule fires where code can reach an escape, not where a name is named)
    'self._logger.info(f"Running {{self.__class__.__name__}} component (EXPANDED)")',
    'self._logger.error(f"Error in {{self.__class__.__name__}}: {{e}}", exc_info=True)',
    'name = self.__class__.__name__',
    'name = type(self).__name__',
    "q = f'{self.__class__.__qualname__} from {self.__class__.__module__}'",
    "class A(Base):\n    def __init__(self):\n        super().__init__()\n        self.__doc__ = 'x'",
    "def f():\n    '''Never call __import__('os') or eval(x) here.'''\n    return 1",
    "'''Module docstring: uses __subclasses__ and f_back in prose.'''\nx = '{}'.format(1)",
    "def g():\n    'f_globals and __globals__ are only words here'\n    return getattr(g, 'x', None)",
    'state = dict(self.__dict__)',
    "def to_dict(self):\n    return {k: v for k, v in self.__dict__.items() if not k.startswith('_')}",
    'other.__dict__.update(self.__dict__)',
    "value = getattr(obj, 'name', None)",
    "if hasattr(obj, 'run'):\n    obj.run()",
    "setattr(self, 'x', 1)",
    "delattr(self, 'cache')",
    "setattr(self, 'retry' 'count', 3)",
    "s = 'Hello {user.name}'.format(user=u)",
    "s = '{0.x} and {0.y}'.format(point)",
    "s = '{name} has {count:>4d} items'.format_map(data)",
    "s = '{config[mode]}'.format(config=cfg)",
    "import string\nt = string.Template('$who likes $what').substitute(who='a', what='b')",
    "import string\ns = string.Formatter().format('{0.name}', obj)",
    "import operator\nrows.sort(key=operator.attrgetter('priority', 'name'))",
    "from operator import attrgetter, itemgetter, methodcaller\nk = attrgetter('a.b')\nu = methodcaller('upper')",
    "import logging\nfmt = logging.Formatter('{asctime} {levelname} {message}', style='{')",
    "note = 'if_backup and tb_frames_total are fine'\nprint('{}'.format(note))",
    'import contextlib, uuid, warnings, traceback, weakref, queue, hashlib, hmac, secrets',
    'import concurrent.futures\nwith concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:\n    list(pool.map(abs, [1, -2]))',
    'from concurrent.futures import ThreadPoolExecutor, as_completed',
    'import traceback\ntry:\n    1 / 0\nexcept ZeroDivisionError:\n    text = traceback.format_exc()',
    'import array, struct, base64, binascii, zlib, pprint, reprlib, difflib, unicodedata, html, calendar',
    'import zoneinfo, graphlib, colorsys, numbers, statistics, heapq, bisect, copy, textwrap, decimal, fractions',
    "import warnings\nwarnings.warn('deprecated', DeprecationWarning, stacklevel=2)",
    'import uuid\nident = str(uuid.uuid4())',
    "import hashlib\ndigest = hashlib.sha256(b'x').hexdigest()",
    "import json\ndata = json.loads(json.dumps({'a': 1}))",
    "import logging\nlogger = logging.getLogger(__name__)\nlogger.info('%s done', 'x')",
    'import logging\nlevel = logging.INFO if verbose else logging.DEBUG',
    'import logging.handlers',
    'from dataclasses import dataclass, field\n@dataclass\nclass P:\n    x: int = 0\n    tags: list = field(default_factory=list)',
    "import math\nok = hasattr(math, 'isqrt')",
    'class C:\n    def __getattr__(self, name):\n        return self.data[name]',
    "class C:\n    __slots__ = ('a', 'b')\n    def __eq__(self, other):\n        return type(self) is type(other) and self.a == other.a",
    "self.code = 200\nself.signal = 'stop'\nself.types = ['a']\nself.resource = pool",
    'response.code == 404 or event.signal',
    'import collections.abc\nok = isinstance(x, collections.abc.Mapping)',
    'import collections\nok = isinstance(x, collections.abc.Mapping)',
    'import random, datetime, copy, time\nr = random.random()\nnow = datetime.datetime.now()\nc = copy.copy(x)\nt = time.time()',
    "import json\ntry:\n    json.loads('x')\nexcept json.decoder.JSONDecodeError:\n    pass",
    'from json import decoder\nerror = decoder.JSONDecodeError',
    'import concurrent.futures\npool = concurrent.futures.ThreadPoolExecutor(2)',
    'import functools\ndef deco(f):\n    @functools.wraps(f)\n    def inner(*a, **k):\n        return f(*a, **k)\n    return inner',
    'from typing import Optional\nclass Node:\n    def add(self, other: "Optional[Node]") -> "Node":\n        return self',
    "x = 3\ns = f'{x=} {x = }'",
    "from collections import namedtuple\nP = namedtuple('P', 'x y')\nprint(P._fields, P(1, 2)._asdict(), P._make([1, 2])._replace(x=3))",
    'import enum\nclass C(enum.Enum):\n    A = 1\nv = C.A._value_',
    'def __eq__(self, other):\n    return self.__dict__ == other.__dict__',
    "ok = 'name' in obj.__dict__",
    'for k, v in self.__dict__.items():\n    print(k, v)',
    "name = obj.__dict__['name']\nobj.__dict__.update(extra)",
    "import warnings\nwith warnings.catch_warnings():\n    warnings.simplefilter('ignore')",
    'self.stream = []\nself.buffer = bytearray()\nself.raw = text',
    "rows.sort(key=lambda r: 'x' if r else 'y')",
    'import logging\nhandler = logging.StreamHandler()\nhandler.setLevel(logging.INFO)',
    'import logging\nlogger = logging.getLogger(__name__)\nlogger.addHandler(logging.NullHandler())',
    "import functools\n@functools.singledispatch\ndef show(x):\n    return str(x)\n@show.register\ndef _(x: int):\n    return 'int'\n@show.register(list)\ndef _(x):\n    return 'list'",
    "from typing import TypeVar, Generic, List\nT = TypeVar('T')\nclass Box(Generic[T]):\n    def put(self, item: T) -> List[T]:\n        return [item]",
    "import logging\nlogging.basicConfig(level=logging.INFO, format='%(message)s')",
    "import string\nt = string.Formatter().format('{0} {1}', 'a', 'b')",
    'class Registry:\n    def register(self, item):\n        return item\nr = Registry()\nr.register(1)',
    "class Frozen:\n    def __init__(self):\n        object.__setattr__(self, 'x', 1)",
    'kind = type(obj)\nok = isinstance(x, type)',
    'import functools\n@functools.singledispatch\ndef g(x):\n    return x\n@g.register\ndef _(x: int):\n    return 1\n@g.register(list)\ndef _(x):\n    return 2\ng.register(float, lambda x: 3)',
    'class Base:\n    def __init__(self):\n        self.x = 1\nclass A(Base):\n    def __init__(self):\n        Base.__init__(self)\n        super().__init__()',
    'import enum\nclass C(enum.Enum):\n    A = 1\n    @classmethod\n    def _missing_(cls, v):\n        return cls.A\nv = C.A._value_',
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


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200))
def test_a_string_statement_is_text_even_beside_a_sink(text):
    """A docstring says what it likes (eval(, __import__(, {0.__globals__},
    \\N{...}): a string statement never produces a finding, even in a
    module whose other strings count (it has getattr and str.format)."""
    body = text.replace("\\", "").replace("'", "").replace("\x00", "")
    source = "def f(o):\n    r'''" + body + "'''\n    return getattr(o, 'x'), '{}'.format(o)\n"
    assert findings(source) == []


def test_the_module_graph_is_found_by_introspection():
    from autopoietic.validator import module_graph

    reexports, submodules = module_graph(DEFAULT_POLICY.allowed_modules, DEFAULT_POLICY.denied_modules)
    assert {"logging.traceback", "logging.os", "enum.bltns", "json.decoder.re"} <= reexports
    assert {"json.decoder", "collections.abc"} <= submodules
    assert not reexports & submodules
    # data, as every field: an explicit graph replaces the found one
    blind = NO_MARKERS.with_changes(reexports=frozenset(), submodules=frozenset())
    assert findings("import enum\nenum.bltns", blind) == []
    assert findings("import enum\nenum.bltns") == [("module-attribute", 2, 5)]
    with pytest.raises(TypeError):
        NO_MARKERS.with_changes(reexports="logging.os")
