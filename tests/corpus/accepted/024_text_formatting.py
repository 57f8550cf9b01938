import textwrap

LOREM = (
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod "
    "tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim "
    "veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea "
    "commodo consequat."
)


def format_paragraph(text, width=50, prefix=""):
    wrapper = textwrap.TextWrapper(width=width, initial_indent=prefix, subsequent_indent=" " * len(prefix))
    return wrapper.fill(text)


def boxed(text, width=40):
    lines = textwrap.wrap(text, width=width - 4)
    top = "+" + "-" * (width - 2) + "+"
    body = [f"| {line:<{width - 4}} |" for line in lines]
    return "\n".join([top, *body, top])


def help_text():
    return textwrap.dedent(
        """\
        Usage: tool [OPTIONS] COMMAND

        Options:
          --verbose    Print more output.
          --dry-run    Do not change anything.
        """
    )


if __name__ == "__main__":
    print(format_paragraph(LOREM, width=60, prefix="* "))
    print()
    print(boxed("The quick brown fox jumps over the lazy dog near the river bank."))
    print(textwrap.indent(help_text(), "> "))
    print(textwrap.shorten(LOREM, width=45, placeholder=" [...]"))
