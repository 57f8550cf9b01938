from functools import total_ordering


@total_ordering
class Card:
    RANKS = "23456789TJQKA"
    SUITS = "cdhs"

    __slots__ = ("rank", "suit")

    def __init__(self, text: str):
        rank, suit = text[0].upper(), text[1].lower()
        if rank not in self.RANKS or suit not in self.SUITS:
            raise ValueError(f"invalid card {text!r}")
        self.rank, self.suit = rank, suit

    @property
    def value(self) -> int:
        return self.RANKS.index(self.rank)

    def __eq__(self, other):
        if not isinstance(other, Card):
            return NotImplemented
        return (self.value, self.suit) == (other.value, other.suit)

    def __lt__(self, other):
        if not isinstance(other, Card):
            return NotImplemented
        return (self.value, self.SUITS.index(self.suit)) < (other.value, self.SUITS.index(other.suit))

    def __hash__(self):
        return hash((self.rank, self.suit))

    def __repr__(self):
        return f"{self.__class__.__name__}('{self.rank}{self.suit}')"

    def __str__(self):
        return self.rank + {"c": "♣", "d": "♦", "h": "♥", "s": "♠"}[self.suit]


class Hand:
    def __init__(self, *cards: str):
        self.cards = sorted(Card(c) for c in cards)

    def __len__(self):
        return len(self.cards)

    def __bool__(self):
        return bool(self.cards)

    def __contains__(self, card):
        return Card(card) in self.cards if isinstance(card, str) else card in self.cards

    def __iter__(self):
        return iter(self.cards)

    def __str__(self):
        return " ".join(map(str, self.cards))


if __name__ == "__main__":
    hand = Hand("Ah", "7c", "Ts", "7d", "2h")
    print(hand, len(hand), "Ah" in hand, "Kd" in hand, bool(Hand()))
    print(max(hand), min(hand), Card("7c") < Card("7d"), Card("Qs") >= Card("Qs"), Card("2h") != Card("2s"))
    print(sorted({Card("As"), Card("as"), Card("Kh")}), repr(Card("tc")))
    print(Card("Ah").__eq__("Ah"))
    try:
        Card("Xz")
    except ValueError as exc:
        print(exc)
