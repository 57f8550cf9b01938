import keyword
import logging
import re
import textwrap
from dataclasses import dataclass, field
from typing import Dict, List

logger = logging.getLogger(__name__)

CLASS_TEMPLATE = '''\
class {class_name}:
    """{docstring}"""

    _security_signature = "modulo_autopoiesis_data_{snake_name}"
    _generated_in_sandbox = True

    def __init__(self):
{init_body}

    def run(self):
        result = {{{result_items}}}
        print(f"{class_name} finished: {{result}}")
        return result
'''


@dataclass
class ComponentSpec:
    name: str
    description: str
    attributes: Dict[str, object] = field(default_factory=dict)

    @property
    def class_name(self) -> str:
        return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", self.name) if part)

    @property
    def snake_name(self) -> str:
        return re.sub(r"(?<!^)(?=[A-Z])", "_", self.class_name).lower()


class ComponentCodeGenerator:
    """Generates source code for new components from a specification.

    The generator only produces text. It never calls ``exec`` or
    ``compile`` on the result: the generated source is handed back to the
    host, which validates it and runs it in the sandbox.
    """

    _security_signature = "modulo_autopoiesis_data_component_code_generator"
    _generated_in_sandbox = True

    def __init__(self):
        self.generated: List[str] = []

    @staticmethod
    def _check_attribute(name: str) -> None:
        if not name.isidentifier() or keyword.iskeyword(name):
            raise ValueError(f"invalid attribute name: {name!r}")

    def render(self, spec: ComponentSpec) -> str:
        for attr in spec.attributes:
            self._check_attribute(attr)
        init_lines = [f"self.{k} = {v!r}" for k, v in spec.attributes.items()] or ["pass"]
        init_body = textwrap.indent("\n".join(init_lines), " " * 8)
        result_items = ", ".join(f"{k!r}: self.{k}" for k in spec.attributes)
        source = CLASS_TEMPLATE.format(
            class_name=spec.class_name,
            snake_name=spec.snake_name,
            docstring=spec.description.replace('"""', "'''"),
            init_body=init_body,
            result_items=result_items,
        )
        self.generated.append(source)
        logger.info("Rendered %s (%d lines)", spec.class_name, source.count("\n"))
        return source

    def run(self):
        spec = ComponentSpec("weather report", "Summarises a weather forecast.", {"city": "Oslo", "days": 3})
        print(self.render(spec))
        try:
            self.render(ComponentSpec("bad", "Bad attribute", {"class": 1}))
        except ValueError as exc:
            print("rejected:", exc)
        print("generated components:", len(self.generated))
