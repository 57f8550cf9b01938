"""Iteration helpers built on :mod:`itertools`.

These follow the recipes in the itertools documentation.
"""

from itertools import chain, groupby, islice, tee, zip_longest, accumulate, count, cycle
from operator import itemgetter


def chunked(iterable, size):
    """Yield successive lists of ``size`` items."""
    it = iter(iterable)
    while True:
        chunk = list(islice(it, size))
        if not chunk:
            return
        yield chunk


def grouper(iterable, n, fillvalue=None):
    args = [iter(iterable)] * n
    return zip_longest(*args, fillvalue=fillvalue)


def pairwise(iterable):
    a, b = tee(iterable)
    next(b, None)
    return zip(a, b)


def flatten(list_of_lists):
    return list(chain.from_iterable(list_of_lists))


def running_total(values):
    return list(accumulate(values))


def round_robin(*iterables):
    pending = len(iterables)
    nexts = cycle(iter(it).__next__ for it in iterables)
    while pending:
        try:
            for nxt in nexts:
                yield nxt()
        except StopIteration:
            pending -= 1
            nexts = cycle(islice(nexts, pending))


if __name__ == "__main__":
    print(list(chunked(range(10), 3)))
    print(list(grouper("ABCDEFG", 3, "x")))
    print(list(pairwise([1, 4, 9, 16])))
    print(flatten([[1, 2], [3], [], [4, 5]]))
    print(running_total([3, 1, 4, 1, 5]))
    print("".join(round_robin("ABC", "D", "EF")))
    records = [("fruit", "apple"), ("veg", "carrot"), ("fruit", "pear"), ("veg", "leek")]
    for key, group in groupby(sorted(records, key=itemgetter(0)), key=itemgetter(0)):
        print(key, [name for _, name in group])
    print(list(islice(count(10, 5), 4)))
