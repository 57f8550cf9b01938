"""Attack: find setuid/setgid programs and run one to become root, or make
an executable file in the writable scratch space and run it.
Expected: no mount allows setuid; /tmp and /work are noexec."""

from attack import assert_clear_result


def test_setuid_and_exec_from_scratch(run):
    result = run(
        "import os, stat, subprocess, sys\n"
        "found = []\n"
        "for top in ('/usr', '/lib', '/root', '/bin', '/sbin'):\n"
        "    for dirpath, _, files in os.walk(top):\n"
        "        for f in files:\n"
        "            p = os.path.join(dirpath, f)\n"
        "            try:\n                mode = os.lstat(p).st_mode\n"
        "            except OSError:\n                continue\n"
        "            if stat.S_ISREG(mode) and mode & (stat.S_ISUID | stat.S_ISGID):\n                found.append(p)\n"
        "euids = set()\n"
        "for p in found[:5]:\n"
        "    try:\n"
        "        subprocess.run([p, '--help'], capture_output=True, timeout=2)\n"
        "    except Exception:\n        pass\n"
        "print('setuid files', len(found))\n"
        "with open('/tmp/run.sh', 'w') as f:\n    f.write('#!/bin/sh\\necho EXECUTED\\n')\n"
        "os.chmod('/tmp/run.sh', 0o755)\n"
        "try:\n    os.execv('/tmp/run.sh', ['/tmp/run.sh'])\nexcept OSError as e:\n    print('exec from /tmp', e.errno)\n",
        # it walks all of /usr: 170,000 files on a machine with a compiler
        # toolchain, which a cold cache on a loaded host reads slowly
        timeout_s=120,
    )
    assert_clear_result(result)
    assert "EXECUTED" not in result["output"]
    assert "exec from /tmp 13" in result["output"]  # EACCES: noexec
    assert "Traceback" not in result["error"]
