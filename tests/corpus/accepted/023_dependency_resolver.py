import logging
from graphlib import CycleError, TopologicalSorter
from typing import Dict, Iterable, List, Set

logger = logging.getLogger(__name__)


class DependencyResolver:
    """Resolves an installation order for packages with dependencies."""

    _security_signature = "modulo_autopoiesis_data_dependency_resolver"
    _generated_in_sandbox = True

    def __init__(self):
        self.graph: Dict[str, Set[str]] = {
            "app": {"web", "db", "auth"},
            "web": {"http", "templates"},
            "auth": {"crypto", "db"},
            "db": {"driver"},
            "templates": {"markup"},
            "http": set(),
            "crypto": set(),
            "driver": set(),
            "markup": set(),
        }

    def order(self, graph: Dict[str, Iterable[str]]) -> List[str]:
        sorter = TopologicalSorter(graph)
        return list(sorter.static_order())

    def parallel_batches(self, graph: Dict[str, Iterable[str]]) -> List[List[str]]:
        sorter = TopologicalSorter(graph)
        sorter.prepare()
        batches = []
        while sorter.is_active():
            ready = sorted(sorter.get_ready())
            batches.append(ready)
            sorter.done(*ready)
        return batches

    def run(self):
        print("Install order:", ", ".join(self.order(self.graph)))
        for level, batch in enumerate(self.parallel_batches(self.graph)):
            print(f"  stage {level}: {batch}")
        cyclic = dict(self.graph)
        cyclic["driver"] = {"app"}
        try:
            self.order(cyclic)
        except CycleError as exc:
            logger.warning("Cycle detected: %s", exc.args[1])
            print("Cycle:", " -> ".join(exc.args[1]))
