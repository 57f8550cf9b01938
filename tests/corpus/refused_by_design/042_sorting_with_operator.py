from dataclasses import dataclass
from operator import attrgetter, itemgetter, methodcaller


@dataclass
class Book:
    title: str
    author: str
    year: int
    rating: float


BOOKS = [
    Book("Dune", "Frank Herbert", 1965, 4.3),
    Book("Neuromancer", "William Gibson", 1984, 3.9),
    Book("Foundation", "Isaac Asimov", 1951, 4.2),
    Book("Hyperion", "Dan Simmons", 1989, 4.3),
    Book("Solaris", "Stanislaw Lem", 1961, 4.0),
]

ROWS = [
    {"name": "alice", "age": 30, "city": "Paris"},
    {"name": "bob", "age": 25, "city": "Berlin"},
    {"name": "carol", "age": 35, "city": "Paris"},
]


def sort_books(books, *keys):
    return sorted(books, key=attrgetter(*keys))


if __name__ == "__main__":
    by_title = sorted(BOOKS, key=attrgetter("title"))
    print([b.title for b in by_title])
    by_rating = sorted(BOOKS, key=attrgetter("rating", "year"), reverse=True)
    print([(b.title, b.rating) for b in by_rating])
    get_name = attrgetter("name")
    print(sorted(ROWS, key=itemgetter("city", "age")))
    print(list(map(itemgetter("name"), ROWS)))
    shout = methodcaller("upper")
    print([shout(r["name"]) for r in ROWS])
    split_words = methodcaller("split", " ")
    print(split_words("the quick brown fox"))
    print(list(map(methodcaller("replace", "a", "@"), ["banana", "apple"])))
    pick = itemgetter(0, 2)
    print(pick(["x", "y", "z"]))
    print([b.author for b in sort_books(BOOKS, "year")][:3])
