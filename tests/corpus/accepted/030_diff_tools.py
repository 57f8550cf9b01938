import difflib

OLD = """def greet(name):
    print("Hello " + name)

greet("world")
""".splitlines(keepends=True)

NEW = """def greet(name: str) -> None:
    print(f"Hello {name}")

if __name__ == "__main__":
    greet("world")
""".splitlines(keepends=True)

COMMANDS = ["install", "uninstall", "list", "freeze", "show", "search", "download"]


def suggest(command):
    matches = difflib.get_close_matches(command, COMMANDS, n=3, cutoff=0.5)
    if not matches:
        return f"unknown command '{command}'"
    return f"unknown command '{command}', did you mean: {', '.join(matches)}?"


def similarity(a, b):
    return round(difflib.SequenceMatcher(None, a, b).ratio(), 3)


if __name__ == "__main__":
    print("".join(difflib.unified_diff(OLD, NEW, fromfile="a/greet.py", tofile="b/greet.py")))
    for cmd in ("instal", "lst", "frezee", "xyz"):
        print(suggest(cmd))
    print(similarity("kitten", "sitting"), similarity("abc", "abc"))
    matcher = difflib.SequenceMatcher(None, "private Thread currentThread;", "private volatile Thread currentThread;")
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            print(tag, i1, i2, j1, j2)
    print(list(difflib.ndiff(["one\n", "two\n"], ["one\n", "too\n"])))
