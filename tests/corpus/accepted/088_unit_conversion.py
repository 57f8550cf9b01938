from decimal import Decimal
from fractions import Fraction

LENGTH = {"mm": Fraction(1, 1000), "cm": Fraction(1, 100), "m": Fraction(1), "km": Fraction(1000),
          "in": Fraction(254, 10000), "ft": Fraction(3048, 10000), "yd": Fraction(9144, 10000), "mi": Fraction(1609344, 1000)}
MASS = {"g": Fraction(1, 1000), "kg": Fraction(1), "lb": Fraction(45359237, 100000000), "oz": Fraction(45359237, 1600000000)}
UNITS = {**{u: ("length", f) for u, f in LENGTH.items()}, **{u: ("mass", f) for u, f in MASS.items()}}


class ConversionError(ValueError):
    pass


def convert(value, source: str, target: str) -> Fraction:
    try:
        dim_a, factor_a = UNITS[source]
        dim_b, factor_b = UNITS[target]
    except KeyError as exc:
        raise ConversionError(f"unknown unit {exc.args[0]!r}") from None
    if dim_a != dim_b:
        raise ConversionError(f"cannot convert {dim_a} ({source}) to {dim_b} ({target})")
    return Fraction(value) * factor_a / factor_b


def celsius_to_fahrenheit(c):
    return Fraction(c) * 9 / 5 + 32


def fahrenheit_to_celsius(f):
    return (Fraction(f) - 32) * 5 / 9


def fmt(value: Fraction, places: int = 4) -> str:
    return str(round(Decimal(value.numerator) / Decimal(value.denominator), places))


if __name__ == "__main__":
    for value, a, b in [(1, "mi", "km"), (12, "in", "ft"), (5, "km", "mi"), (1, "lb", "g"), (16, "oz", "lb"), ("2.5", "m", "cm")]:
        print(f"{value} {a} = {fmt(convert(value, a, b))} {b}")
    print(fmt(celsius_to_fahrenheit(37), 1), fmt(fahrenheit_to_celsius(-40), 1))
    for bad in [(1, "m", "kg"), (1, "parsec", "m")]:
        try:
            convert(*bad)
        except ConversionError as exc:
            print("error:", exc)
