from collections.abc import Iterator, MutableMapping, Sequence
from typing import Any


class CaseInsensitiveDict(MutableMapping):
    """A dict whose string keys are compared case-insensitively.

    The original casing of the most recent assignment is preserved for
    iteration, like ``requests.structures.CaseInsensitiveDict``.
    """

    def __init__(self, data=None, **kwargs):
        self._store: dict[str, tuple[str, Any]] = {}
        self.update(data or {}, **kwargs)

    def __setitem__(self, key: str, value: Any) -> None:
        self._store[key.lower()] = (key, value)

    def __getitem__(self, key: str) -> Any:
        return self._store[key.lower()][1]

    def __delitem__(self, key: str) -> None:
        del self._store[key.lower()]

    def __iter__(self) -> Iterator[str]:
        return (original for original, _ in self._store.values())

    def __len__(self) -> int:
        return len(self._store)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({dict(self.items())!r})"


class Range2D(Sequence):
    def __init__(self, rows: int, cols: int):
        self.rows, self.cols = rows, cols

    def __len__(self) -> int:
        return self.rows * self.cols

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("Range2D index out of range")
        return divmod(index, self.cols)


class Countdown:
    def __init__(self, start: int):
        self.current = start

    def __iter__(self):
        return self

    def __next__(self) -> int:
        if self.current <= 0:
            raise StopIteration
        self.current -= 1
        return self.current + 1


if __name__ == "__main__":
    headers = CaseInsensitiveDict({"Content-Type": "text/html"}, Accept="*/*")
    headers["content-type"] = "application/json"
    print(headers, headers["CONTENT-TYPE"], "accept" in headers, len(headers))
    del headers["ACCEPT"]
    print(list(headers), headers.get("missing", "default"))
    grid = Range2D(2, 3)
    print(list(grid), grid[-1], grid[1:4], (1, 2) in grid, grid.index((1, 0)))
    print(list(Countdown(5)), sum(Countdown(4)))
