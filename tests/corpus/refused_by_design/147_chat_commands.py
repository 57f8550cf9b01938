import logging
import random
import re
import shlex
from datetime import datetime, timezone
from typing import Callable, Dict, List, Optional

logger = logging.getLogger(__name__)

COMMAND_RE = re.compile(r"^/(?P<name>[a-z][a-z0-9_]*)(?:\s+(?P<args>.*))?$")


class ChatCommandBot:
    """Handles slash commands in a chat channel.

    Commands are methods named ``cmd_<name>``; the dispatcher looks them up
    with ``getattr(self, "cmd_" + name, None)``, so adding a command is just
    adding a method. Unknown commands get a friendly help message.
    """

    _security_signature = "modulo_autopoiesis_data_chat_command_bot"
    _generated_in_sandbox = True

    def __init__(self):
        self.rng = random.Random(3)
        self.reminders: List[str] = []
        self.started = datetime(2024, 4, 1, 8, 0, tzinfo=timezone.utc)

    def cmd_help(self, *args: str) -> str:
        names = sorted(name[4:] for name in dir(self) if name.startswith("cmd_"))
        return "commands: " + ", ".join("/" + n for n in names)

    def cmd_roll(self, spec: str = "1d6", *args: str) -> str:
        match = re.fullmatch(r"(\d*)d(\d+)", spec)
        if not match:
            return f"bad dice spec {spec!r}"
        count, sides = int(match.group(1) or 1), int(match.group(2))
        rolls = [self.rng.randint(1, sides) for _ in range(min(count, 20))]
        return f"rolled {rolls} = {sum(rolls)}"

    def cmd_remind(self, *words: str) -> str:
        if not words:
            return "usage: /remind <text>"
        self.reminders.append(" ".join(words))
        return f"ok, {len(self.reminders)} reminder(s) saved"

    def cmd_uptime(self, *args: str) -> str:
        delta = datetime(2024, 4, 2, 9, 30, tzinfo=timezone.utc) - self.started
        return f"up {delta.days}d {delta.seconds // 3600}h"

    def handle(self, text: str) -> Optional[str]:
        match = COMMAND_RE.match(text.strip())
        if not match:
            return None
        name = match.group("name")
        handler: Optional[Callable[..., str]] = getattr(self, f"cmd_{name}", None)
        if handler is None:
            logger.info("unknown command %s", name)
            return f"unknown command /{name}. {self.cmd_help()}"
        try:
            args = shlex.split(match.group("args") or "")
        except ValueError as exc:
            return f"could not parse arguments: {exc}"
        return handler(*args)

    def run(self):
        for message in ["/help", "/roll 3d6", "/roll banana", '/remind "stand-up" at 10', "/uptime", "hello there", "/deploy prod"]:
            reply = self.handle(message)
            print(f"{message!r:28} -> {reply}")
        print("reminders:", self.reminders, "| has cmd_roll:", hasattr(self, "cmd_roll"))
