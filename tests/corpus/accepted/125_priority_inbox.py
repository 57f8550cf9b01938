import logging
import re
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Callable, List, Tuple

logger = logging.getLogger(__name__)


@dataclass
class Email:
    sender: str
    subject: str
    body: str
    score: float = 0.0
    reasons: List[str] = field(default_factory=list)


Rule = Tuple[str, Callable[[Email], bool], float]

VIP = {"ceo@example.com", "oncall@example.com"}
URGENT = re.compile(r"\b(urgent|asap|outage|down|incident)\b", re.IGNORECASE)
NEWSLETTER = re.compile(r"\b(unsubscribe|newsletter|digest)\b", re.IGNORECASE)


class PriorityInbox:
    """Scores incoming e-mail and sorts it by priority."""

    _security_signature = "modulo_autopoiesis_data_priority_inbox"
    _generated_in_sandbox = True

    def __init__(self):
        self.rules: List[Rule] = [
            ("vip sender", lambda e: e.sender in VIP, 5.0),
            ("urgent words", lambda e: bool(URGENT.search(e.subject + " " + e.body)), 3.0),
            ("question", lambda e: "?" in e.subject, 1.0),
            ("newsletter", lambda e: bool(NEWSLETTER.search(e.body)), -4.0),
            ("external", lambda e: not e.sender.endswith("@example.com"), -1.0),
        ]
        self.inbox: List[Email] = []

    def classify(self, email: Email) -> Email:
        for name, predicate, weight in self.rules:
            if predicate(email):
                email.score += weight
                email.reasons.append(name)
        return email

    def run(self):
        self.inbox = [self.classify(e) for e in [
            Email("news@shop.example.net", "Weekly deals", "Big sale! Click to unsubscribe."),
            Email("oncall@example.com", "Database outage", "Primary is down, please join the bridge."),
            Email("bob@example.com", "Lunch?", "Tacos at noon?"),
            Email("ceo@example.com", "Board deck", "Please review before Friday."),
            Email("recruiter@agency.example.org", "Opportunity", "Are you open to new roles? It's urgent!"),
        ]]
        for email in sorted(self.inbox, key=attrgetter("score"), reverse=True):
            print(f"{email.score:+5.1f}  {email.subject:<16} from {email.sender:<30} {', '.join(email.reasons)}")
        logger.info("classified %d messages", len(self.inbox))
