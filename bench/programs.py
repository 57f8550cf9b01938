"""Programs of a function and its asserts, as evaluation harnesses run them
(1-3 KiB each): the evaluation workload of bench/execution.py."""

PROGRAMS = [
    '''
def running_median(values):
    """The median of each prefix of values."""
    import bisect
    seen, medians = [], []
    for value in values:
        bisect.insort(seen, value)
        n = len(seen)
        medians.append(seen[n // 2] if n % 2 else (seen[n // 2 - 1] + seen[n // 2]) / 2)
    return medians


assert running_median([1]) == [1]
assert running_median([3, 1]) == [3, 2]
assert running_median([5, 1, 3]) == [5, 3, 3]
assert running_median([2, 2, 2, 2]) == [2, 2, 2, 2]
assert running_median([]) == []
assert running_median(list(range(10, 0, -1)))[-1] == 5.5


def reference(values):
    out = []
    for i in range(1, len(values) + 1):
        prefix = sorted(values[:i])
        mid = i // 2
        out.append(prefix[mid] if i % 2 else (prefix[mid - 1] + prefix[mid]) / 2)
    return out


for seed in range(30):
    data = [(seed * 7919 + i * 104729) % 97 for i in range(seed % 13)]
    assert running_median(data) == reference(data), data
''',
    '''
def parse_intervals(text):
    """'1-3,5,7-8' -> [(1, 3), (5, 5), (7, 8)], merged and sorted."""
    spans = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        low, _, high = part.partition("-")
        a, b = int(low), int(high or low)
        if a > b:
            raise ValueError(part)
        spans.append((a, b))
    spans.sort()
    merged = []
    for a, b in spans:
        if merged and a <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


assert parse_intervals("1-3,5,7-8") == [(1, 3), (5, 5), (7, 8)]
assert parse_intervals("5,1-2,3") == [(1, 3), (5, 5)]
assert parse_intervals("") == []
try:
    parse_intervals("4-2")
except ValueError:
    pass
else:
    raise AssertionError("4-2 accepted")


def covered(spans):
    return sorted({n for a, b in spans for n in range(a, b + 1)})


for seed in range(25):
    parts = ["%d-%d" % (i, i + seed % 4) if (i + seed) % 3 else str(i) for i in range(0, 40, 1 + seed % 5)]
    text = ",".join(reversed(parts))
    spans = parse_intervals(text)
    assert all(a <= b for a, b in spans)
    assert all(spans[i][1] + 1 < spans[i + 1][0] for i in range(len(spans) - 1)), spans
    assert covered(spans) == covered(parse_intervals(",".join(parts)))
''',
    '''
from collections import Counter


def top_words(text, k):
    """The k most common words of text, lower case, ties alphabetical."""
    words = [w.strip(".,;:!?()").lower() for w in text.split()]
    counts = Counter(w for w in words if w)
    return [w for w, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:k]]


TEXT = """The quick brown fox jumps over the lazy dog. The dog sleeps; the fox
runs. A fox, a dog, and the end."""
assert top_words(TEXT, 3) == ["the", "dog", "fox"]
assert top_words("", 2) == []
assert top_words("b a b a c", 2) == ["a", "b"]
assert len(top_words(TEXT, 100)) == len(set(w.strip(".,;").lower() for w in TEXT.split()))


def reference(text, k):
    counts = {}
    for word in text.split():
        word = word.strip(".,;:!?()").lower()
        if word:
            counts[word] = counts.get(word, 0) + 1
    ranked = sorted(counts, key=lambda w: (-counts[w], w))
    return ranked[:k]


for seed in range(20):
    words = ["w%d" % ((seed * 31 + i * i) % 11) for i in range(40 + seed)]
    text = " ".join(words)
    for k in (1, 3, 5, 20):
        assert top_words(text, k) == reference(text, k), (seed, k)
''',
    '''
from collections import deque


def shortest_path(grid):
    """Steps from the top left to the bottom right of a grid of '.' and
    '#' (walls), moving in 4 directions; -1 when there is no path."""
    rows, cols = len(grid), len(grid[0]) if grid else 0
    if not rows or grid[0][0] == "#" or grid[-1][-1] == "#":
        return -1
    seen = {(0, 0)}
    queue = deque([(0, 0, 0)])
    while queue:
        r, c, d = queue.popleft()
        if (r, c) == (rows - 1, cols - 1):
            return d
        for dr, dc in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            nr, nc = r + dr, c + dc
            if 0 <= nr < rows and 0 <= nc < cols and grid[nr][nc] == "." and (nr, nc) not in seen:
                seen.add((nr, nc))
                queue.append((nr, nc, d + 1))
    return -1


assert shortest_path(["...", ".#.", "..."]) == 4
assert shortest_path([".#", "#."]) == -1
assert shortest_path(["."]) == 0
assert shortest_path(["....", "###.", "....", ".###", "...."]) == 13



def open_grid(n):
    return ["." * n for _ in range(n)]


for n in range(1, 12):
    assert shortest_path(open_grid(n)) == 2 * (n - 1)
walled = open_grid(6)
walled[3] = "#####."
assert shortest_path(walled) == 10
walled[3] = "######"
assert shortest_path(walled) == -1
''',
    '''
import json


def flatten(obj, prefix=""):
    """A nested dict/list as {dotted.path: leaf}."""
    if isinstance(obj, dict):
        items = obj.items()
    elif isinstance(obj, list):
        items = enumerate(obj)
    else:
        return {prefix: obj}
    out = {}
    for key, value in items:
        path = f"{prefix}.{key}" if prefix else str(key)
        out.update(flatten(value, path))
    return out


doc = json.loads('{"a": {"b": [1, 2, {"c": 3}]}, "d": null, "e": "x"}')
assert flatten(doc) == {"a.b.0": 1, "a.b.1": 2, "a.b.2.c": 3, "d": None, "e": "x"}
assert flatten({}) == {}
assert flatten([]) == {}
assert flatten(5) == {"": 5}



def unflatten(flat):
    root = {}
    for path, value in flat.items():
        node = root
        keys = path.split(".")
        for key in keys[:-1]:
            node = node.setdefault(key, {})
        node[keys[-1]] = value
    return root


for depth in range(1, 8):
    nested = value = {"leaf": depth}
    for level in range(depth):
        nested = {"k%d" % level: nested}
    flat = flatten(nested)
    assert len(flat) == 1 and list(flat.values()) == [depth]
    assert unflatten(flat) == nested
assert json.loads(json.dumps(flatten(doc))) == flatten(doc)
''',
]
