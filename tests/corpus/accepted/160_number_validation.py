import re
from typing import Optional

PHONE_DIGITS = re.compile(r"\D+")


def luhn_valid(number: str) -> bool:
    """Validate a credit-card style number with the Luhn checksum."""
    digits = [int(d) for d in re.sub(r"[\s-]", "", number)]
    if len(digits) < 2:
        return False
    checksum = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        checksum += d
    return checksum % 10 == 0


def format_us_phone(raw: str) -> Optional[str]:
    digits = PHONE_DIGITS.sub("", raw)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10 or digits[0] in "01":
        return None
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"


def isbn10_valid(isbn: str) -> bool:
    chars = isbn.replace("-", "").upper()
    if not re.fullmatch(r"\d{9}[\dX]", chars):
        return False
    total = sum((10 - i) * (10 if c == "X" else int(c)) for i, c in enumerate(chars))
    return total % 11 == 0


def iban_valid(iban: str) -> bool:
    s = iban.replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", s):
        return False
    rearranged = s[4:] + s[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


if __name__ == "__main__":
    for card in ("4539 1488 0343 6467", "8273 1232 7352 0569", "4111-1111-1111-1111", "1"):
        print(f"{card:<22} luhn={luhn_valid(card)}")
    for phone in ("+1 (415) 555-2671", "415.555.2671", "555-2671", "(012) 345-6789"):
        print(f"{phone:<20} -> {format_us_phone(phone)}")
    print(isbn10_valid("0-306-40615-2"), isbn10_valid("0-306-40615-3"), isbn10_valid("080442957X"))
    print(iban_valid("GB82 WEST 1234 5698 7654 32"), iban_valid("GB82 WEST 1234 5698 7654 33"))
