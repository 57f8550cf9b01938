import cmath
import math
from functools import reduce
from itertools import compress


def sieve(limit: int) -> list[int]:
    """Return all primes <= limit (sieve of Eratosthenes)."""
    if limit < 2:
        return []
    flags = [True] * (limit + 1)
    flags[0] = flags[1] = False
    for i in range(2, math.isqrt(limit) + 1):
        if flags[i]:
            flags[i * i::i] = [False] * len(range(i * i, limit + 1, i))
    return list(compress(range(limit + 1), flags))


def prime_factors(n: int) -> dict[int, int]:
    factors: dict[int, int] = {}
    d = 2
    while d * d <= n:
        while n % d == 0:
            factors[d] = factors.get(d, 0) + 1
            n //= d
        d += 1 if d == 2 else 2
    if n > 1:
        factors[n] = factors.get(n, 0) + 1
    return factors


def lcm_many(*numbers: int) -> int:
    return reduce(math.lcm, numbers)


def quadratic_roots(a: float, b: float, c: float):
    disc = cmath.sqrt(b * b - 4 * a * c)
    return (-b + disc) / (2 * a), (-b - disc) / (2 * a)


if __name__ == "__main__":
    print(sieve(60))
    print(prime_factors(360), prime_factors(9973), prime_factors(2 ** 10 * 3 ** 3))
    print(math.gcd(84, 36, 120), lcm_many(4, 6, 15), math.comb(10, 3), math.perm(5, 2), math.factorial(10))
    print(quadratic_roots(1, -3, 2), quadratic_roots(1, 2, 5))
    print(math.isqrt(10 ** 12 + 1), math.prod(range(1, 6)), math.dist((0, 0), (3, 4)), math.fsum([0.1] * 10))
    print(round(math.log2(1024)), math.copysign(3, -0.0), math.isfinite(math.inf), math.nan != math.nan)
    print(cmath.polar(1 + 1j), cmath.exp(1j * math.pi).real)
