import html
import logging
import re
from typing import Any, Dict, List, Tuple

logger = logging.getLogger(__name__)

TOKEN_RE = re.compile(r"({{.*?}}|{%.*?%})", re.DOTALL)
FOR_RE = re.compile(r"for\s+(\w+)\s+in\s+([\w.]+)$")
IF_RE = re.compile(r"if\s+(not\s+)?([\w.]+)$")


class TemplateSyntaxError(Exception):
    pass


def lookup(context: Dict[str, Any], dotted: str) -> Any:
    value: Any = context
    for part in dotted.split("."):
        if isinstance(value, dict):
            value = value.get(part, "")
        elif isinstance(value, (list, tuple)) and part.isdigit():
            value = value[int(part)]
        else:
            return ""
    return value


class MiniTemplateEngine:
    """A logic-light template engine: ``{{ var }}``, ``{% for %}``, ``{% if %}``.

    Unlike Jinja it does not compile templates into Python code with
    ``compile()`` and ``exec``; it walks a parsed node tree. Variables are
    looked up in dictionaries only (no attribute access, so a template
    cannot reach ``__class__`` or any other attribute), and output is
    HTML-escaped unless the ``|safe`` filter is used.
    """

    _security_signature = "modulo_autopoiesis_data_mini_template_engine"
    _generated_in_sandbox = True

    def __init__(self):
        self.templates: Dict[str, str] = {
            "page": (
                "<h1>{{ title }}</h1>\n"
                "{% if user.admin %}<p>Welcome, admin {{ user.name }}!</p>\n{% endif %}"
                "{% if not items %}<p>No items.</p>{% endif %}"
                "<ul>\n{% for item in items %}  <li>{{ item.name }}: {{ item.price }}</li>\n{% endfor %}</ul>\n"
                "{{ footer|safe }}"
            ),
        }

    def parse(self, source: str) -> List[Any]:
        root: List[Any] = []
        stack: List[Tuple[str, Any, List[Any]]] = [("root", None, root)]
        for token in TOKEN_RE.split(source):
            if token.startswith("{{"):
                stack[-1][2].append(("var", token[2:-2].strip()))
            elif token.startswith("{%"):
                tag = token[2:-2].strip()
                if m := FOR_RE.match(tag):
                    node = ("for", m.groups(), [])
                    stack[-1][2].append(node)
                    stack.append(node)
                elif m := IF_RE.match(tag):
                    node = ("if", (bool(m.group(1)), m.group(2)), [])
                    stack[-1][2].append(node)
                    stack.append(node)
                elif tag in ("endfor", "endif"):
                    if stack[-1][0] != tag[3:]:
                        raise TemplateSyntaxError(f"unexpected {{% {tag} %}}")
                    stack.pop()
                else:
                    raise TemplateSyntaxError(f"unknown tag {tag!r}")
            elif token:
                stack[-1][2].append(("text", token))
        if len(stack) != 1:
            raise TemplateSyntaxError(f"unclosed {{% {stack[-1][0]} %}}")
        return root

    def render_nodes(self, nodes: List[Any], context: Dict[str, Any]) -> str:
        out = []
        for node in nodes:
            kind = node[0]
            if kind == "text":
                out.append(node[1])
            elif kind == "var":
                name, _, flt = node[1].partition("|")
                value = str(lookup(context, name.strip()))
                out.append(value if flt.strip() == "safe" else html.escape(value))
            elif kind == "for":
                var, seq = node[1]
                for item in lookup(context, seq) or []:
                    out.append(self.render_nodes(node[2], {**context, var: item}))
            elif kind == "if":
                negate, name = node[1]
                if bool(lookup(context, name)) != negate:
                    out.append(self.render_nodes(node[2], context))
        return "".join(out)

    def render(self, name: str, context: Dict[str, Any]) -> str:
        return self.render_nodes(self.parse(self.templates[name]), context)

    def run(self):
        context = {
            "title": "Tools & <Parts>",
            "user": {"name": "Ada", "admin": True},
            "items": [{"name": "hammer", "price": "9.99"}, {"name": "<script>", "price": "0"}],
            "footer": "<footer>&copy; 2024</footer>",
        }
        print(self.render("page", context))
        print(self.render("page", {"title": "Empty", "items": [], "user": {}}))
        for bad in ("{% for x in y %}never closed", "{% while true %}"):
            try:
                self.parse(bad)
            except TemplateSyntaxError as exc:
                logger.warning("template error: %s", exc)
                print("syntax error:", exc)
