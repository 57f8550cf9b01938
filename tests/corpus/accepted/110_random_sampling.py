import random
from collections import Counter
from itertools import islice


def reservoir_sample(iterable, k, rng):
    """Uniformly sample ``k`` items from a stream of unknown length."""
    reservoir = list(islice(iterable, k))
    for i, item in enumerate(iterable, start=k):
        j = rng.randint(0, i)
        if j < k:
            reservoir[j] = item
    return reservoir


def weighted_choice(weights: dict, rng):
    return rng.choices(list(weights), weights=list(weights.values()), k=1)[0]


def monte_carlo_pi(samples, rng):
    inside = sum(1 for _ in range(samples) if rng.random() ** 2 + rng.random() ** 2 <= 1)
    return 4 * inside / samples


if __name__ == "__main__":
    rng = random.Random(42)
    deck = [f"{rank}{suit}" for suit in "SHDC" for rank in "A23456789TJQK"]
    rng.shuffle(deck)
    print("hand:", deck[:5])
    print("sample:", rng.sample(range(100), 5))
    print("reservoir:", reservoir_sample(iter(range(10_000)), 5, rng))
    counts = Counter(weighted_choice({"common": 70, "rare": 25, "epic": 5}, rng) for _ in range(1000))
    print("weighted:", counts.most_common())
    print("pi ~", monte_carlo_pi(20000, rng))
    print("gauss:", [round(rng.gauss(0, 1), 3) for _ in range(3)], "triangular:", round(rng.triangular(0, 10, 8), 3))
    print("randrange:", rng.randrange(0, 100, 5), "getrandbits:", rng.getrandbits(16), "uniform:", round(rng.uniform(1, 2), 4))
    state = rng.getstate()
    a = rng.random()
    rng.setstate(state)
    print("reproducible:", a == rng.random())
