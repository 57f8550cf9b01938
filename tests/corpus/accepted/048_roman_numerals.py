import re

NUMERALS = [
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"),
    (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
    (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
]

VALID = re.compile(r"^M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$")


def to_roman(number: int) -> str:
    """Convert an integer between 1 and 3999 to a Roman numeral.

    >>> to_roman(1994)
    'MCMXCIV'
    """
    if not 0 < number < 4000:
        raise ValueError("number must be between 1 and 3999")
    result = []
    for value, symbol in NUMERALS:
        count, number = divmod(number, value)
        result.append(symbol * count)
    return "".join(result)


def from_roman(numeral: str) -> int:
    """Convert a Roman numeral to an integer.

    >>> from_roman("MMXXIV")
    2024
    """
    numeral = numeral.upper()
    if not numeral or not VALID.match(numeral):
        raise ValueError(f"invalid Roman numeral: {numeral!r}")
    total, index = 0, 0
    for value, symbol in NUMERALS:
        while numeral.startswith(symbol, index):
            total += value
            index += len(symbol)
    return total


if __name__ == "__main__":
    for n in (1, 4, 9, 14, 40, 90, 400, 1994, 2024, 3999):
        r = to_roman(n)
        assert from_roman(r) == n
        print(f"{n:>5} -> {r}")
    assert all(from_roman(to_roman(i)) == i for i in range(1, 4000))
    for bad in ("IIII", "VX", "", "ABC"):
        try:
            from_roman(bad)
        except ValueError as e:
            print(e)
