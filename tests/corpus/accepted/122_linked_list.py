class _Node:
    __slots__ = ("value", "next")

    def __init__(self, value, next=None):
        self.value = value
        self.next = next


class LinkedList:
    """Singly linked list with O(1) append and prepend."""

    def __init__(self, iterable=()):
        self._head = self._tail = None
        self._len = 0
        for value in iterable:
            self.append(value)

    def append(self, value):
        node = _Node(value)
        if self._tail is None:
            self._head = self._tail = node
        else:
            self._tail.next = node
            self._tail = node
        self._len += 1

    def prepend(self, value):
        self._head = _Node(value, self._head)
        if self._tail is None:
            self._tail = self._head
        self._len += 1

    def pop_left(self):
        if self._head is None:
            raise IndexError("pop from empty list")
        node = self._head
        self._head = node.next
        if self._head is None:
            self._tail = None
        self._len -= 1
        return node.value

    def reverse(self):
        prev, current = None, self._head
        self._tail = current
        while current:
            current.next, prev, current = prev, current, current.next
        self._head = prev

    def remove(self, value):
        prev, current = None, self._head
        while current:
            if current.value == value:
                if prev:
                    prev.next = current.next
                else:
                    self._head = current.next
                if current is self._tail:
                    self._tail = prev
                self._len -= 1
                return
            prev, current = current, current.next
        raise ValueError(f"{value!r} not in list")

    def __iter__(self):
        node = self._head
        while node:
            yield node.value
            node = node.next

    def __len__(self):
        return self._len

    def __eq__(self, other):
        return isinstance(other, LinkedList) and list(self) == list(other)

    def __repr__(self):
        return "LinkedList([" + ", ".join(repr(v) for v in self) + "])"

    def __str__(self):
        return " -> ".join(map(str, self)) + " -> None"


if __name__ == "__main__":
    ll = LinkedList([1, 2, 3])
    ll.prepend(0)
    ll.append(4)
    print(ll, len(ll))
    ll.reverse()
    print(repr(ll))
    ll.remove(2)
    print(ll, ll.pop_left(), ll)
    try:
        ll.remove(42)
    except ValueError as e:
        print(e)
    print(LinkedList("abc") == LinkedList(["a", "b", "c"]))
