"""Attack: read the caller's working directory by its host path.
Expected: ENOENT; the sandbox's cwd is its own empty /work."""


from attack import assert_clear_result


def test_read_caller_cwd(run, host_canary, monkeypatch):
    monkeypatch.chdir(host_canary.parent)
    result = run(
        "import os\n"
        f"print(os.path.exists({str(host_canary)!r}), os.path.exists({str(host_canary.parent)!r}))\n"
        "print(os.getcwd(), sorted(os.listdir('.')))\n"
    )
    assert_clear_result(result)
    exists, cwd = result["output"].splitlines()
    assert exists == "False False"
    assert cwd.startswith("/work [")
    assert "canary.txt" not in cwd
