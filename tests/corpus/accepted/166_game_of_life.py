from collections import Counter
from typing import Iterable, Set, Tuple

Cell = Tuple[int, int]

GLIDER = {(1, 0), (2, 1), (0, 2), (1, 2), (2, 2)}
BLINKER = {(1, 0), (1, 1), (1, 2)}


def step(alive: Set[Cell]) -> Set[Cell]:
    counts = Counter((x + dx, y + dy) for x, y in alive for dx in (-1, 0, 1) for dy in (-1, 0, 1) if dx or dy)
    return {cell for cell, n in counts.items() if n == 3 or (n == 2 and cell in alive)}


def render(alive: Iterable[Cell], width: int = 8, height: int = 6) -> str:
    cells = set(alive)
    return "\n".join("".join("█" if (x, y) in cells else "·" for x in range(width)) for y in range(height))


if __name__ == "__main__":
    board = set(GLIDER)
    for generation in range(4):
        print(f"generation {generation}")
        print(render(board))
        board = step(board)
    print("glider after 4 steps is shifted by (1, 1):", board == {(x + 1, y + 1) for x, y in GLIDER})
    print("blinker period 2:", step(step(BLINKER)) == BLINKER, step(BLINKER) != BLINKER)
