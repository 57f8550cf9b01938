"""Attack: make the host read back more than the sandbox's own files through
``fetch``: symbolic links planted in /work (to a host file, to /proc of the
sandbox's init, to a device, as a directory on the way), a FIFO that would
block the reader, a file that grows past the cap, a link swapped in while the
runner reads, and a hard link out of /work.
Expected: no fetched byte that is not a regular file of the sandbox's /work
at the path asked; each refusal named in ``fetch_errors``; the run's own
result unharmed; the host file unchanged."""

from attack import assert_clear_result


def test_links_fifos_and_devices_are_not_fetched(run, host_canary):
    canary = str(host_canary)
    program = (
        "import os, stat\n"
        f"os.symlink({canary!r}, 'canary')\n"
        "os.symlink('/proc/1/environ', 'environ')\n"
        "os.symlink('/dev/zero', 'zero')\n"
        "os.symlink('/usr', 'usr')\n"
        "os.mkdir('real')\n"
        "open('real/ok.txt', 'w').write('mine')\n"
        "os.symlink('real', 'linked')\n"
        "os.mkfifo('fifo')\n"
        "try:\n"
        "    os.mknod('null', 0o666 | stat.S_IFCHR, os.makedev(1, 3))\n"
        "except OSError as e:\n"
        "    print('mknod', e.errno)\n"
        "try:\n"
        "    import sys\n"
        "    os.link(sys.executable, 'hard')\n"
        "except OSError as e:\n"
        "    print('link', e.errno)\n"
    )
    asked = ["canary", "environ", "zero", "usr/bin/env", "linked/ok.txt", "fifo", "null", "hard", "real/ok.txt"]
    result = run(program, fetch=asked)
    assert_clear_result(result)
    assert result["success"], result["error"]
    assert result["files"] == {"real/ok.txt": b"mine"}
    errors = result["fetch_errors"]
    for path in ("canary", "environ", "zero", "usr/bin/env", "linked/ok.txt"):
        assert errors[path] == "a symbolic link (not followed)", (path, errors)
    assert errors["fifo"] == "not a regular file"
    # a device cannot be made (no CAP_MKNOD, and /work is nodev); /work is
    # its own file system, so no hard link reaches out of it
    assert errors["null"] == "not found" and "mknod 1" in result["output"]
    assert errors["hard"] == "not found" and ("link 18" in result["output"] or "link 1\n" in result["output"])


def test_a_file_growing_past_the_cap_and_a_link_swapped_in_are_refused(run, host_canary):
    """Background processes keep rewriting while the runner reads: a file
    that grows without end, and a path that flips between a file and a link
    to the host file."""
    canary = str(host_canary)
    program = (
        "import os, time\n"
        "open('grow', 'wb').write(b'x' * 100)\n"
        "open('flip', 'w').write('mine')\n"
        "if os.fork() == 0:\n"
        "    f = open('grow', 'ab', buffering=0)\n"
        "    end = time.monotonic() + 3\n"
        "    while time.monotonic() < end:\n"
        "        try:\n"
        "            f.write(b'y' * 4096)\n"
        "        except OSError:\n"
        "            f.seek(0); os.truncate('grow', 100)\n"
        "    os._exit(0)\n"
        "if os.fork() == 0:\n"
        "    end = time.monotonic() + 3\n"
        "    while time.monotonic() < end:\n"
        "        try:\n"
        "            os.rename('flip', 'flip.tmp')\n"
        f"            os.symlink({canary!r}, 'flip')\n"
        "            os.unlink('flip')\n"
        "            os.rename('flip.tmp', 'flip')\n"
        "        except OSError:\n"
        "            pass\n"
        "    os._exit(0)\n"
        "time.sleep(0.5)\n"
    )
    for _ in range(3):
        result = run(program, fetch=["grow", "flip"], max_output_bytes=64 << 10, max_disk_mb=16)
        assert_clear_result(result)
        got = result["files"]
        assert b"host data" not in got.get("flip", b"")
        assert got.get("flip", b"mine") == b"mine"
        assert len(got.get("grow", b"")) <= 64 << 10
        if "grow" not in got:
            assert result["fetch_errors"]["grow"].startswith("larger than the cap"), result["fetch_errors"]
