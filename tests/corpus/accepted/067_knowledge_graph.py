import logging
from collections import defaultdict, deque
from typing import DefaultDict, Dict, Iterable, List, Optional, Set, Tuple

logger = logging.getLogger(__name__)

Triple = Tuple[str, str, str]


class KnowledgeGraph:
    """A minimal triple store with path queries.

    Facts are stored as ``(subject, predicate, object)`` triples and indexed
    in both directions.
    """

    _security_signature = "modulo_autopoiesis_data_knowledge_graph"
    _generated_in_sandbox = True

    def __init__(self):
        self.outgoing: DefaultDict[str, Set[Tuple[str, str]]] = defaultdict(set)
        self.incoming: DefaultDict[str, Set[Tuple[str, str]]] = defaultdict(set)
        self.count = 0

    def add(self, subject: str, predicate: str, obj: str) -> None:
        if (predicate, obj) not in self.outgoing[subject]:
            self.outgoing[subject].add((predicate, obj))
            self.incoming[obj].add((predicate, subject))
            self.count += 1

    def add_many(self, triples: Iterable[Triple]) -> None:
        for triple in triples:
            self.add(*triple)

    def query(self, subject: Optional[str] = None, predicate: Optional[str] = None, obj: Optional[str] = None) -> List[Triple]:
        results = []
        subjects = [subject] if subject else list(self.outgoing)
        for s in subjects:
            for p, o in self.outgoing.get(s, ()):
                if (predicate is None or p == predicate) and (obj is None or o == obj):
                    results.append((s, p, o))
        return sorted(results)

    def shortest_path(self, start: str, goal: str) -> Optional[List[str]]:
        queue = deque([[start]])
        seen = {start}
        while queue:
            path = queue.popleft()
            node = path[-1]
            if node == goal:
                return path
            for predicate, nxt in sorted(self.outgoing.get(node, ())):
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append(path + [f"-{predicate}->", nxt])
        return None

    def degree(self) -> Dict[str, int]:
        nodes = set(self.outgoing) | set(self.incoming)
        return {n: len(self.outgoing.get(n, ())) + len(self.incoming.get(n, ())) for n in sorted(nodes)}

    def run(self):
        self.add_many([
            ("python", "is_a", "language"),
            ("cpython", "implements", "python"),
            ("cpython", "written_in", "c"),
            ("c", "is_a", "language"),
            ("guido", "created", "python"),
            ("guido", "works_at", "microsoft"),
            ("microsoft", "maintains", "typescript"),
            ("typescript", "is_a", "language"),
        ])
        print("facts:", self.count)
        print("languages:", [s for s, _, _ in self.query(predicate="is_a", obj="language")])
        print("about guido:", self.query(subject="guido"))
        path = self.shortest_path("guido", "language")
        print("path:", " ".join(path) if path else None)
        print("no path:", self.shortest_path("language", "guido"))
        top = max(self.degree().items(), key=lambda kv: kv[1])
        print("most connected:", top)
