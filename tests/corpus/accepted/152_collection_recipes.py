from collections import OrderedDict, defaultdict, deque
import json


def tree():
    """Autovivifying tree: ``t['a']['b']['c'] = 1`` just works."""
    return defaultdict(tree)


def to_plain(d):
    return {k: to_plain(v) for k, v in d.items()} if isinstance(d, defaultdict) else d


def tail(iterable, n=3):
    return list(deque(iterable, maxlen=n))


def moving_window(seq, n):
    window = deque(maxlen=n)
    for item in seq:
        window.append(item)
        if len(window) == n:
            yield tuple(window)


class LastUpdatedOrderedDict(OrderedDict):
    """Store items in the order the keys were last added."""

    def __setitem__(self, key, value):
        super().__setitem__(key, value)
        self.move_to_end(key)


if __name__ == "__main__":
    t = tree()
    t["users"]["ada"]["role"] = "admin"
    t["users"]["bob"]["role"] = "dev"
    t["settings"]["theme"] = "dark"
    print(json.dumps(to_plain(t), sort_keys=True))
    print(tail(range(10)), list(moving_window("abcde", 3)))
    d = deque([1, 2, 3, 4, 5])
    d.rotate(2)
    print(d, end=" ")
    d.appendleft(0)
    d.extendleft([-2, -1])
    print(d, d.popleft(), d.pop())
    lu = LastUpdatedOrderedDict(a=1, b=2, c=3)
    lu["a"] = 10
    print(list(lu.items()), lu.popitem(last=False))
    groups = defaultdict(list)
    for word in "apple avocado banana blueberry cherry".split():
        groups[word[0]].append(word)
    print(dict(groups))
    counts = defaultdict(int)
    for ch in "hello world":
        counts[ch] += 1
    print(sorted(counts.items(), key=lambda kv: -kv[1])[:3])
