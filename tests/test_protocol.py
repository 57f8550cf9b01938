"""The component protocol (docs/api.md, "The component protocol") and the runner's verdict.

The verdict never comes from stdout or from exit status 0 alone: these
components try to fake success and must not get it.  They run with the
validator off (validate_code=False) so the protocol itself is what is tested.
"""

from __future__ import annotations

import pytest

from autopoietic.sandbox import AutopoieticSandbox

from helpers import component

# every test here starts a sandbox: each runs in both execution modes
# (docs/design.md, "Execution modes")
pytestmark = pytest.mark.usefixtures("execution_mode")


@pytest.fixture
def unvalidated(tmp_path):
    with AutopoieticSandbox(temp_dir=tmp_path, timeout_s=20, validate_code=False) as sb:
        yield sb


def test_fake_success_line_then_exception(unvalidated):
    code = component('print("SUCCESS: Component SampleComponent executed successfully")\nraise RuntimeError("no")')
    result = unvalidated.execute_component(code, "sample")
    assert result["success"] is False
    assert "RuntimeError: no" in result["error"]


def test_system_exit_zero_inside_run_is_not_success(unvalidated):
    result = unvalidated.execute_component(component("raise SystemExit(0)"), "sample")
    assert result["success"] is False
    assert "SystemExit" in result["error"]
    assert result["exit_code"] == 1


def test_os_exit_zero_inside_run_is_not_success(unvalidated):
    code = component('print("SUCCESS: Component SampleComponent executed successfully", flush=True)\n'
                     "import os\nos._exit(0)")
    result = unvalidated.execute_component(code, "sample")
    assert result["exit_code"] == 0
    assert result["success"] is False
    assert "never reported run() returning" in result["error"]


def test_forged_verdict_without_the_nonce_is_not_success(unvalidated):
    code = component(
        "import os\n"
        "os.write(4, '\\x1f'.join(['0' * 32, 'ok', '', '', '0', '']).encode())\n"
        "os._exit(0)"
    )
    result = unvalidated.execute_component(code, "sample")
    assert result["success"] is False
    assert "malformed or forged" in result["error"]


def test_garbage_after_a_real_verdict_is_not_success(unvalidated):
    """Extra bytes on the verdict pipe spoil the verdict (fail closed)."""
    code = component(
        "import atexit, os\n"
        "atexit.register(lambda: None)\n"
        "os.write(4, b'junk')"
    )
    result = unvalidated.execute_component(code, "sample")
    assert result["success"] is False


def test_missing_markers_on_the_instance_fail(unvalidated):
    code = (
        '"""modulo_autopoiesis_data_x and _generated_in_sandbox = True only in text"""\n'
        "class Plain:\n    def run(self):\n        return 1\n"
    )
    result = unvalidated.execute_component(code, "plain")
    assert result["success"] is False
    assert "Plain lacks _security_signature, _generated_in_sandbox" in result["error"]


def test_module_without_a_class_fails(unvalidated):
    result = unvalidated.execute_component("x = 1\n", "noclass")
    assert result["success"] is False
    assert "no class is defined in component noclass" in result["error"]


def test_first_class_defined_in_the_module_is_used(unvalidated):
    code = (
        "from collections import OrderedDict\n"  # an imported class comes first in the namespace
        + component('print("first")', class_name="First", name="order")
        + component('print("second")', class_name="Second", name="order")
    )
    result = unvalidated.execute_component(code, "order")
    assert result["success"] is True, result["error"]
    assert result["output"] == "first\nSUCCESS: Component First executed successfully\n"


def test_constructor_failure(unvalidated):
    code = component("return 1", prelude="") .replace(
        "    def run(self):", "    def __init__(self):\n        raise KeyError('ctor')\n    def run(self):"
    )
    result = unvalidated.execute_component(code, "sample")
    assert result["success"] is False
    assert "SampleComponent() raised KeyError" in result["error"]


def test_syntax_error_is_reported(unvalidated):
    result = unvalidated.execute_component("class Broken(:\n    pass\n", "broken")
    assert result["success"] is False
    assert "SyntaxError" in result["error"]


def test_component_is_loaded_under_its_name(unvalidated):
    code = component("import sys\nprint(__name__, type(self).__module__, __name__ in sys.modules)", name="named")
    result = unvalidated.execute_component(code, "named")
    assert result["output"].splitlines()[0] == "named named True"


def test_coding_declaration_is_not_honoured(unvalidated):
    """The child runs the validated text, decoded as UTF-8, not re-decoded."""
    code = "# -*- coding: utf-7 -*-\n" + component('print("+AGU-")')
    result = unvalidated.execute_component(code, "sample")
    assert result["success"] is True, result["error"]
    assert result["output"].splitlines()[0] == "+AGU-"


def test_source_mode_with_a_malformed_verdict_fails(tmp_path):
    with AutopoieticSandbox(temp_dir=tmp_path) as sb:
        result = sb.run_source("import os\nos.write(4, b'junk')")
    assert result["exit_code"] == 0
    assert result["success"] is False
    assert "malformed or forged" in result["error"]


@pytest.mark.parametrize("body, kind", [('raise RuntimeError("never runs")\n        yield', "generator"),
                                        ("return 1", None)])
def test_a_run_that_is_a_generator_has_not_run(unvalidated, body, kind):
    """def run(self): ... yield returns a generator without running the
    body: that is no success (a hostile review found it counted as one)."""
    code = ("class Lazy:\n    _security_signature = 'modulo_autopoiesis_data_lazy'\n"
            "    _generated_in_sandbox = True\n    def run(self):\n        " + body + "\n")
    result = unvalidated.execute_component(code, "lazy")
    if kind is None:
        assert result["success"] is True, result["error"]
        return
    assert result["success"] is False
    assert f"returned a {kind}: its body did not run" in result["error"]


def test_an_async_run_has_not_run(unvalidated):
    code = ("class Lazy:\n    _security_signature = 'modulo_autopoiesis_data_lazy'\n"
            "    _generated_in_sandbox = True\n    async def run(self):\n        raise RuntimeError('never')\n")
    result = unvalidated.execute_component(code, "lazy")
    assert result["success"] is False
    assert "returned a coroutine: its body did not run" in result["error"]
    assert "never awaited" not in result["error"]  # closed, not left to warn
