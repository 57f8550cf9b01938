import string

VOWELS = set("aeiouAEIOU")
ROT13 = str.maketrans(
    string.ascii_lowercase + string.ascii_uppercase,
    string.ascii_lowercase[13:] + string.ascii_lowercase[:13] + string.ascii_uppercase[13:] + string.ascii_uppercase[:13],
)
STRIP_PUNCT = str.maketrans("", "", string.punctuation)


def is_pangram(text: str) -> bool:
    return set(string.ascii_lowercase) <= set(text.lower())


def caesar(text: str, shift: int) -> str:
    lower = string.ascii_lowercase
    upper = string.ascii_uppercase
    table = str.maketrans(lower + upper, lower[shift:] + lower[:shift] + upper[shift:] + upper[:shift])
    return text.translate(table)


def title_case(text: str) -> str:
    return string.capwords(text)


def random_password(rng, length=12):
    pool = string.ascii_letters + string.digits + "!@#$%^&*"
    return "".join(rng.choice(pool) for _ in range(length))


def is_palindrome(text: str) -> bool:
    cleaned = [c.lower() for c in text if c.isalnum()]
    return cleaned == cleaned[::-1]


if __name__ == "__main__":
    import random

    print(is_pangram("The quick brown fox jumps over the lazy dog"), is_pangram("hello"))
    print(caesar("Hello, World!", 3), caesar(caesar("Hello, World!", 3), -3))
    print("Uryyb".translate(ROT13), "Hello, world! (really?)".translate(STRIP_PUNCT))
    print(title_case("the  old man and the sea"), is_palindrome("A man, a plan, a canal: Panama"))
    print(random_password(random.Random(99)))
    print(string.hexdigits, string.octdigits, repr(string.whitespace))
    print(sum(1 for c in "Programming in Python" if c in VOWELS))
    print("{:*^21}".format(" centered "), "42".zfill(5), "tab\tbed".expandtabs(4))
