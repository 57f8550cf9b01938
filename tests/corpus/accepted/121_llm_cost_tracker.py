import logging
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import DefaultDict, Dict, List

logger = logging.getLogger(__name__)

# USD per 1K tokens: (prompt, completion)
PRICING: Dict[str, tuple] = {
    "small-chat": (Decimal("0.0005"), Decimal("0.0015")),
    "large-chat": (Decimal("0.0100"), Decimal("0.0300")),
    "embedding": (Decimal("0.0001"), Decimal("0")),
}


@dataclass
class Usage:
    model: str
    prompt_tokens: int
    completion_tokens: int = 0
    purpose: str = "general"

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def cost(self) -> Decimal:
        prompt_rate, completion_rate = PRICING[self.model]
        raw = (prompt_rate * self.prompt_tokens + completion_rate * self.completion_tokens) / 1000
        return raw.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


class BudgetExceeded(Exception):
    pass


class LlmCostTracker:
    """Tracks token usage and spend per model and per purpose.

    Raises :class:`BudgetExceeded` before recording a call that would push
    the spend over the configured budget.
    """

    _security_signature = "modulo_autopoiesis_data_llm_cost_tracker"
    _generated_in_sandbox = True

    def __init__(self):
        self.budget = Decimal("0.25")
        self.calls: List[Usage] = []
        self.by_model: DefaultDict[str, Decimal] = defaultdict(Decimal)
        self.by_purpose: DefaultDict[str, int] = defaultdict(int)

    @property
    def spent(self) -> Decimal:
        return sum(self.by_model.values(), Decimal("0"))

    def record(self, usage: Usage) -> Decimal:
        if usage.model not in PRICING:
            raise KeyError("unknown model {!r}".format(usage.model))
        cost = usage.cost()
        if self.spent + cost > self.budget:
            raise BudgetExceeded("call would cost {} but only {} remains".format(cost, self.budget - self.spent))
        self.calls.append(usage)
        self.by_model[usage.model] += cost
        self.by_purpose[usage.purpose] += usage.total_tokens
        logger.debug("recorded %s: %d tokens, $%s", usage.model, usage.total_tokens, cost)
        return cost

    def run(self):
        usages = [
            Usage("small-chat", 1200, 350, "planning"),
            Usage("large-chat", 3000, 1200, "codegen"),
            Usage("embedding", 8000, purpose="retrieval"),
            Usage("large-chat", 2500, 900, "codegen"),
            Usage("large-chat", 6000, 4000, "review"),
            Usage("small-chat", 400, 100, "planning"),
        ]
        for usage in usages:
            try:
                cost = self.record(usage)
                print("{model:<11} {tokens:>6} tokens  ${cost}".format(model=usage.model, tokens=usage.total_tokens, cost=cost))
            except BudgetExceeded as exc:
                logger.warning("Budget exceeded: %s", exc)
                print("skipped:", exc)
        print("spent: ${} of ${}".format(self.spent, self.budget))
        for purpose, tokens in sorted(self.by_purpose.items(), key=lambda kv: -kv[1]):
            print("  {:<10} {:>6}".format(purpose, tokens))
