from __future__ import annotations

from typing import Iterable, List, Sequence


class Matrix:
    """A small dense matrix of floats.

    Supports ``+``, ``-``, ``*`` (scalar), ``@`` (matrix product),
    transposition, indexing with ``m[i, j]`` and equality.
    """

    def __init__(self, rows: Iterable[Sequence[float]]):
        self._rows: List[List[float]] = [list(map(float, r)) for r in rows]
        widths = {len(r) for r in self._rows}
        if len(widths) > 1:
            raise ValueError("all rows must have the same length")

    @classmethod
    def identity(cls, n: int) -> Matrix:
        return cls([[1.0 if i == j else 0.0 for j in range(n)] for i in range(n)])

    @classmethod
    def zeros(cls, rows: int, cols: int) -> Matrix:
        return cls([[0.0] * cols for _ in range(rows)])

    @property
    def shape(self) -> tuple[int, int]:
        return len(self._rows), len(self._rows[0]) if self._rows else 0

    def __getitem__(self, index: tuple[int, int]) -> float:
        i, j = index
        return self._rows[i][j]

    def __setitem__(self, index: tuple[int, int], value: float) -> None:
        i, j = index
        self._rows[i][j] = float(value)

    def __add__(self, other: Matrix) -> Matrix:
        self._require_shape(other)
        return Matrix([[a + b for a, b in zip(r1, r2)] for r1, r2 in zip(self._rows, other._rows)])

    def __sub__(self, other: Matrix) -> Matrix:
        self._require_shape(other)
        return Matrix([[a - b for a, b in zip(r1, r2)] for r1, r2 in zip(self._rows, other._rows)])

    def __mul__(self, scalar: float) -> Matrix:
        return Matrix([[a * scalar for a in row] for row in self._rows])

    __rmul__ = __mul__

    def __matmul__(self, other: Matrix) -> Matrix:
        if self.shape[1] != other.shape[0]:
            raise ValueError(f"shape mismatch: {self.shape} @ {other.shape}")
        cols = list(zip(*other._rows))
        return Matrix([[sum(a * b for a, b in zip(row, col)) for col in cols] for row in self._rows])

    def transpose(self) -> Matrix:
        return Matrix(zip(*self._rows))

    T = property(transpose)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Matrix) and self._rows == other._rows

    def _require_shape(self, other: Matrix) -> None:
        if self.shape != other.shape:
            raise ValueError(f"shape mismatch: {self.shape} vs {other.shape}")

    def __repr__(self) -> str:
        return f"Matrix({self._rows})"

    def __str__(self) -> str:
        return "\n".join("[" + " ".join(f"{v:7.2f}" for v in row) + "]" for row in self._rows)


if __name__ == "__main__":
    a = Matrix([[1, 2], [3, 4]])
    b = Matrix([[0, 1], [1, 0]])
    print(a @ b)
    print(a.T)
    print((a + b) * 0.5)
    print(a @ Matrix.identity(2) == a)
    print(repr(Matrix.zeros(2, 3)))
    try:
        a @ Matrix.zeros(3, 3)
    except ValueError as e:
        print("error:", e)
