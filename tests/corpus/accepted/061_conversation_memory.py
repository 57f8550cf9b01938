import json
import logging
from collections import deque
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Deque, Dict, List, Literal, Optional

logger = logging.getLogger(__name__)

Role = Literal["system", "user", "assistant", "tool"]


@dataclass
class Message:
    role: Role
    content: str
    timestamp: datetime = field(default_factory=lambda: datetime(2024, 1, 1, tzinfo=timezone.utc))
    metadata: Dict[str, str] = field(default_factory=dict)

    @property
    def token_estimate(self) -> int:
        # Rough heuristic used by many agent frameworks: ~4 characters per token.
        return max(1, len(self.content) // 4)


class ConversationMemory:
    """Sliding-window conversation memory for an LLM agent.

    Keeps the system prompt pinned and evicts the oldest turns once the
    token budget is exceeded. The memory can be exported as JSON for
    persistence by the host (this component does not open the file itself).
    """

    _security_signature = "modulo_autopoiesis_data_conversation_memory"
    _generated_in_sandbox = True

    def __init__(self):
        self.max_tokens = 60
        self.system: Optional[Message] = None
        self.turns: Deque[Message] = deque(maxlen=50)
        self.evicted = 0

    def add(self, role: Role, content: str, **metadata: str) -> None:
        message = Message(role, content, metadata=metadata)
        if role == "system":
            self.system = message
            return
        if self.turns:
            message.timestamp = self.turns[-1].timestamp + timedelta(seconds=30)
        self.turns.append(message)
        self._trim()

    def _trim(self) -> None:
        while self.total_tokens() > self.max_tokens and len(self.turns) > 1:
            dropped = self.turns.popleft()
            self.evicted += 1
            logger.debug("Evicted %s message (%d tokens)", dropped.role, dropped.token_estimate)

    def total_tokens(self) -> int:
        base = self.system.token_estimate if self.system else 0
        return base + sum(m.token_estimate for m in self.turns)

    def as_prompt(self) -> List[Dict[str, str]]:
        messages = [self.system] if self.system else []
        messages.extend(self.turns)
        return [{"role": m.role, "content": m.content} for m in messages]

    def export(self) -> str:
        payload = [asdict(m) for m in self.turns]
        return json.dumps(payload, default=str)

    def run(self):
        self.add("system", "You are a helpful assistant that writes small Python components.")
        self.add("user", "Write a function that reverses a string.")
        self.add("assistant", "def reverse(s):\n    return s[::-1]", model="demo")
        self.add("user", "Now make it handle None by returning an empty string.")
        self.add("assistant", "def reverse(s):\n    return (s or '')[::-1]")
        self.add("user", "Thanks! Add a docstring too, please.")
        for message in self.as_prompt():
            print(f"{message['role']:>9}: {message['content'].splitlines()[0]}")
        print(f"tokens={self.total_tokens()} evicted={self.evicted} exported_bytes={len(self.export())}")
