import fnmatch
import keyword
import re
import shlex

CAMEL_RE = re.compile(r"(?<!^)(?=[A-Z])")


def to_snake_case(name: str) -> str:
    return CAMEL_RE.sub("_", name).lower()


def to_camel_case(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def safe_identifier(name: str) -> str:
    """Turn an arbitrary label into a valid, non-keyword Python identifier."""
    candidate = re.sub(r"\W", "_", name.strip())
    if not candidate or candidate[0].isdigit():
        candidate = "_" + candidate
    if keyword.iskeyword(candidate) or keyword.issoftkeyword(candidate):
        candidate += "_"
    return candidate


if __name__ == "__main__":
    for label in ["user name", "class", "2fast", "match", "valid_name", "naïve-value", ""]:
        ident = safe_identifier(label)
        print(f"{label!r:>14} -> {ident!r:<16} valid={ident.isidentifier()}")
    print(to_snake_case("HTTPServerError"), to_snake_case("getUserById"), to_camel_case("get_user_by_id"))
    print(len(keyword.kwlist), keyword.softkwlist)
    cmd = 'deploy --env "staging eu" --tag v1.2 --message \'hello world\''
    args = shlex.split(cmd)
    print(args)
    print(shlex.join(["echo", "it's", "a test"]), shlex.quote("rm -rf /tmp/x"))
    files = ["main.py", "test_main.py", "README.md", "setup.cfg", "test_utils.py", "notes.txt"]
    print(fnmatch.filter(files, "test_*.py"), fnmatch.fnmatch("README.md", "*.MD"), fnmatch.fnmatchcase("README.md", "*.MD"))
    print(fnmatch.translate("*.py"))
