from functools import lru_cache
from typing import List, Sequence, Tuple


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance using a rolling one-row table."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def longest_common_subsequence(a: Sequence, b: Sequence) -> List:
    @lru_cache(maxsize=None)
    def lcs(i: int, j: int) -> Tuple:
        if i == len(a) or j == len(b):
            return ()
        if a[i] == b[j]:
            return (a[i],) + lcs(i + 1, j + 1)
        left, right = lcs(i + 1, j), lcs(i, j + 1)
        return left if len(left) >= len(right) else right

    return list(lcs(0, 0))


def knapsack(items: List[Tuple[str, int, int]], capacity: int) -> Tuple[int, List[str]]:
    """0/1 knapsack. ``items`` is a list of (name, weight, value)."""
    best = [[0] * (capacity + 1) for _ in range(len(items) + 1)]
    for i, (_, weight, value) in enumerate(items, 1):
        for c in range(capacity + 1):
            best[i][c] = best[i - 1][c]
            if weight <= c:
                best[i][c] = max(best[i][c], best[i - 1][c - weight] + value)
    chosen, c = [], capacity
    for i in range(len(items), 0, -1):
        if best[i][c] != best[i - 1][c]:
            chosen.append(items[i - 1][0])
            c -= items[i - 1][1]
    return best[-1][-1], chosen[::-1]


def coin_change(coins: List[int], amount: int) -> int:
    ways = [1] + [0] * amount
    for coin in coins:
        for value in range(coin, amount + 1):
            ways[value] += ways[value - coin]
    return ways[amount]


if __name__ == "__main__":
    print(edit_distance("kitten", "sitting"), edit_distance("", "abc"), edit_distance("flaw", "lawn"))
    print("".join(longest_common_subsequence("AGGTAB", "GXTXAYB")))
    print(knapsack([("map", 9, 150), ("compass", 13, 35), ("water", 153, 200), ("sandwich", 50, 160), ("glucose", 15, 60)], 200))
    print(coin_change([1, 2, 5], 11), coin_change([2, 5, 3, 6], 10))
