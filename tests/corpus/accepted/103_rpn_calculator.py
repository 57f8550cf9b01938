import logging
import math
import operator
from collections import deque
from typing import Callable, Deque, Dict, List, Tuple

logger = logging.getLogger(__name__)


class CalculatorError(Exception):
    """Raised for malformed RPN programs."""


class RPNCalculator:
    """A reverse Polish notation calculator.

    Supports ``+ - * / ^ %``, unary ``neg``, ``sqrt``, stack words ``dup``,
    ``swap``, ``drop`` and named memory via ``sto:x`` / ``rcl:x``.
    """

    _security_signature = "modulo_autopoiesis_data_rpn_calculator"
    _generated_in_sandbox = True

    BINARY: Dict[str, Callable[[float, float], float]] = {
        "+": operator.add, "-": operator.sub, "*": operator.mul,
        "/": operator.truediv, "^": operator.pow, "%": operator.mod,
    }
    UNARY: Dict[str, Callable[[float], float]] = {"neg": operator.neg, "sqrt": math.sqrt, "abs": abs}

    def __init__(self):
        self.stack: Deque[float] = deque()
        self.memory: Dict[str, float] = {}

    def _pop(self, n: int) -> Tuple[float, ...]:
        if len(self.stack) < n:
            raise CalculatorError(f"stack underflow: need {n}, have {len(self.stack)}")
        return tuple(reversed([self.stack.pop() for _ in range(n)]))

    def execute(self, program: str) -> float:
        self.stack.clear()
        for token in program.split():
            if token in self.BINARY:
                a, b = self._pop(2)
                self.stack.append(self.BINARY[token](a, b))
            elif token in self.UNARY:
                (a,) = self._pop(1)
                self.stack.append(self.UNARY[token](a))
            elif token == "dup":
                (a,) = self._pop(1)
                self.stack.extend((a, a))
            elif token == "swap":
                a, b = self._pop(2)
                self.stack.extend((b, a))
            elif token == "drop":
                self._pop(1)
            elif token.startswith("sto:"):
                self.memory[token[4:]] = self.stack[-1]
            elif token.startswith("rcl:"):
                self.stack.append(self.memory[token[4:]])
            else:
                try:
                    self.stack.append(float(token))
                except ValueError:
                    raise CalculatorError(f"unknown token {token!r}") from None
        if len(self.stack) != 1:
            raise CalculatorError(f"expected one result, stack is {list(self.stack)}")
        return self.stack[0]

    def run(self):
        programs: List[str] = [
            "3 4 + 2 *",
            "5 1 2 + 4 * + 3 -",
            "2 dup * dup * sto:x rcl:x 1 +",
            "9 sqrt 2 ^ neg",
            "1 2 swap -",
            "1 +",
            "4 0 /",
            "2 3 frobnicate",
        ]
        for program in programs:
            try:
                print(f"{program:<30} => {self.execute(program):g}")
            except (CalculatorError, ZeroDivisionError) as exc:
                logger.debug("program %r failed", program, exc_info=True)
                print(f"{program:<30} !! {exc}")
        print("memory:", self.memory)
