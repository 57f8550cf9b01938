"""A toy byte-pair-encoding tokenizer.

This is the same algorithm (in miniature) that GPT-style models use to build
their vocabularies: repeatedly merge the most frequent adjacent pair.
"""

from collections import Counter
from typing import Dict, List, Tuple

Pair = Tuple[str, str]


def get_pair_counts(vocab: Dict[Tuple[str, ...], int]) -> Counter:
    pairs: Counter = Counter()
    for symbols, freq in vocab.items():
        for a, b in zip(symbols, symbols[1:]):
            pairs[(a, b)] += freq
    return pairs


def merge_pair(pair: Pair, vocab: Dict[Tuple[str, ...], int]) -> Dict[Tuple[str, ...], int]:
    merged = {}
    for symbols, freq in vocab.items():
        out, i = [], 0
        while i < len(symbols):
            if i < len(symbols) - 1 and (symbols[i], symbols[i + 1]) == pair:
                out.append(symbols[i] + symbols[i + 1])
                i += 2
            else:
                out.append(symbols[i])
                i += 1
        merged[tuple(out)] = freq
    return merged


def train(corpus: str, num_merges: int) -> List[Pair]:
    words = Counter(corpus.split())
    vocab = {tuple(word) + ("</w>",): freq for word, freq in words.items()}
    merges = []
    for _ in range(num_merges):
        pairs = get_pair_counts(vocab)
        if not pairs:
            break
        best = max(pairs, key=lambda p: (pairs[p], p))
        merges.append(best)
        vocab = merge_pair(best, vocab)
    return merges


def encode(word: str, merges: List[Pair]) -> List[str]:
    symbols = list(word) + ["</w>"]
    for pair in merges:
        i, out = 0, []
        while i < len(symbols):
            if i < len(symbols) - 1 and (symbols[i], symbols[i + 1]) == pair:
                out.append(symbols[i] + symbols[i + 1])
                i += 2
            else:
                out.append(symbols[i])
                i += 1
        symbols = out
    return symbols


if __name__ == "__main__":
    corpus = "low lower lowest newer newest wider widest low low new new"
    merges = train(corpus, 10)
    print("merges:", merges)
    for word in ("lowest", "newer", "wild", "slow"):
        print(f"{word:>7} -> {encode(word, merges)}")
