import logging
import re
from collections import Counter
from dataclasses import dataclass
from typing import Dict, List

logger = logging.getLogger(__name__)

LEXICON: Dict[str, float] = {
    "good": 1.0, "great": 2.0, "excellent": 3.0, "love": 2.5, "like": 1.0, "happy": 1.5, "fast": 1.0,
    "bad": -1.0, "terrible": -3.0, "hate": -2.5, "slow": -1.0, "broken": -2.0, "bug": -1.0, "crash": -2.0,
}
NEGATIONS = {"not", "never", "no", "isn't", "don't", "doesn't", "wasn't"}
INTENSIFIERS = {"very": 1.5, "really": 1.3, "extremely": 2.0, "slightly": 0.5}
TOKEN = re.compile(r"[a-z']+")


@dataclass
class Score:
    text: str
    value: float
    hits: List[str]

    @property
    def label(self) -> str:
        if self.value > 0.5:
            return "positive"
        if self.value < -0.5:
            return "negative"
        return "neutral"


class SentimentScorer:
    """Lexicon-based sentiment scoring with negation and intensifiers."""

    _security_signature = "modulo_autopoiesis_data_sentiment_scorer"
    _generated_in_sandbox = True

    def __init__(self):
        self.lexicon = dict(LEXICON)
        self.window = 3

    def score(self, text: str) -> Score:
        tokens = TOKEN.findall(text.lower())
        total, hits = 0.0, []
        for i, token in enumerate(tokens):
            if token not in self.lexicon:
                continue
            value = self.lexicon[token]
            context = tokens[max(0, i - self.window):i]
            for word in context:
                value *= INTENSIFIERS.get(word, 1.0)
            if any(word in NEGATIONS for word in context):
                value *= -0.7
            hits.append(f"{token}({value:+.2f})")
            total += value
        return Score(text, round(total, 2), hits)

    def run(self):
        reviews = [
            "I love this library, it is really fast!",
            "Not good. The build is broken and it keeps crashing with a crash report.",
            "It's okay I guess.",
            "Extremely slow startup, but the docs are excellent.",
            "I don't hate it.",
        ]
        labels = Counter()
        for review in reviews:
            s = self.score(review)
            labels[s.label] += 1
            print(f"{s.label:>8} {s.value:+6.2f}  {review}")
            logger.debug("hits: %s", s.hits)
        print(dict(labels))
