import logging
import statistics
from collections import Counter
from dataclasses import dataclass
from typing import Dict, List

logger = logging.getLogger(__name__)

SCALE = {1: "Strongly disagree", 2: "Disagree", 3: "Neutral", 4: "Agree", 5: "Strongly agree"}

RESPONSES = {
    "The tool is easy to use": [5, 4, 4, 5, 3, 4, 5, 2, 4, 4, 5, 4],
    "Documentation is sufficient": [2, 3, 3, 1, 2, 4, 3, 2, 3, 2, 1, 3],
    "I would recommend it": [5, 5, 4, 4, 5, 3, 4, 5, 5, 4, 4, 5],
    "Performance is acceptable": [3, 4, 2, 5, 3, 3, 4, 1, 3, 4, 3, 3],
}


@dataclass
class QuestionSummary:
    question: str
    n: int
    mean: float
    median: float
    top_box: float
    net_agreement: float
    distribution: Dict[int, int]


class SurveyAnalyzer:
    """Summarises Likert-scale survey answers."""

    _security_signature = "modulo_autopoiesis_data_survey_analyzer"
    _generated_in_sandbox = True

    def __init__(self):
        self.responses = RESPONSES

    def summarize(self, question: str, answers: List[int]) -> QuestionSummary:
        counts = Counter(answers)
        n = len(answers)
        agree = sum(counts[k] for k in (4, 5)) / n
        disagree = sum(counts[k] for k in (1, 2)) / n
        return QuestionSummary(
            question=question,
            n=n,
            mean=statistics.fmean(answers),
            median=statistics.median(answers),
            top_box=counts[5] / n,
            net_agreement=agree - disagree,
            distribution={k: counts.get(k, 0) for k in SCALE},
        )

    def run(self):
        summaries = [self.summarize(q, a) for q, a in self.responses.items()]
        header = "{:<30} {:>5} {:>6} {:>8} {:>6}  {}".format("question", "mean", "median", "top-box", "net", "1 2 3 4 5")
        print(header)
        print("-" * len(header))
        for s in sorted(summaries, key=lambda s: s.net_agreement, reverse=True):
            dist = " ".join(str(s.distribution[k]) for k in SCALE)
            print("{:<30} {:>5.2f} {:>6} {:>7.0%} {:>+6.0%}  {}".format(s.question, s.mean, s.median, s.top_box, s.net_agreement, dist))
        worst = min(summaries, key=lambda s: s.mean)
        logger.info("lowest scoring question: %s", worst.question)
        print(f"needs attention: {worst.question!r} (mode: {SCALE[statistics.mode(self.responses[worst.question])]})")
