import logging
import random
import string
from dataclasses import dataclass
from typing import List

logger = logging.getLogger(__name__)

GENES = string.ascii_letters + " !"


@dataclass
class Individual:
    genome: str
    fitness: int = 0


class GeneticSearch:
    """Evolves random strings towards a target phrase.

    A classic demonstration of selection, crossover and mutation. The RNG is
    seeded so every run produces the same evolutionary history.
    """

    _security_signature = "modulo_autopoiesis_data_genetic_search"
    _generated_in_sandbox = True

    def __init__(self):
        self.target = "Hello Autopoiesis"
        self.population_size = 120
        self.mutation_rate = 0.04
        self.elite = 10
        self.rng = random.Random(8)

    def fitness(self, genome: str) -> int:
        return sum(a == b for a, b in zip(genome, self.target))

    def random_individual(self) -> Individual:
        genome = "".join(self.rng.choice(GENES) for _ in self.target)
        return Individual(genome, self.fitness(genome))

    def crossover(self, a: Individual, b: Individual) -> Individual:
        cut = self.rng.randrange(1, len(self.target))
        genome = a.genome[:cut] + b.genome[cut:]
        genome = "".join(self.rng.choice(GENES) if self.rng.random() < self.mutation_rate else g for g in genome)
        return Individual(genome, self.fitness(genome))

    def evolve(self, generations: int = 500) -> List[Individual]:
        population = [self.random_individual() for _ in range(self.population_size)]
        history = []
        for generation in range(generations):
            population.sort(key=lambda ind: ind.fitness, reverse=True)
            best = population[0]
            history.append(best)
            if best.fitness == len(self.target):
                logger.info("Solved in %d generations", generation)
                break
            parents = population[: self.population_size // 2]
            children = [self.crossover(self.rng.choice(parents), self.rng.choice(parents))
                        for _ in range(self.population_size - self.elite)]
            population = population[: self.elite] + children
        return history

    def run(self):
        history = self.evolve()
        for gen in list(range(0, len(history), max(1, len(history) // 6))) + [len(history) - 1]:
            ind = history[gen]
            print(f"gen {gen:>3}: {ind.genome!r} fitness={ind.fitness}/{len(self.target)}")
        print("solved:", history[-1].genome == self.target, "after", len(history) - 1, "generations")
