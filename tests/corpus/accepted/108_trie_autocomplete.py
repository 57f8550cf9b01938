from typing import Dict, Iterator, List, Optional, Tuple


class TrieNode:
    __slots__ = ("children", "terminal", "weight")

    def __init__(self):
        self.children: Dict[str, "TrieNode"] = {}
        self.terminal = False
        self.weight = 0


class Trie:
    """Prefix tree with weighted autocompletion."""

    def __init__(self, words=None):
        self.root = TrieNode()
        self.size = 0
        for word, weight in (words or {}).items():
            self.insert(word, weight)

    def insert(self, word: str, weight: int = 1) -> None:
        node = self.root
        for ch in word:
            node = node.children.setdefault(ch, TrieNode())
        if not node.terminal:
            self.size += 1
        node.terminal = True
        node.weight += weight

    def _find(self, prefix: str) -> Optional[TrieNode]:
        node = self.root
        for ch in prefix:
            node = node.children.get(ch)
            if node is None:
                return None
        return node

    def __contains__(self, word: str) -> bool:
        node = self._find(word)
        return bool(node and node.terminal)

    def _walk(self, node: TrieNode, prefix: str) -> Iterator[Tuple[str, int]]:
        if node.terminal:
            yield prefix, node.weight
        for ch in sorted(node.children):
            yield from self._walk(node.children[ch], prefix + ch)

    def complete(self, prefix: str, limit: int = 3) -> List[str]:
        node = self._find(prefix)
        if node is None:
            return []
        matches = sorted(self._walk(node, prefix), key=lambda item: (-item[1], item[0]))
        return [word for word, _ in matches[:limit]]

    def __len__(self) -> int:
        return self.size


if __name__ == "__main__":
    trie = Trie({"python": 50, "pytest": 30, "pyramid": 5, "pandas": 40, "pandoc": 2, "numpy": 45, "py": 1})
    for prefix in ("py", "pa", "n", "x", ""):
        print(f"{prefix!r:>8}: {trie.complete(prefix)}")
    print(len(trie), "python" in trie, "pyth" in trie)
    trie.insert("pyramid", 100)
    print(trie.complete("py", limit=5))
