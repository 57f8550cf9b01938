import logging
from dataclasses import dataclass
from functools import reduce
from typing import Any, Callable, Iterable, List

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Stage:
    name: str
    func: Callable[[Iterable[Any]], Iterable[Any]]

    def __or__(self, other: "Stage") -> "Pipeline":
        return Pipeline([self, other])

    def __call__(self, data: Iterable[Any]) -> Iterable[Any]:
        return self.func(data)


@dataclass(frozen=True)
class Pipeline:
    stages: List[Stage]

    def __or__(self, other: "Stage") -> "Pipeline":
        return Pipeline(self.stages + [other])

    def __call__(self, data: Iterable[Any]) -> List[Any]:
        return list(reduce(lambda acc, stage: stage(acc), self.stages, data))

    def __repr__(self) -> str:
        return " | ".join(s.name for s in self.stages)


def select(predicate: Callable[[Any], bool]) -> Stage:
    return Stage(f"select({getattr(predicate, '__name__', 'fn')})", lambda data: (x for x in data if predicate(x)))


def transform(func: Callable[[Any], Any]) -> Stage:
    return Stage(f"map({getattr(func, '__name__', 'fn')})", lambda data: (func(x) for x in data))


def take(n: int) -> Stage:
    def _take(data):
        for i, item in enumerate(data):
            if i >= n:
                break
            yield item
    return Stage(f"take({n})", _take)


def sort_by(key: Callable[[Any], Any], reverse: bool = False) -> Stage:
    return Stage("sort", lambda data: sorted(data, key=key, reverse=reverse))


class PipelineDslDemo:
    """Composes data pipelines with the ``|`` operator, shell style."""

    _security_signature = "modulo_autopoiesis_data_pipeline_dsl_demo"
    _generated_in_sandbox = True

    def __init__(self):
        self.records = [
            {"name": "ada", "lang": "python", "stars": 120},
            {"name": "bob", "lang": "rust", "stars": 340},
            {"name": "cy", "lang": "python", "stars": 75},
            {"name": "dee", "lang": "go", "stars": 210},
            {"name": "eve", "lang": "python", "stars": 500},
        ]

    def run(self):
        def is_python(record):
            return record["lang"] == "python"

        def label(record):
            return "{name} ({stars}★)".format(**record)

        pipeline = select(is_python) | sort_by(lambda r: r["stars"], reverse=True) | transform(label) | take(2)
        print(repr(pipeline))
        print(pipeline(self.records))
        evens = select(lambda n: n % 2 == 0) | transform(lambda n: n * n)
        print(repr(evens), evens(range(10)))
