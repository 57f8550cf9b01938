from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Iterator, Optional, TypeVar

K = TypeVar("K")


@dataclass
class _Node(Generic[K]):
    key: K
    left: Optional[_Node[K]] = None
    right: Optional[_Node[K]] = None


class BinarySearchTree(Generic[K]):
    """Unbalanced binary search tree supporting ``in``, ``len`` and iteration."""

    def __init__(self, keys=()):
        self._root: Optional[_Node[K]] = None
        self._size = 0
        for key in keys:
            self.insert(key)

    def insert(self, key: K) -> bool:
        if self._root is None:
            self._root = _Node(key)
            self._size = 1
            return True
        node = self._root
        while True:
            if key == node.key:
                return False
            branch = "left" if key < node.key else "right"
            child = getattr(node, branch)
            if child is None:
                setattr(node, branch, _Node(key))
                self._size += 1
                return True
            node = child

    def __contains__(self, key: K) -> bool:
        node = self._root
        while node is not None:
            if key == node.key:
                return True
            node = node.left if key < node.key else node.right
        return False

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[K]:
        stack, node = [], self._root
        while stack or node:
            while node:
                stack.append(node)
                node = node.left
            node = stack.pop()
            yield node.key
            node = node.right

    def height(self) -> int:
        def _h(node):
            return 0 if node is None else 1 + max(_h(node.left), _h(node.right))
        return _h(self._root)

    def preorder(self) -> Iterator[K]:
        def walk(node):
            if node:
                yield node.key
                yield from walk(node.left)
                yield from walk(node.right)
        return walk(self._root)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self)!r})"


if __name__ == "__main__":
    tree = BinarySearchTree([50, 30, 70, 20, 40, 60, 80, 30])
    print(tree, len(tree), tree.height())
    print(40 in tree, 45 in tree, list(tree.preorder()))
    words = BinarySearchTree("the quick brown fox jumps over the lazy dog".split())
    print(list(words), min(words), max(words))
