import difflib
import hashlib
import logging
import re
import textwrap
from dataclasses import dataclass, field
from typing import Callable, List, Tuple

logger = logging.getLogger(__name__)

CURRENT_VERSION = textwrap.dedent('''\
    def average(values):
        total = 0
        for v in values:
            total = total + v
        return total / len(values)


    def clamp(x, lo, hi):
        if x < lo:
            return lo
        if x > hi:
            return hi
        return x
''')


@dataclass
class Proposal:
    title: str
    rationale: str
    new_source: str
    diff: str = ""
    fingerprint: str = field(default="", repr=False)


Rewrite = Tuple[str, str, Callable[[str], str]]


class ImprovementProposer:
    """Proposes improvements to a component's source as reviewable diffs.

    The proposer works on source *text*. It does not open the file that
    holds the component, does not ``exec`` the new version and does not
    ``__import__`` anything: each proposal is a unified diff that the
    orchestrator can validate, test in the sandbox and then accept or
    reject.
    """

    _security_signature = "modulo_autopoiesis_data_improvement_proposer"
    _generated_in_sandbox = True

    def __init__(self):
        self.source = CURRENT_VERSION
        self.rewrites: List[Rewrite] = [
            ("use built-in sum", "sum() is clearer and faster than a manual loop",
             lambda s: re.sub(r"    total = 0\n    for v in values:\n        total = total \+ v\n    return total / len\(values\)",
                              "    if not values:\n        raise ValueError(\"average of empty sequence\")\n    return sum(values) / len(values)", s)),
            ("simplify clamp", "max/min express clamping in one line",
             lambda s: re.sub(r"    if x < lo:\n        return lo\n    if x > hi:\n        return hi\n    return x",
                              "    return max(lo, min(x, hi))", s)),
            ("no-op rewrite", "should be discarded because nothing changes", lambda s: s),
        ]

    def propose(self) -> List[Proposal]:
        proposals = []
        for title, rationale, rewrite in self.rewrites:
            new_source = rewrite(self.source)
            if new_source == self.source:
                logger.info("Discarding %r: no change", title)
                continue
            diff = "".join(difflib.unified_diff(self.source.splitlines(True), new_source.splitlines(True),
                                                "component.py", "component.py (proposed)", n=1))
            proposals.append(Proposal(title, rationale, new_source, diff, hashlib.sha256(new_source.encode()).hexdigest()[:12]))
        return proposals

    def run(self):
        proposals = self.propose()
        for p in proposals:
            print(f"## {p.title} [{p.fingerprint}]\n{p.rationale}\n{p.diff}")
        shrink = len(self.source.splitlines()) - min(len(p.new_source.splitlines()) for p in proposals)
        print(f"{len(proposals)} proposals; best saves {shrink} lines")
