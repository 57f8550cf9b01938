from fractions import Fraction
from math import gcd, floor


def continued_fraction(x: Fraction, max_terms: int = 20) -> list[int]:
    """Return the continued fraction expansion of a rational number."""
    terms = []
    while len(terms) < max_terms:
        a = floor(x)
        terms.append(a)
        frac = x - a
        if frac == 0:
            break
        x = 1 / frac
    return terms


def convergents(terms: list[int]) -> list[Fraction]:
    result = []
    h_prev, h = 1, terms[0]
    k_prev, k = 0, 1
    result.append(Fraction(h, k))
    for a in terms[1:]:
        h_prev, h = h, a * h + h_prev
        k_prev, k = k, a * k + k_prev
        result.append(Fraction(h, k))
    return result


def egyptian(fraction: Fraction) -> list[Fraction]:
    """Greedy Egyptian fraction decomposition (Fibonacci–Sylvester)."""
    parts = []
    while fraction.numerator:
        denominator = -(-fraction.denominator // fraction.numerator)
        unit = Fraction(1, denominator)
        parts.append(unit)
        fraction -= unit
    return parts


if __name__ == "__main__":
    pi_approx = Fraction(355, 113)
    cf = continued_fraction(Fraction("3.14159265358979"))
    print("continued fraction:", cf[:8])
    print("convergents:", [str(c) for c in convergents(cf[:5])])
    print("egyptian 7/15:", " + ".join(str(p) for p in egyptian(Fraction(7, 15))))
    print(Fraction(0.1).limit_denominator(1000), Fraction("1/3") + Fraction(1, 6))
    print(float(pi_approx), gcd(355, 113), pi_approx.as_integer_ratio())
