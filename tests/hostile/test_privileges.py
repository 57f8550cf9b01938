"""Attack: look for privileges to use: capabilities, root, setuid-able ids,
setuid binaries, a way to gain privileges on exec.
Expected: uid/gid 65534, every capability set empty, NoNewPrivs set,
seccomp on, every mount nosuid, setuid(0) refused."""

from attack import assert_clear_result


def test_no_privileges(run):
    result = run(
        "import os\n"
        "status = dict(line.split(':', 1) for line in open('/proc/self/status'))\n"
        "for key in ('Uid', 'Gid', 'Groups', 'CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb', 'NoNewPrivs', 'Seccomp'):\n"
        "    print(key, ' '.join(status[key].split()))\n"
        "try:\n    os.setuid(0)\n    print('SETUID')\nexcept OSError as e:\n    print('setuid', e.errno)\n"
        "mounts = [line.split() for line in open('/proc/self/mounts')]\n"
        "print('all nosuid', all('nosuid' in m[3].split(',') for m in mounts))\n"
    )
    assert_clear_result(result)
    out = dict(line.split(" ", 1) for line in result["output"].splitlines())
    assert out["Uid"] == "65534 65534 65534 65534" and out["Gid"] == "65534 65534 65534 65534"
    for cap in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
        assert out[cap] == "0000000000000000", (cap, out[cap])
    assert out["NoNewPrivs"] == "1" and out["Seccomp"] == "2"
    assert out["setuid"] in ("1", "22")  # EPERM, or EINVAL where uid 0 is not even mapped
    assert out["all"] == "nosuid True"
