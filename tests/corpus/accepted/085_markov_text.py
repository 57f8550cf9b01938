import logging
import random
import re
from collections import Counter, defaultdict
from typing import DefaultDict, List, Tuple

logger = logging.getLogger(__name__)

CORPUS = """
The system observes itself. The system writes new components. New components
extend the system. Each component runs in the sandbox, and the sandbox keeps the
system safe. The system observes the components, and the components observe the
data. Data flows through the system, and the system learns.
"""


class MarkovTextGenerator:
    """Order-n Markov chain text generator with a seeded RNG."""

    _security_signature = "modulo_autopoiesis_data_markov_text_generator"
    _generated_in_sandbox = True

    def __init__(self):
        self.order = 2
        self.rng = random.Random(2024)
        self.chain: DefaultDict[Tuple[str, ...], List[str]] = defaultdict(list)
        self.starts: List[Tuple[str, ...]] = []

    def train(self, text: str) -> None:
        words = re.findall(r"[\w']+|[.,]", text)
        for i in range(len(words) - self.order):
            key = tuple(words[i:i + self.order])
            self.chain[key].append(words[i + self.order])
            if i == 0 or words[i - 1] == ".":
                self.starts.append(key)
        logger.info("Trained on %d words, %d states", len(words), len(self.chain))

    def generate(self, max_words: int = 30) -> str:
        state = self.rng.choice(self.starts)
        output = list(state)
        while len(output) < max_words:
            options = self.chain.get(tuple(output[-self.order:]))
            if not options:
                break
            nxt = self.rng.choice(options)
            output.append(nxt)
            if nxt == "." and len(output) > max_words // 2:
                break
        text = " ".join(output)
        return re.sub(r" ([.,])", r"\1", text)

    def run(self):
        self.train(CORPUS)
        for _ in range(3):
            print("-", self.generate())
        branching = Counter(len(set(v)) for v in self.chain.values())
        print("branching factors:", sorted(branching.items()))
        print("sample:", self.rng.sample(sorted(self.chain)[:10], 2))
