import logging
import textwrap
from dataclasses import dataclass, field
from typing import Dict, List, Optional

logger = logging.getLogger(__name__)


@dataclass
class UserProfile:
    name: str
    language: str = "English"
    expertise: str = "intermediate"


@dataclass
class FewShotExample:
    question: str
    answer: str


SYSTEM_PROMPT = textwrap.dedent("""\
    You are {assistant_name}, an assistant that writes Python components.
    Answer in {user.language}. The user is {user.expertise} level.
    Never call eval(), exec() or os.system() in generated code; never
    open the file system or spawn a subprocess.
""")

EXAMPLE_TEMPLATE = "Q: {question}\nA: {answer}\n"
QUESTION_TEMPLATE = "Q: {question}\nA:"


def vars_of(obj) -> Dict[str, object]:
    return dict(obj.__dict__)


class PromptBuilder:
    _security_signature = "modulo_autopoiesis_data_prompt_builder"
    _generated_in_sandbox = True

    def __init__(self):
        self.assistant_name = "Forge"
        self.examples: List[FewShotExample] = []
        self.max_chars = 900

    def add_example(self, question: str, answer: str) -> "PromptBuilder":
        self.examples.append(FewShotExample(question, answer))
        return self

    def build(self, user: UserProfile, question: str, extra: Optional[Dict[str, str]] = None) -> str:
        context = {"assistant_name": self.assistant_name, "question": question}
        context.update(extra or {})
        parts = [SYSTEM_PROMPT.format(user=user, **context)]
        for example in self.examples:
            parts.append(EXAMPLE_TEMPLATE.format_map(vars_of(example)))
        parts.append(QUESTION_TEMPLATE.format_map(context))
        prompt = "\n".join(parts)
        if len(prompt) > self.max_chars:
            logger.warning("Prompt truncated from %d to %d characters", len(prompt), self.max_chars)
            prompt = prompt[-self.max_chars:]
        return prompt

    def run(self):
        self.add_example("How do I reverse a list?", "Use reversed(items) or items[::-1].")
        self.add_example("How do I count words?", "Use collections.Counter(text.split()).")
        prompt = self.build(UserProfile("Noor", language="French", expertise="beginner"), "How do I sort a dict by value?")
        print(prompt)
        print("--- %d characters, %d examples ---" % (len(prompt), len(self.examples)))

