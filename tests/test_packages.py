"""Third-party packages inside the sandbox: ``AutopoieticSandbox(python=,
site_packages=, preload=)`` (docs/api.md) and the validator's
``ValidatorPolicy.allowing``.  Every run is a real sandbox, in both
execution modes where the mode matters.

numpy and pandas come with the ``[test]`` extra and run from the test
run's own interpreter (``sys.executable``, a virtual environment's);
Debian's dist-packages (and its python3-numpy, whose BLAS is reached
through /etc/alternatives) are tried where ``/usr/bin/python3`` and the
package exist, and skipped cleanly elsewhere.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
import venv
from pathlib import Path

import pytest

from autopoietic import _rootfs
from autopoietic.sandbox import AutopoieticSandbox, SandboxError
from autopoietic.validator import DEFAULT_POLICY, PACKAGE_ESCAPES, validate

from helpers import UNDER_ASAN, WARM_UNDER_ASAN, component

#: RLIMIT_AS that pandas needs to import in warm mode (160 MiB measured:
#: docs/api.md, "Third-party packages"), with room to spare.
MEMORY_MB = 256
SYSTEM_PYTHON = "/usr/bin/python3"
DEBIAN_DIST_PACKAGES = "/usr/lib/python3/dist-packages"

NUMPY_AND_PANDAS = """
import numpy as np
import pandas as pd
a = np.arange(12, dtype=float).reshape(3, 4)
print(int(a.sum()), float(np.linalg.norm([3.0, 4.0])))
frame = pd.DataFrame({"k": ["x", "y", "x"], "v": [1, 2, 3]})
print(frame.groupby("k")["v"].sum().to_dict())
"""


def sandbox_with(tmp_path: Path, **options: object) -> AutopoieticSandbox:
    options.setdefault("max_memory_mb", MEMORY_MB)
    return AutopoieticSandbox(temp_dir=tmp_path, timeout_s=60, **options)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def small_venv(tmp_path_factory) -> Path:
    """A venv of this interpreter without pip, whose site-packages holds
    ``tiny_pkg`` (a package with a submodule), ``starts_a_thread`` (a
    module that starts a thread at import) and a .pth file that would
    print if it were processed."""
    root = tmp_path_factory.mktemp("small-venv")
    venv.EnvBuilder(with_pip=False, symlinks=True).create(root)
    site_dir = Path(next(d for d in _rootfs.interpreter(str(root / "bin" / "python")).site_dirs if os.path.isdir(d)))
    (site_dir / "tiny_pkg").mkdir()
    (site_dir / "tiny_pkg" / "__init__.py").write_text("VALUE = 41\n")
    (site_dir / "tiny_pkg" / "more.py").write_text("def answer():\n    return 42\n")
    (site_dir / "starts_a_thread.py").write_text(
        "import threading, time\nthreading.Thread(target=time.sleep, args=(60,), daemon=True).start()\n")
    (site_dir / "zz_visible.pth").write_text("import sys; sys.stdout.write('PTH RAN\\n')\n")
    for dirpath, _, filenames in os.walk(root):  # readable by the sandbox's uid, whatever the umask
        os.chmod(dirpath, 0o755)
        for name in filenames:
            if not os.path.islink(os.path.join(dirpath, name)):
                os.chmod(os.path.join(dirpath, name), 0o644)
    return root


def system_python_usable() -> bool:
    return os.path.isfile(SYSTEM_PYTHON) and os.access(SYSTEM_PYTHON, os.X_OK)


def host_imports(python: str, module: str) -> bool:
    """Can python import module on the host (with its site-packages)?"""
    return subprocess.run([python, "-c", f"import {module}"], capture_output=True).returncode == 0


# -- numpy and pandas ----------------------------------------------------------


def test_numpy_and_pandas_run_inside(tmp_path, execution_mode):
    with sandbox_with(tmp_path, python=sys.executable, site_packages=True) as sb:
        result = sb.run_source(NUMPY_AND_PANDAS)
    assert result["success"], result["error"]
    assert result["output"].splitlines() == ["66 5.0", "{'x': 4, 'y': 2}"]


def test_preloaded_numpy_is_loaded_when_the_component_starts(tmp_path):
    if UNDER_ASAN:
        pytest.skip(WARM_UNDER_ASAN)
    probe = "import sys\nprint('numpy' in sys.modules)\nimport numpy\nprint(numpy.ones(3).sum())\n"
    with sandbox_with(tmp_path, mode="warm", python=sys.executable, site_packages=True, preload=("numpy",)) as sb:
        preloaded = sb.run_source(probe)
        server = sb._warm.thread_server()
    with sandbox_with(tmp_path, mode="warm", python=sys.executable, site_packages=True) as sb:
        cold = sb.run_source(probe)
    with sandbox_with(tmp_path, mode="spawn", python=sys.executable, site_packages=True, preload=("numpy",)) as sb:
        spawned = sb.run_source(probe)  # spawn mode ignores preload
    assert server.cache, "the preloaded run was not served by the fork server"
    for result in (preloaded, cold, spawned):
        assert result["success"], result["error"]
    assert preloaded["output"].splitlines() == ["True", "3.0"]
    assert cold["output"].splitlines() == ["False", "3.0"]
    assert spawned["output"].splitlines() == ["False", "3.0"]


def test_blas_pools_have_one_thread(tmp_path, execution_mode):
    with sandbox_with(tmp_path, python=sys.executable, site_packages=True) as sb:
        result = sb.run_source(
            "import os, numpy\n"
            "print(sorted(k for k in os.environ if k.endswith('_NUM_THREADS')), len(os.listdir('/proc/self/task')))\n")
    assert result["success"], result["error"]
    assert result["output"].strip() == "['MKL_NUM_THREADS', 'OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS'] 1"


def test_a_package_that_is_not_installed_is_still_missing(tmp_path, execution_mode):
    with sandbox_with(tmp_path, python=sys.executable, site_packages=True) as sb:
        result = sb.run_source("import autopoietic_no_such_package\n")
    assert not result["success"]
    assert "ModuleNotFoundError: No module named 'autopoietic_no_such_package'" in result["error"]


# -- a venv of this interpreter --------------------------------------------------


def test_a_venvs_packages_without_pth_files(tmp_path, small_venv, execution_mode):
    python = str(small_venv / "bin" / "python")
    with sandbox_with(tmp_path, python=python, site_packages=True) as sb:
        result = sb.run_source("import tiny_pkg, tiny_pkg.more\nprint(tiny_pkg.VALUE, tiny_pkg.more.answer())\n")
    assert result["success"], result["error"]
    assert result["output"] == "41 42\n"  # and no "PTH RAN": .pth files are not processed


def test_preload_that_fails_falls_back_to_spawn_naming_the_module(tmp_path, small_venv, caplog):
    if UNDER_ASAN:
        pytest.skip(WARM_UNDER_ASAN)
    python = str(small_venv / "bin" / "python")
    for preload, why in ((("starts_a_thread",), "preloading 'starts_a_thread' started 1 thread(s)"),
                         (("autopoietic_no_such_package",), "preloading 'autopoietic_no_such_package' failed: "
                                                             "ModuleNotFoundError")):
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="autopoietic.sandbox"), \
                sandbox_with(tmp_path, mode="warm", python=python, site_packages=True, preload=preload) as sb:
            result = sb.run_source("import tiny_pkg\nprint(tiny_pkg.VALUE)\n")
        assert result["success"], result["error"]
        assert result["output"] == "41\n"
        assert "warm mode is unavailable, running in spawn mode" in caplog.text
        assert why in caplog.text


# -- invisible without the option ------------------------------------------------


def interpreters() -> list[str]:
    found = [sys.executable]
    if system_python_usable():
        found.append(SYSTEM_PYTHON)
    return found


@pytest.mark.parametrize("python", interpreters(), ids=lambda p: "venv" if p == sys.executable else "system")
def test_site_packages_are_invisible_without_the_option(tmp_path, python, execution_mode):
    info = _rootfs.interpreter(python)
    dirs = sorted({os.path.realpath(d) for d in info.all_site_dirs if os.path.isdir(d)})
    assert dirs, "this interpreter has no site-packages directory to hide"
    with sandbox_with(tmp_path, python=python) as sb:
        result = sb.run_source(textwrap.dedent(f"""
            import os, sys
            for d in {dirs!r}:
                print(d, os.path.isdir(d) and bool(os.listdir(d)))
            for name in ("pytest", "numpy", "autopoietic"):
                try:
                    __import__(name)
                    print(name, "imported")
                except ImportError:
                    print(name, "missing")
            print(sys.version_info[:2] == {tuple(info.version[:2])!r})
        """))
    assert result["success"], result["error"]
    assert result["output"].splitlines() == ([f"{d} False" for d in dirs]
                                             + ["pytest missing", "numpy missing", "autopoietic missing", "True"])


def test_numpy_stays_refused_by_the_default_policy(tmp_path):
    code = component("print(numpy.ones(2).sum())", prelude="import numpy")
    with sandbox_with(tmp_path, python=sys.executable, site_packages=True) as sb:
        assert not sb.validate_component(code)
        with pytest.raises(SandboxError) as refused:
            sb.execute_component(code, "uses_numpy")
    assert [f.rule for f in refused.value.findings] == ["unknown-import"]


# -- Debian's dist-packages ------------------------------------------------------


def test_debian_dist_packages_with_the_option(tmp_path, execution_mode):
    if not system_python_usable() or not os.path.isdir(DEBIAN_DIST_PACKAGES):
        pytest.skip(f"no Debian {SYSTEM_PYTHON} with {DEBIAN_DIST_PACKAGES} here")
    numpy = host_imports(SYSTEM_PYTHON, "numpy")
    with sandbox_with(tmp_path, python=SYSTEM_PYTHON, site_packages=True) as sb:
        result = sb.run_source(textwrap.dedent(f"""
            import os, sys
            print({DEBIAN_DIST_PACKAGES!r} in sys.path, bool(os.listdir({DEBIAN_DIST_PACKAGES!r})))
            if {numpy!r}:
                import numpy as np
                print(np.__file__.startswith("/usr/lib/python3/"), np.linalg.solve([[2.0, 0.0], [0.0, 4.0]], [2.0, 8.0]))
        """))
    assert result["success"], result["error"]
    lines = result["output"].splitlines()
    assert lines[0] == "True True"
    if not numpy:
        pytest.skip("Debian's python3-numpy is not installed (apt-get install python3-numpy)")
    assert lines[1] == "True [1. 2.]"  # LAPACK, loaded through /etc/alternatives


# -- the validator -----------------------------------------------------------------


ALLOWING = DEFAULT_POLICY.allowing("numpy", "pandas")


@pytest.mark.parametrize("source", [
    "import numpy as np\n",
    "from numpy.linalg import norm\n",
    "import numpy.linalg as la\n",
    "import pandas as pd\n",
    "import numpy as np\nx = np.linalg.norm(np.ones(3))\n",
])
def test_allowed_packages_pass(source):
    assert validate(source, ALLOWING.with_changes(require_markers=False)) == []


@pytest.mark.parametrize("source, rule", [
    ("import scipy\n", "unknown-import"),
    ("import numpy as np\nnp.ctypeslib.load_library('x', '.')\n", "module-attribute"),
    ("from numpy import ctypeslib\n", "denied-import"),
    ("import numpy.f2py\n", "denied-import"),
    ("import numpy as np\nnp.ctypeslib.ctypes.CDLL\n", "module-attribute"),
    ("import numpy as np\nnp.f2py.os.system('x')\n", "module-attribute"),
    ("import numpy as np\nnp.core.numeric.sys.modules\n", "module-attribute"),
])
def test_what_allowed_packages_reach_is_refused(source, rule):
    findings = validate(source, ALLOWING.with_changes(require_markers=False))
    assert findings and {f.rule for f in findings} == {rule}, findings


def test_allowing_is_a_copy_with_the_packages_and_their_escapes():
    assert {"numpy", "pandas"} <= ALLOWING.allowed_modules
    assert set(PACKAGE_ESCAPES["numpy"]) <= ALLOWING.denied_modules
    assert "numpy" not in DEFAULT_POLICY.allowed_modules
    denied = DEFAULT_POLICY.allowing("os")
    assert [f.rule for f in validate("import os\n", denied.with_changes(require_markers=False))] == ["denied-import"]
    with pytest.raises(TypeError):
        DEFAULT_POLICY.allowing(1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="top-level"):
        DEFAULT_POLICY.allowing("numpy.linalg")
    with pytest.raises(ValueError, match="dotted"):
        DEFAULT_POLICY.allowing("numpy", denying=("numpy..x",))


def test_execute_component_with_numpy_end_to_end(tmp_path, execution_mode):
    code = component("print(float(norm(np.array([6.0, 8.0]))))",
                     prelude="import numpy as np\nfrom numpy.linalg import norm")
    with sandbox_with(tmp_path, python=sys.executable, site_packages=True, validator_policy=ALLOWING) as sb:
        result = sb.execute_component(code, "uses_numpy")
    assert result["success"], result["error"]
    assert result["security_validated"]
    assert result["output"].splitlines()[0] == "10.0"


# -- bad options ---------------------------------------------------------------------


@pytest.mark.parametrize("python, error, match", [
    (3, TypeError, "python must be a path"),
    (b"/usr/bin/python3", TypeError, "python must be a path"),
    ("/nonexistent/python", SandboxError, "is not an executable file"),
    (os.path.dirname(sys.executable), SandboxError, "is not an executable file"),
    ("/bin/true", SandboxError, "is not a Python interpreter"),
    ("/bin/false", SandboxError, "cannot run components"),
])
def test_bad_python_is_refused_clearly(tmp_path, python, error, match):
    if isinstance(python, str) and python.startswith("/bin/") and not os.path.exists(python):
        pytest.skip(f"no {python} here")
    with pytest.raises(error, match=match):
        AutopoieticSandbox(temp_dir=tmp_path, python=python)


def test_a_file_that_is_not_executable_is_refused(tmp_path):
    script = tmp_path / "python"
    script.write_text("#!/bin/sh\n")
    with pytest.raises(SandboxError, match="is not an executable file"):
        AutopoieticSandbox(temp_dir=tmp_path, python=script)


@pytest.mark.parametrize("preload, error", [
    ("numpy", TypeError),
    ((1,), TypeError),
    (("",), ValueError),
    (("numpy linalg",), ValueError),
    (("numpy..linalg",), ValueError),
    (("import",), ValueError),
])
def test_bad_preload_is_refused(tmp_path, preload, error):
    with pytest.raises(error, match="preload"):
        AutopoieticSandbox(temp_dir=tmp_path, preload=preload)


def test_python_accepts_a_path_object_and_dotted_preload(tmp_path):
    with AutopoieticSandbox(temp_dir=tmp_path, python=Path(sys.executable), preload=["numpy.linalg", "json"]) as sb:
        assert sb.preload == ("numpy.linalg", "json")
        assert not sb.site_packages
