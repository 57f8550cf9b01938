"""Lazy data pipelines built from generators.

Each stage consumes an iterator and yields transformed items, so the whole
pipeline runs in constant memory.
"""

from typing import Generator, Iterable, Iterator


def read_lines(text: str) -> Iterator[str]:
    for line in text.splitlines():
        yield line


def strip_comments(lines: Iterable[str]) -> Iterator[str]:
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if line:
            yield line


def parse_pairs(lines: Iterable[str]) -> Iterator[tuple]:
    for line in lines:
        key, _, value = line.partition("=")
        yield key.strip(), value.strip()


def flatten(nested):
    for item in nested:
        if isinstance(item, (list, tuple)):
            yield from flatten(item)
        else:
            yield item


def averager() -> Generator[float, float, str]:
    total, count = 0.0, 0
    average = None
    while True:
        value = yield average
        if value is None:
            break
        total += value
        count += 1
        average = total / count
    return f"averaged {count} values"


CONFIG = """
# service configuration
name = billing
port = 8080   # default port
debug = false

workers = 4
"""

if __name__ == "__main__":
    pipeline = parse_pairs(strip_comments(read_lines(CONFIG)))
    print(dict(pipeline))
    print(list(flatten([1, [2, [3, [4, (5, 6)]]], 7])))
    avg = averager()
    next(avg)
    for v in (10, 20, 60):
        print("running average:", avg.send(v))
    try:
        avg.send(None)
    except StopIteration as stop:
        print(stop.value)
    squares = (n * n for n in range(10) if n % 2)
    print(sum(squares), {n: n ** 3 for n in range(4)}, {c for c in "hello"} == set("helo"))
