from collections import defaultdict, deque
from typing import Dict, Hashable, Iterable, List, Set, Tuple


class UnionFind:
    def __init__(self, items: Iterable[Hashable] = ()):
        self.parent: Dict[Hashable, Hashable] = {}
        self.rank: Dict[Hashable, int] = {}
        for item in items:
            self.add(item)

    def add(self, item):
        if item not in self.parent:
            self.parent[item] = item
            self.rank[item] = 0

    def find(self, item):
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, a, b) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        if self.rank[ra] < self.rank[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        if self.rank[ra] == self.rank[rb]:
            self.rank[ra] += 1
        return True


def kruskal(nodes: List[str], edges: List[Tuple[int, str, str]]) -> List[Tuple[int, str, str]]:
    uf = UnionFind(nodes)
    return [edge for edge in sorted(edges) if uf.union(edge[1], edge[2])]


def bfs_order(graph: Dict[str, List[str]], start: str) -> List[str]:
    seen, order, queue = {start}, [], deque([start])
    while queue:
        node = queue.popleft()
        order.append(node)
        for nxt in graph.get(node, []):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return order


def connected_components(edges: Iterable[Tuple[str, str]]) -> List[Set[str]]:
    adjacency: Dict[str, Set[str]] = defaultdict(set)
    for a, b in edges:
        adjacency[a].add(b)
        adjacency[b].add(a)
    seen: Set[str] = set()
    components = []
    for node in sorted(adjacency):
        if node in seen:
            continue
        stack, comp = [node], set()
        while stack:
            current = stack.pop()
            if current in comp:
                continue
            comp.add(current)
            stack.extend(adjacency[current] - comp)
        seen |= comp
        components.append(comp)
    return components


def has_cycle(graph: Dict[str, List[str]]) -> bool:
    WHITE, GREY, BLACK = 0, 1, 2
    color = defaultdict(int)

    def visit(node):
        color[node] = GREY
        for nxt in graph.get(node, []):
            if color[nxt] == GREY or (color[nxt] == WHITE and visit(nxt)):
                return True
        color[node] = BLACK
        return False

    return any(color[n] == WHITE and visit(n) for n in list(graph))


if __name__ == "__main__":
    edges = [(7, "A", "B"), (5, "A", "D"), (8, "B", "C"), (9, "B", "D"), (7, "B", "E"), (5, "C", "E"), (15, "D", "E"), (6, "D", "F"), (8, "E", "F"), (9, "E", "G"), (11, "F", "G")]
    mst = kruskal(list("ABCDEFG"), edges)
    print("MST:", mst, "weight:", sum(w for w, _, _ in mst))
    g = {"a": ["b", "c"], "b": ["d"], "c": ["d", "e"], "d": ["f"], "e": ["f"], "f": []}
    print("BFS:", bfs_order(g, "a"), "cycle:", has_cycle(g), has_cycle({"x": ["y"], "y": ["x"]}))
    print(connected_components([("1", "2"), ("2", "3"), ("4", "5"), ("6", "6")]))
