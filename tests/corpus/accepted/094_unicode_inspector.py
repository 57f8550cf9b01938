import unicodedata

SAMPLES = "Aé5 ñ€✓😀中ｱ\u0301\u200b"


def describe_char(ch: str) -> dict:
    return {
        "char": ch,
        "codepoint": f"U+{ord(ch):04X}",
        "name": unicodedata.name(ch, "<unnamed>"),
        "category": unicodedata.category(ch),
        "bidi": unicodedata.bidirectional(ch),
        "width": unicodedata.east_asian_width(ch),
        "combining": unicodedata.combining(ch),
        "decimal": unicodedata.decimal(ch, None),
    }


def display_width(text: str) -> int:
    width = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) == "Cf":
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def normalization_forms(text: str) -> dict:
    return {form: [f"U+{ord(c):04X}" for c in unicodedata.normalize(form, text)] for form in ("NFC", "NFD", "NFKC", "NFKD")}


if __name__ == "__main__":
    for ch in SAMPLES:
        info = describe_char(ch)
        print("{codepoint:<8} {category} {width:<2} {name}".format(**info))
    print(display_width("hello"), display_width("中文字"), display_width("e\u0301"))
    print(normalization_forms("ﬁé"))
    print(unicodedata.lookup("SNOWMAN"), unicodedata.unidata_version, unicodedata.is_normalized("NFC", "é"))
    print(unicodedata.numeric("½"), unicodedata.digit("٣"), unicodedata.mirrored("("))
