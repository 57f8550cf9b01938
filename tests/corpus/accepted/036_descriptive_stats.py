"""Descriptive statistics helpers.

Examples
--------
>>> describe([1, 2, 3, 4])["mean"]
2.5
"""

import math
import random
import statistics
from typing import Dict, Sequence


def describe(data: Sequence[float]) -> Dict[str, float]:
    """Summarise a sample.

    Parameters
    ----------
    data : sequence of float
        The sample. Must contain at least two values.

    Returns
    -------
    dict
        Mean, median, standard deviation, quartiles, min and max.
    """
    q1, q2, q3 = statistics.quantiles(data, n=4)
    return {
        "n": len(data),
        "mean": statistics.mean(data),
        "median": statistics.median(data),
        "stdev": statistics.stdev(data),
        "variance": statistics.variance(data),
        "q1": q1,
        "q3": q3,
        "iqr": q3 - q1,
        "min": min(data),
        "max": max(data),
    }


def zscores(data: Sequence[float]) -> list:
    mu = statistics.fmean(data)
    sigma = statistics.pstdev(data)
    return [(x - mu) / sigma for x in data]


if __name__ == "__main__":
    rng = random.Random(7)
    sample = [round(rng.gauss(50, 10), 1) for _ in range(200)]
    for key, value in describe(sample).items():
        print(f"{key:>8}: {value:.3f}" if isinstance(value, float) else f"{key:>8}: {value}")
    heights = [160, 165, 170, 175, 180, 185]
    weights = [55, 61, 66, 72, 77, 85]
    print("correlation:", round(statistics.correlation(heights, weights), 4))
    slope, intercept = statistics.linear_regression(heights, weights)
    print(f"regression: w = {slope:.3f} * h + {intercept:.3f}")
    dist = statistics.NormalDist(mu=100, sigma=15)
    print("P(IQ < 130):", round(dist.cdf(130), 4), "90th pct:", round(dist.inv_cdf(0.9), 1))
    print("mode:", statistics.mode([1, 2, 2, 3, 3, 3]), "multimode:", statistics.multimode("aabbc"))
    print("geometric mean:", round(statistics.geometric_mean([1, 10, 100]), 3), math.isclose(sum(zscores(heights)), 0, abs_tol=1e-9))
