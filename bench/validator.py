"""Benchmark: the C validator against Python's own ast.parse, same inputs,
one run.  Inputs are the components the synthesizer emits for every
strategy.  Prints the median microseconds per KiB of source for each, and
the ratio.  Usage: python bench/validator.py [--repeat N]"""

from __future__ import annotations

import argparse
import ast
import statistics
import time

from autopoietic.architecture_evolution import ArchitectureEvolution, EvolutionStrategy
from autopoietic.code_synthesizer import CodeSynthesizer
from autopoietic.meta_architect import ComponentSpec
from autopoietic.validator import DEFAULT_POLICY, validate


def sources() -> list[bytes]:
    base = [ComponentSpec("data_processor", "processor", {"batch_size": "32", "mode": "streaming"}),
            ComponentSpec("cache_manager", "cache", {"max_entries": "1024", "policy": "lru"}),
            ComponentSpec("health_monitor", "monitor", {"interval_s": "5"})]
    specs = list(base)
    for strategy in EvolutionStrategy:
        specs.extend(ArchitectureEvolution().propose_evolution(base, {}, strategy=strategy).specs)
    return [c.source_code.encode() for c in CodeSynthesizer().synthesize(specs).values()]


def per_kib(func, data: bytes, repeat: int) -> float:
    """Median microseconds per KiB of one call, over repeat timed batches."""
    batch = 50
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(batch):
            func(data)
        samples.append((time.perf_counter() - start) / batch)
    return statistics.median(samples) * 1e6 / (len(data) / 1024)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=21)
    args = parser.parse_args()
    inputs = sources()
    ours = [per_kib(lambda d: validate(d, DEFAULT_POLICY), d, args.repeat) for d in inputs]
    theirs = [per_kib(ast.parse, d, args.repeat) for d in inputs]
    size = statistics.median(len(d) for d in inputs) / 1024
    print(f"{len(inputs)} synthesized components, median {size:.2f} KiB each, {args.repeat} x 50 calls each\n")
    print("| scanner | median us/KiB | p95 us/KiB |")
    print("|---|---|---|")
    for name, values in (("autopoietic validator (C)", ours), ("ast.parse (CPython)", theirs)):
        p95 = statistics.quantiles(values, n=20)[-1]
        print(f"| {name} | {statistics.median(values):.1f} | {p95:.1f} |")
    print(f"\nratio: ast.parse / validator = {statistics.median(theirs) / statistics.median(ours):.1f}x")


if __name__ == "__main__":
    main()
