from collections import defaultdict
from typing import Dict, Tuple


class SparseMatrix:
    """Dictionary-of-keys sparse matrix."""

    def __init__(self, rows: int, cols: int):
        self.shape = (rows, cols)
        self._data: Dict[Tuple[int, int], float] = {}

    @classmethod
    def from_dense(cls, dense):
        m = cls(len(dense), len(dense[0]) if dense else 0)
        for i, row in enumerate(dense):
            for j, value in enumerate(row):
                if value:
                    m[i, j] = value
        return m

    def __getitem__(self, key: Tuple[int, int]) -> float:
        self._check(key)
        return self._data.get(key, 0.0)

    def __setitem__(self, key: Tuple[int, int], value: float) -> None:
        self._check(key)
        if value:
            self._data[key] = value
        else:
            self._data.pop(key, None)

    def _check(self, key):
        i, j = key
        if not (0 <= i < self.shape[0] and 0 <= j < self.shape[1]):
            raise IndexError(f"index {key} out of bounds for shape {self.shape}")

    @property
    def nnz(self) -> int:
        return len(self._data)

    @property
    def density(self) -> float:
        return self.nnz / (self.shape[0] * self.shape[1])

    def __matmul__(self, other: "SparseMatrix") -> "SparseMatrix":
        if self.shape[1] != other.shape[0]:
            raise ValueError("shape mismatch")
        by_row = defaultdict(list)
        for (k, j), v in other._data.items():
            by_row[k].append((j, v))
        result = SparseMatrix(self.shape[0], other.shape[1])
        acc: Dict[Tuple[int, int], float] = defaultdict(float)
        for (i, k), a in self._data.items():
            for j, b in by_row.get(k, ()):
                acc[i, j] += a * b
        for key, value in acc.items():
            result[key] = value
        return result

    def transpose(self) -> "SparseMatrix":
        t = SparseMatrix(self.shape[1], self.shape[0])
        t._data = {(j, i): v for (i, j), v in self._data.items()}
        return t

    def to_dense(self):
        return [[self[i, j] for j in range(self.shape[1])] for i in range(self.shape[0])]

    def __repr__(self):
        return f"SparseMatrix(shape={self.shape}, nnz={self.nnz})"


if __name__ == "__main__":
    a = SparseMatrix.from_dense([[1, 0, 0], [0, 0, 2], [0, 3, 0]])
    b = SparseMatrix.from_dense([[0, 4], [5, 0], [0, 6]])
    c = a @ b
    print(a, b, c, f"density={a.density:.2f}")
    print(c.to_dense(), a.transpose().to_dense())
    try:
        a[3, 0]
    except IndexError as exc:
        print(exc)
