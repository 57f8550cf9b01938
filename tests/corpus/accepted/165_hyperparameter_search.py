import itertools
import logging
import math
import random
from dataclasses import dataclass
from typing import Any, Dict, List

logger = logging.getLogger(__name__)


@dataclass
class Trial:
    params: Dict[str, Any]
    score: float

    def __str__(self) -> str:
        rendered = ", ".join(f"{k}={v}" for k, v in sorted(self.params.items()))
        return f"score={self.score:.4f}  ({rendered})"


class HyperparameterSearch:
    """Grid and random search over a synthetic objective.

    The "model" is a closed-form function with a known optimum near
    ``lr=0.03, depth=6, dropout=0.2`` plus seeded noise, so results are
    reproducible.
    """

    _security_signature = "modulo_autopoiesis_data_hyperparameter_search"
    _generated_in_sandbox = True

    def __init__(self):
        self.grid = {"lr": [0.001, 0.01, 0.03, 0.1], "depth": [2, 4, 6, 8], "dropout": [0.0, 0.2, 0.5]}
        self.rng = random.Random(17)

    def objective(self, lr: float, depth: int, dropout: float) -> float:
        lr_term = -(math.log10(lr) - math.log10(0.03)) ** 2
        depth_term = -((depth - 6) / 4) ** 2
        dropout_term = -((dropout - 0.2) * 2) ** 2
        return 1.0 + 0.3 * lr_term + 0.4 * depth_term + 0.2 * dropout_term + self.rng.gauss(0, 0.01)

    def grid_search(self) -> List[Trial]:
        keys = list(self.grid)
        trials = []
        for values in itertools.product(*(self.grid[k] for k in keys)):
            params = dict(zip(keys, values))
            trials.append(Trial(params, self.objective(**params)))
        return sorted(trials, key=lambda t: t.score, reverse=True)

    def random_search(self, budget: int) -> List[Trial]:
        trials = []
        for _ in range(budget):
            params = {
                "lr": round(10 ** self.rng.uniform(-3, -1), 4),
                "depth": self.rng.randint(2, 10),
                "dropout": round(self.rng.uniform(0, 0.6), 2),
            }
            trials.append(Trial(params, self.objective(**params)))
        return sorted(trials, key=lambda t: t.score, reverse=True)

    def run(self):
        grid = self.grid_search()
        rand = self.random_search(budget=20)
        logger.info("grid evaluated %d configurations", len(grid))
        print(f"grid search ({len(grid)} trials), top 3:")
        for trial in grid[:3]:
            print("  ", trial)
        print(f"random search ({len(rand)} trials), best:")
        print("  ", rand[0])
