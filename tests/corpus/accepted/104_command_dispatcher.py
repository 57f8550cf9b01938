import shlex
from typing import Callable, Dict, List

COMMANDS: Dict[str, Callable[..., str]] = {}


def command(name: str, help_text: str = ""):
    def register(func):
        func.help_text = help_text
        COMMANDS[name] = func
        return func
    return register


@command("echo", "print the arguments")
def cmd_echo(*args: str) -> str:
    return " ".join(args)


@command("sum", "add numbers")
def cmd_sum(*numbers: str) -> str:
    return str(sum(float(n) for n in numbers))


@command("upper", "upper-case text")
def cmd_upper(*words: str) -> str:
    return " ".join(words).upper()


@command("help", "list commands")
def cmd_help() -> str:
    return "\n".join(f"  {name:<6} {func.help_text}" for name, func in sorted(COMMANDS.items()))


def dispatch(line: str) -> str:
    try:
        parts: List[str] = shlex.split(line, comments=True)
    except ValueError as exc:
        return f"parse error: {exc}"
    if not parts:
        return ""
    name, *args = parts
    handler = COMMANDS.get(name)
    if handler is None:
        return f"unknown command: {name} (try 'help')"
    try:
        return handler(*args)
    except (TypeError, ValueError) as exc:
        return f"{name}: {exc}"


if __name__ == "__main__":
    session = [
        "help",
        'echo "hello world" again  # trailing comment',
        "sum 1 2 3.5",
        "sum 1 two",
        "upper 'single quoted' text",
        "help extra",
        'echo "unterminated',
        "rm -rf /",
        "",
    ]
    for line in session:
        print(f"> {line}")
        output = dispatch(line)
        if output:
            print(output)
