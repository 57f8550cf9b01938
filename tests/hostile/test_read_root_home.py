"""Attack: read files in the host's /root and /home.
Expected: a canary placed in /root is not there; /home does not exist; /root
holds at most the directories leading to the interpreter."""

import json
import os
import uuid
from pathlib import Path

import pytest

from attack import assert_clear_result

from helpers import ROOT_ONLY


@pytest.fixture
def root_canary():
    if os.geteuid() != 0:
        pytest.skip(ROOT_ONLY + "placing a canary in /root")
    path = Path("/root") / f".autopoietic-canary-{uuid.uuid4().hex}"
    path.write_text("root secret")
    yield path
    path.unlink()


def test_read_root_and_home(run, root_canary):
    result = run(
        "import os\n"
        f"try:\n    print(open({str(root_canary)!r}).read())\nexcept FileNotFoundError:\n    print('canary ENOENT')\n"
        "print('home', os.path.exists('/home'))\n"
        "import json\nprint(json.dumps(sorted(os.listdir('/root')) if os.path.isdir('/root') else []))\n"
    )
    assert_clear_result(result)
    lines = result["output"].splitlines()
    assert lines[0] == "canary ENOENT"
    assert lines[1] == "home False"
    host_entries = set(os.listdir("/root"))
    inside = json.loads(lines[2])
    assert root_canary.name not in inside
    assert len(inside) <= 1 and set(inside) <= host_entries  # only the path to the interpreter, if any
