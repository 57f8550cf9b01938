"""Attack: read this package's own source (and the venv / site-packages).
Expected: ENOENT; components see the standard library only."""

import os
import sysconfig

import autopoietic
from attack import assert_clear_result


def test_read_package_source(run):
    package = os.path.realpath(autopoietic.__file__)
    site = os.path.realpath(sysconfig.get_paths()["purelib"])
    result = run(
        "import os, sys\n"
        f"print(os.path.exists({package!r}), os.path.exists({site!r}) and bool(os.listdir({site!r})))\n"
        "try:\n    import autopoietic\n    print('imported')\nexcept ImportError:\n    print('not importable')\n"
        "import json, logging, math\nprint('stdlib ok')\n"
    )
    assert_clear_result(result)
    assert result["output"].splitlines() == ["False False", "not importable", "stdlib ok"]
