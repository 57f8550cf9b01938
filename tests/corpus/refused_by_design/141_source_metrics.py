import keyword
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, List

logger = logging.getLogger(__name__)

SAMPLE_SOURCE = '''
import math


class Circle:
    """A circle."""

    def __init__(self, radius):
        self.radius = radius

    def area(self):
        # pi r squared
        return math.pi * self.radius ** 2


def describe(shape):
    if shape.radius > 10:
        return "large"
    elif shape.radius > 1:
        return "medium"
    return "small"


async def fetch_all(urls):
    for url in urls:
        while False:
            pass
'''

DEF_RE = re.compile(r"^(\s*)(async\s+def|def)\s+(\w+)", re.MULTILINE)
CLASS_RE = re.compile(r"^(\s*)class\s+(\w+)", re.MULTILINE)
BRANCH_RE = re.compile(r"\b(if|elif|for|while|and|or|except|case)\b")
IDENT_RE = re.compile(r"\b[A-Za-z_]\w*\b")


@dataclass
class SourceMetrics:
    total_lines: int = 0
    code_lines: int = 0
    comment_lines: int = 0
    blank_lines: int = 0
    functions: List[str] = field(default_factory=list)
    classes: List[str] = field(default_factory=list)
    complexity: int = 1
    keywords: Dict[str, int] = field(default_factory=dict)


class SourceMetricsAnalyzer:
    """Computes simple metrics for Python source text.

    The analysis is purely textual (regular expressions and line counts):
    the code under analysis is never passed to ``compile`` or ``exec``,
    so even hostile input such as ``__import__('os').system('rm -rf /')``
    is just a string here.
    """

    _security_signature = "modulo_autopoiesis_data_source_metrics_analyzer"
    _generated_in_sandbox = True

    def __init__(self):
        self.source = SAMPLE_SOURCE

    def analyze(self, source: str) -> SourceMetrics:
        m = SourceMetrics()
        for line in source.splitlines():
            m.total_lines += 1
            stripped = line.strip()
            if not stripped:
                m.blank_lines += 1
            elif stripped.startswith("#"):
                m.comment_lines += 1
            else:
                m.code_lines += 1
        m.functions = [name for _, _, name in DEF_RE.findall(source)]
        m.classes = [name for _, name in CLASS_RE.findall(source)]
        m.complexity += len(BRANCH_RE.findall(source))
        words = Counter(w for w in IDENT_RE.findall(source) if keyword.iskeyword(w))
        m.keywords = dict(words.most_common(5))
        return m

    def run(self):
        metrics = self.analyze(self.source)
        for key, value in metrics.__dict__.items():
            print(f"{key:>14}: {value}")
        hostile = "__import__('os').system('echo hi')"
        print("hostile sample code lines:", self.analyze(hostile).code_lines)
