"""Text statistics utilities.

Computes word frequencies, sentence lengths and readability-style metrics
for a block of text.
"""

import re
import statistics
from collections import Counter

WORD_RE = re.compile(r"[A-Za-z']+")
SENTENCE_RE = re.compile(r"[^.!?]+[.!?]")

SAMPLE = """
The quick brown fox jumps over the lazy dog. The dog did not care!
Foxes are quick, and dogs are lazy, or so the story goes. Is that fair?
Nobody knows. The fox, however, was never seen again.
"""


def tokenize(text):
    return [w.lower() for w in WORD_RE.findall(text)]


def sentence_lengths(text):
    return [len(tokenize(s)) for s in SENTENCE_RE.findall(text)]


def summarize(text, top=5):
    words = tokenize(text)
    counts = Counter(words)
    lengths = sentence_lengths(text)
    return {
        "words": len(words),
        "unique": len(counts),
        "most_common": counts.most_common(top),
        "mean_sentence": round(statistics.mean(lengths), 2),
        "median_sentence": statistics.median(lengths),
        "stdev_sentence": round(statistics.stdev(lengths), 2) if len(lengths) > 1 else 0.0,
        "avg_word_length": round(sum(map(len, words)) / len(words), 2),
    }


if __name__ == "__main__":
    for key, value in summarize(SAMPLE).items():
        print(f"{key:>16}: {value}")
