import math
from dataclasses import dataclass, field
from typing import Generic, Iterator, List, Optional, Sequence, TypeVar

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    number: int
    items: List[T]
    total_items: int
    per_page: int
    total_pages: int = field(init=False)

    def __post_init__(self):
        self.total_pages = max(1, math.ceil(self.total_items / self.per_page))

    @property
    def has_next(self) -> bool:
        return self.number < self.total_pages

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_number(self) -> Optional[int]:
        return self.number + 1 if self.has_next else None


class Paginator(Generic[T]):
    _security_signature = "modulo_autopoiesis_data_paginator"
    _generated_in_sandbox = True

    def __init__(self, items: Optional[Sequence[T]] = None, per_page: int = 4):
        self.items: Sequence[T] = items if items is not None else [f"record-{i:03d}" for i in range(1, 11)]
        self.per_page = per_page

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(len(self.items) / self.per_page))

    def page(self, number: int) -> Page[T]:
        if number < 1 or number > self.num_pages:
            raise IndexError(f"page {number} out of range 1..{self.num_pages}")
        start = (number - 1) * self.per_page
        return Page(number, list(self.items[start:start + self.per_page]), len(self.items), self.per_page)

    def __iter__(self) -> Iterator[Page[T]]:
        for number in range(1, self.num_pages + 1):
            yield self.page(number)

    def page_range(self, current: int, window: int = 2) -> List[object]:
        pages: List[object] = []
        for n in range(1, self.num_pages + 1):
            if n in (1, self.num_pages) or abs(n - current) <= window:
                pages.append(n)
            elif pages[-1] != "…":
                pages.append("…")
        return pages

    def run(self):
        for page in self:
            print(f"page {page.number}/{page.total_pages}: {page.items} next={page.next_number}")
        try:
            self.page(99)
        except IndexError as exc:
            print("error:", exc)
        big = Paginator(list(range(200)), per_page=10)
        print(big.page_range(10))
