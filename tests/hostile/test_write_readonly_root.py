"""Attack: write into the interpreter's directories, the root, /proc/sys.
Expected: read-only file system or permission denied everywhere but the
sandbox's own /tmp and /work."""


from attack import assert_clear_result


def test_write_readonly_places(run):
    result = run(
        "import os, sys\n"
        "targets = [sys.prefix + '/pwned', os.path.dirname(sys.executable) + '/pwned', '/pwned',\n"
        "           '/proc/sys/kernel/hostname', '/proc/sysrq-trigger', '/dev/pwned']\n"
        "for t in targets:\n"
        "    try:\n        open(t, 'w').write('x')\n        print(t, 'WRITTEN')\n"
        "    except OSError as e:\n        print(t, e.errno)\n"
        "for t in ('/tmp/ok', '/work/ok'):\n    open(t, 'w').write('x'); print(t, 'ok')\n"
    )
    assert_clear_result(result)
    assert "WRITTEN" not in result["output"], result["output"]
    assert "/tmp/ok ok" in result["output"] and "/work/ok ok" in result["output"]
