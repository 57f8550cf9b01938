import logging
from dataclasses import dataclass
from typing import Dict, List, Protocol, runtime_checkable

logger = logging.getLogger(__name__)


@runtime_checkable
class Notifier(Protocol):
    channel: str

    def send(self, recipient: str, message: str) -> bool:
        ...


@dataclass
class EmailNotifier:
    channel: str = "email"
    sender: str = "noreply@example.com"

    def send(self, recipient: str, message: str) -> bool:
        print("[{channel}] {sender} -> {to}: {msg}".format(channel=self.channel, sender=self.sender, to=recipient, msg=message))
        return "@" in recipient


@dataclass
class SmsNotifier:
    channel: str = "sms"
    max_length: int = 40

    def send(self, recipient: str, message: str) -> bool:
        text = message if len(message) <= self.max_length else message[: self.max_length - 3] + "..."
        print("[{0}] to {1}: {2}".format(self.channel, recipient, text))
        return recipient.startswith("+")


class NotificationDispatcher:
    _security_signature = "modulo_autopoiesis_data_notification_dispatcher"
    _generated_in_sandbox = True

    TEMPLATES = {
        "welcome": "Hi {name}, welcome to {product}!",
        "reset": "{name}, use code {code} to reset your password.",
    }

    def __init__(self):
        self.notifiers: Dict[str, Notifier] = {}
        self.failures: List[str] = []

    def register(self, notifier: Notifier) -> None:
        if not isinstance(notifier, Notifier):
            raise TypeError(f"{notifier!r} does not implement Notifier")
        self.notifiers[notifier.channel] = notifier

    def dispatch(self, channel: str, recipient: str, template: str, **context) -> bool:
        notifier = self.notifiers.get(channel)
        if notifier is None:
            logger.error("No notifier registered for channel %s", channel)
            return False
        message = self.TEMPLATES[template].format(**context)
        ok = notifier.send(recipient, message)
        if not ok:
            self.failures.append(f"{channel}:{recipient}")
        return ok

    def run(self):
        self.register(EmailNotifier())
        self.register(SmsNotifier())
        try:
            self.register(object())
        except TypeError as exc:
            print("register failed:", exc.__class__.__name__)
        self.dispatch("email", "ada@example.com", "welcome", name="Ada", product="Autopoiesis")
        self.dispatch("sms", "+15550100", "reset", name="Grace", code="482913")
        self.dispatch("sms", "5550199", "welcome", name="Linus", product="a product with a very long name")
        self.dispatch("fax", "12345", "welcome", name="Old", product="Fax")
        print("failures:", self.failures)
