import logging
from typing import Any, Callable, Dict, List

logger = logging.getLogger(__name__)


class LazyAttributes:
    """Computes expensive attributes on first access.

    Loaders are registered per attribute name; ``__getattr__`` only runs
    when normal lookup fails, so once a value is stored in ``__dict__`` it
    is served directly.
    """

    def __init__(self, loaders: Dict[str, Callable[[], Any]]):
        self._loaders = loaders
        self.load_log: List[str] = []

    def __getattr__(self, name: str) -> Any:
        loaders = self.__dict__.get("_loaders", {})
        if name not in loaders:
            raise AttributeError(f"{type(self).__name__!s} object has no attribute {name!r}")
        value = loaders[name]()
        self.__dict__[name] = value
        self.load_log.append(name)
        logger.debug("Loaded %s", name)
        return value

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._loaders))

    def loaded(self) -> List[str]:
        return [n for n in self._loaders if n in self.__dict__]


class LazyLoaderComponent:
    _security_signature = "modulo_autopoiesis_data_lazy_loader_component"
    _generated_in_sandbox = True

    def __init__(self):
        self.calls = {"vocab": 0, "stats": 0}

    def _vocab(self):
        self.calls["vocab"] += 1
        return {w: i for i, w in enumerate("the a of and to in is".split())}

    def _stats(self):
        self.calls["stats"] += 1
        return {"mean": 4.2, "count": 7}

    def run(self):
        lazy = LazyAttributes({"vocab": self._vocab, "stats": self._stats})
        print("loaded before:", lazy.loaded())
        print("vocab size:", len(lazy.vocab), "| again:", len(lazy.vocab))
        print("loaded after vocab:", lazy.loaded(), "calls:", self.calls)
        print("stats:", lazy.stats["mean"], "| 'vocab' in dir:", "vocab" in dir(lazy))
        try:
            lazy.embeddings
        except AttributeError as exc:
            print("AttributeError:", exc)
        print("log:", lazy.load_log, "| has stats:", hasattr(lazy, "stats"), "| has model:", hasattr(lazy, "model"))
