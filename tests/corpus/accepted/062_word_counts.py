from collections import Counter

DOC_A = "the cat sat on the mat and the cat slept".split()
DOC_B = "the dog sat on the log and the dog barked".split()


def jaccard(a, b):
    sa, sb = set(a), set(b)
    return len(sa & sb) / len(sa | sb)


def cosine(a: Counter, b: Counter) -> float:
    dot = sum(a[k] * b[k] for k in a.keys() & b.keys())
    norm = (sum(v * v for v in a.values()) ** 0.5) * (sum(v * v for v in b.values()) ** 0.5)
    return dot / norm if norm else 0.0


if __name__ == "__main__":
    ca, cb = Counter(DOC_A), Counter(DOC_B)
    print(ca.most_common(3))
    print("sum:", (ca + cb).most_common(4))
    print("difference:", ca - cb)
    print("intersection:", ca & cb)
    print("union:", ca | cb)
    c = Counter(a=3, b=1)
    c.subtract({"a": 1, "b": 2, "c": 1})
    print(c, sorted(c.elements()), +c, c.total())
    print(f"jaccard={jaccard(DOC_A, DOC_B):.3f} cosine={cosine(ca, cb):.3f}")
    letters = Counter("mississippi")
    print("".join(sorted(letters, key=lambda ch: (-letters[ch], ch))))
