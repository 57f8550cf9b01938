import re
import unicodedata

_non_word = re.compile(r"[^\w\s-]")
_separators = re.compile(r"[-\s]+")


def slugify(value: str, allow_unicode: bool = False) -> str:
    """Convert a string to a URL slug.

    Adapted from Django's ``django.utils.text.slugify``. Converts to ASCII
    if ``allow_unicode`` is False, converts spaces or repeated dashes to
    single dashes, removes characters that aren't alphanumerics,
    underscores, or hyphens, and strips leading and trailing whitespace,
    dashes, and underscores.
    """
    value = str(value)
    if allow_unicode:
        value = unicodedata.normalize("NFKC", value)
    else:
        value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    value = _non_word.sub("", value.lower())
    return _separators.sub("-", value).strip("-_")


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


if __name__ == "__main__":
    samples = [
        "Hello, World!",
        "  Crème brûlée -- recipe  ",
        "Über straße & café",
        "Python 3.11: What's New?",
        "日本語 テキスト",
    ]
    for s in samples:
        print(f"{s!r:35} -> {slugify(s)!r:30} unicode={slugify(s, allow_unicode=True)!r}")
    print(strip_accents("São Paulo, Zürich, Kraków"))
    print(unicodedata.name("é"), unicodedata.category("5"))
