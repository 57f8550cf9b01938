import math
import operator
import re
from dataclasses import dataclass
from typing import Dict, List, Union

TOKEN_RE = re.compile(r"\s*(?:(\d+\.?\d*(?:[eE][-+]?\d+)?)|([A-Za-z_]\w*)|(\*\*|[-+*/%^(),]))")

BINARY_OPS = {
    "+": (1, operator.add),
    "-": (1, operator.sub),
    "*": (2, operator.mul),
    "/": (2, operator.truediv),
    "%": (2, operator.mod),
    "**": (3, operator.pow),
    "^": (3, operator.pow),
}

FUNCTIONS = {"sqrt": math.sqrt, "sin": math.sin, "cos": math.cos, "log": math.log, "abs": abs, "max": max, "min": min}
CONSTANTS = {"pi": math.pi, "e": math.e, "tau": math.tau}


@dataclass
class Token:
    kind: str
    value: Union[str, float]


class ParseError(ValueError):
    pass


def tokenize(text: str) -> List[Token]:
    tokens, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = TOKEN_RE.match(text, pos)
        if not m:
            raise ParseError(f"unexpected character {text[pos]!r} at {pos}")
        number, name, op = m.groups()
        if number:
            tokens.append(Token("num", float(number)))
        elif name:
            tokens.append(Token("name", name))
        else:
            tokens.append(Token("op", op))
        pos = m.end()
    return tokens


class ExpressionEvaluator:
    """Evaluates arithmetic expressions with a precedence-climbing parser.

    This is a safe replacement for calling ``eval()`` on user input: only
    numbers, the operators ``+ - * / % ** ^``, parentheses, whitelisted
    functions and named variables are understood.
    """

    _security_signature = "modulo_autopoiesis_data_expression_evaluator"
    _generated_in_sandbox = True

    def __init__(self):
        self.variables: Dict[str, float] = dict(CONSTANTS)
        self.tokens: List[Token] = []
        self.pos = 0

    def _peek(self):
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _next(self):
        tok = self._peek()
        if tok is None:
            raise ParseError("unexpected end of input")
        self.pos += 1
        return tok

    def _expect(self, value):
        tok = self._next()
        if tok.value != value:
            raise ParseError(f"expected {value!r}, got {tok.value!r}")

    def _primary(self) -> float:
        tok = self._next()
        if tok.kind == "num":
            return tok.value
        if tok.kind == "op" and tok.value == "-":
            return -self._expression(3)
        if tok.kind == "op" and tok.value == "(":
            value = self._expression(0)
            self._expect(")")
            return value
        if tok.kind == "name":
            nxt = self._peek()
            if nxt is not None and nxt.value == "(":
                self._next()
                args = [self._expression(0)]
                while self._peek() is not None and self._peek().value == ",":
                    self._next()
                    args.append(self._expression(0))
                self._expect(")")
                if tok.value not in FUNCTIONS:
                    raise ParseError(f"unknown function {tok.value!r}")
                return FUNCTIONS[tok.value](*args)
            if tok.value not in self.variables:
                raise ParseError(f"unknown variable {tok.value!r}")
            return self.variables[tok.value]
        raise ParseError(f"unexpected token {tok.value!r}")

    def _expression(self, min_prec: int) -> float:
        left = self._primary()
        while True:
            tok = self._peek()
            if tok is None or tok.kind != "op" or tok.value not in BINARY_OPS:
                return left
            prec, fn = BINARY_OPS[tok.value]
            if prec < min_prec:
                return left
            self._next()
            right_assoc = tok.value in ("**", "^")
            right = self._expression(prec if right_assoc else prec + 1)
            left = fn(left, right)

    def evaluate(self, text: str) -> float:
        self.tokens, self.pos = tokenize(text), 0
        value = self._expression(0)
        if self._peek() is not None:
            raise ParseError(f"trailing input at token {self.pos}")
        return value

    def run(self):
        self.variables["x"] = 3.0
        for expr in ["1 + 2 * 3", "(1 + 2) * 3", "2 ** 3 ** 2", "-x ^ 2 + 10", "sqrt(16) + max(1, x, 2)",
                     "2 * pi * 10", "10 / (5 - 5)", "__import__('os')", "foo + 1", "3 +"]:
            try:
                print(f"{expr!r:28} = {self.evaluate(expr):g}")
            except (ParseError, ZeroDivisionError) as exc:
                print(f"{expr!r:28} ! {type(exc).__name__}: {exc}")
