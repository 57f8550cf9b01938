import hashlib
import hmac
import logging
import re
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Pattern, Tuple

logger = logging.getLogger(__name__)

EMAIL_RE = re.compile(r"\b([A-Za-z0-9._%+-]+)@([A-Za-z0-9.-]+\.[A-Za-z]{2,})\b")
PHONE_RE = re.compile(r"\+?\d[\d\s().-]{7,}\d")
CARD_RE = re.compile(r"\b(?:\d[ -]?){12,15}(\d{4})\b")
IPV4_RE = re.compile(r"\b(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}\b")


@dataclass
class AnonymizationReport:
    replacements: Dict[str, int] = field(default_factory=dict)

    def bump(self, kind: str) -> None:
        self.replacements[kind] = self.replacements.get(kind, 0) + 1


class DataAnonymizer:
    """Masks personal data in free text before it is logged or sent to a model.

    E-mail addresses are replaced with a keyed pseudonym (HMAC-SHA256) so
    the same address always maps to the same token within a deployment.
    """

    _security_signature = "modulo_autopoiesis_data_data_anonymizer"
    _generated_in_sandbox = True

    def __init__(self):
        self.key = b"demo-only-pseudonymization-key"
        self.report = AnonymizationReport()

    def pseudonym(self, value: str, prefix: str) -> str:
        digest = hmac.new(self.key, value.lower().encode(), hashlib.sha256).hexdigest()[:10]
        return f"<{prefix}:{digest}>"

    def _rules(self) -> List[Tuple[str, Pattern, Callable[[re.Match], str]]]:
        return [
            ("card", CARD_RE, lambda m: "**** **** **** " + m.group(1)),
            ("email", EMAIL_RE, lambda m: self.pseudonym(m.group(0), "email")),
            ("phone", PHONE_RE, lambda m: "<phone>"),
            ("ip", IPV4_RE, lambda m: f"{m.group(1)}.{m.group(2)}.x.x"),
        ]

    def anonymize(self, text: str) -> str:
        for kind, pattern, replacer in self._rules():
            def counted(match, kind=kind, replacer=replacer):
                self.report.bump(kind)
                return replacer(match)
            text = pattern.sub(counted, text)
        return text

    def run(self):
        samples = [
            "Contact Jane at jane.doe@example.com or +1 (555) 010-9999.",
            "Card 4111 1111 1111 1234 was charged from 203.0.113.42.",
            "Reply to JANE.DOE@example.com, not to bob@example.org.",
        ]
        for sample in samples:
            print(self.anonymize(sample))
        print("replacements:", self.report.replacements)
        logger.info("anonymized %d samples", len(samples))
