import array
from typing import Iterator, List


class RingBuffer:
    """Fixed-capacity circular buffer of floats backed by :mod:`array`."""

    __slots__ = ("_data", "_start", "_size", "capacity")

    def __init__(self, capacity: int):
        if capacity <= 0:
            raise ValueError("capacity must be positive")
        self.capacity = capacity
        self._data = array.array("d", [0.0] * capacity)
        self._start = 0
        self._size = 0

    def append(self, value: float) -> None:
        end = (self._start + self._size) % self.capacity
        self._data[end] = value
        if self._size < self.capacity:
            self._size += 1
        else:
            self._start = (self._start + 1) % self.capacity

    def extend(self, values) -> None:
        for v in values:
            self.append(v)

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, index: int) -> float:
        if not -self._size <= index < self._size:
            raise IndexError("RingBuffer index out of range")
        return self._data[(self._start + index % self._size) % self.capacity]

    def __iter__(self) -> Iterator[float]:
        for i in range(self._size):
            yield self[i]

    @property
    def full(self) -> bool:
        return self._size == self.capacity

    def mean(self) -> float:
        return sum(self) / self._size if self._size else float("nan")

    def to_list(self) -> List[float]:
        return list(self)

    def __repr__(self) -> str:
        return f"RingBuffer(capacity={self.capacity}, items={self.to_list()})"


if __name__ == "__main__":
    rb = RingBuffer(4)
    rb.extend([1, 2, 3])
    print(rb, rb.full, rb.mean())
    rb.extend([4, 5, 6])
    print(rb, rb[0], rb[-1], len(rb), rb.full)
    try:
        rb[10]
    except IndexError as e:
        print(e)
    try:
        rb.extra = 1
    except AttributeError as e:
        print("slots:", type(e).__name__)
