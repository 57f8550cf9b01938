from typing import Generic, Iterable, List, TypeVar

T = TypeVar("T")


class MinHeap(Generic[T]):
    """Array-backed binary min-heap (no heapq, for teaching purposes)."""

    def __init__(self, items: Iterable[T] = ()):
        self._items: List[T] = list(items)
        for i in reversed(range(len(self._items) // 2)):
            self._sift_down(i)

    def push(self, item: T) -> None:
        self._items.append(item)
        self._sift_up(len(self._items) - 1)

    def pop(self) -> T:
        if not self._items:
            raise IndexError("pop from empty heap")
        last = self._items.pop()
        if not self._items:
            return last
        top, self._items[0] = self._items[0], last
        self._sift_down(0)
        return top

    def peek(self) -> T:
        if not self._items:
            raise IndexError("peek at empty heap")
        return self._items[0]

    def _sift_up(self, i: int) -> None:
        item = self._items[i]
        while i > 0:
            parent = (i - 1) // 2
            if self._items[parent] <= item:
                break
            self._items[i] = self._items[parent]
            i = parent
        self._items[i] = item

    def _sift_down(self, i: int) -> None:
        n = len(self._items)
        while True:
            smallest, left, right = i, 2 * i + 1, 2 * i + 2
            if left < n and self._items[left] < self._items[smallest]:
                smallest = left
            if right < n and self._items[right] < self._items[smallest]:
                smallest = right
            if smallest == i:
                return
            self._items[i], self._items[smallest] = self._items[smallest], self._items[i]
            i = smallest

    def __len__(self) -> int:
        return len(self._items)

    def __bool__(self) -> bool:
        return bool(self._items)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._items})"


if __name__ == "__main__":
    heap = MinHeap([9, 4, 7, 1, 8, 2])
    heap.push(0)
    heap.push(5)
    print(heap, heap.peek(), len(heap))
    print([heap.pop() for _ in range(len(heap))], bool(heap))
    words = MinHeap(["pear", "apple", "fig"])
    print(words.pop(), words.pop())
