import cmath
import math

PALETTE = " .:-=+*#%@"


def mandelbrot(c: complex, max_iter: int = 50) -> int:
    z = 0j
    for n in range(max_iter):
        z = z * z + c
        if abs(z) > 2:
            return n
    return max_iter


def render(width: int = 60, height: int = 20, max_iter: int = 40) -> str:
    rows = []
    for y in range(height):
        imag = 1.2 - 2.4 * y / (height - 1)
        row = []
        for x in range(width):
            real = -2.1 + 2.8 * x / (width - 1)
            n = mandelbrot(complex(real, imag), max_iter)
            row.append(PALETTE[min(len(PALETTE) - 1, n * len(PALETTE) // max_iter)])
        rows.append("".join(row))
    return "\n".join(rows)


def roots_of_unity(n: int):
    return [cmath.rect(1, 2 * math.pi * k / n) for k in range(n)]


if __name__ == "__main__":
    print(render())
    for r in roots_of_unity(4):
        print(f"{r.real:+.3f}{r.imag:+.3f}j  phase={math.degrees(cmath.phase(r)):7.2f}")
    print(cmath.sqrt(-1), cmath.exp(1j * cmath.pi) + 1, abs(3 + 4j))
