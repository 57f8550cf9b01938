import re

LOG_LINE = re.compile(
    r"""
    ^(?P<ip>\d{1,3}(?:\.\d{1,3}){3})\s+      # client address
    -\s+(?P<user>\S+)\s+                      # remote user
    \[(?P<ts>[^\]]+)\]\s+                     # timestamp
    "(?P<method>[A-Z]+)\s(?P<path>\S+)\s[^"]+"\s+
    (?P<status>\d{3})\s+(?P<size>\d+|-)$
    """,
    re.VERBOSE,
)

EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")
DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")

LOGS = [
    '127.0.0.1 - frank [10/Oct/2023:13:55:36 -0700] "GET /index.html HTTP/1.1" 200 2326',
    '10.1.2.3 - - [10/Oct/2023:13:56:01 -0700] "POST /api/login HTTP/1.1" 401 -',
    "garbage line that does not match",
]


def parse(line):
    m = LOG_LINE.match(line)
    return m.groupdict() if m else None


def render(template, context):
    return PLACEHOLDER.sub(lambda m: str(context.get(m.group(1), m.group(0))), template)


if __name__ == "__main__":
    for line in LOGS:
        print(parse(line))
    text = "Contact ops@example.com or jane.doe+alerts@mail.example.org before 2024-05-01."
    print(EMAIL.findall(text))
    print(DATE.sub(r"\3/\2/\1", text))
    for m in DATE.finditer("from 2023-12-31 to 2024-01-15"):
        print(m.span(), m.groups())
    print(render("Hello {{ name }}, you have {{count}} new {{ thing }}.", {"name": "Sam", "count": 3}))
    print(re.split(r"[,;]\s*", "a, b;c ,d"), re.fullmatch(r"[a-z]+\d*", "abc123") is not None)
    print(re.escape("1+1=2?"), re.sub(r"(?i)hello", "bye", "Hello HELLO hello"))
