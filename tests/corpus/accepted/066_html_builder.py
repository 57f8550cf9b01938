from html import escape
from typing import Dict, List, Optional, Union

VOID_ELEMENTS = {"br", "hr", "img", "input", "meta", "link"}

Child = Union["Element", str]


class Element:
    """Tiny HTML builder.

    Attribute names ending with an underscore have it stripped, so that
    Python keywords can be used: ``Element("label", for_="email", class_="x")``.
    """

    def __init__(self, tag: str, *children: Child, **attributes: Optional[str]):
        self.tag = tag
        self.children: List[Child] = list(children)
        self.attributes: Dict[str, Optional[str]] = {k.rstrip("_").replace("_", "-"): v for k, v in attributes.items()}

    def add(self, *children: Child) -> "Element":
        self.children.extend(children)
        return self

    def _attrs(self) -> str:
        parts = []
        for name, value in self.attributes.items():
            if value is None:
                parts.append(name)
            else:
                parts.append(f'{name}="{escape(str(value), quote=True)}"')
        return (" " + " ".join(parts)) if parts else ""

    def render(self, indent: int = 0) -> str:
        pad = "  " * indent
        if self.tag in VOID_ELEMENTS:
            return f"{pad}<{self.tag}{self._attrs()}>"
        if all(isinstance(c, str) for c in self.children):
            inner = "".join(escape(c) for c in self.children)
            return f"{pad}<{self.tag}{self._attrs()}>{inner}</{self.tag}>"
        lines = [f"{pad}<{self.tag}{self._attrs()}>"]
        for child in self.children:
            lines.append(child.render(indent + 1) if isinstance(child, Element) else "  " * (indent + 1) + escape(child))
        lines.append(f"{pad}</{self.tag}>")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        return f"<Element {self.tag} children={len(self.children)}>"


def form(fields):
    f = Element("form", action="/subscribe", method="post")
    for name, label in fields:
        f.add(Element("label", label, for_=name), Element("input", id=name, name=name, type="text", required=None), Element("br"))
    f.add(Element("button", "Send <now>", type="submit", class_="btn btn-primary"))
    return f


if __name__ == "__main__":
    page = Element("html", Element("head", Element("title", "Tom & Jerry's page")), Element("body", form([("email", "E-mail"), ("name", "Name")])))
    print(page)
    print(repr(page))
    print(Element("a", "link", href='/search?q="x"&y=1', data_id="42"))
