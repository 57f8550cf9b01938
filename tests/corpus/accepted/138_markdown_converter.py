import html
import re
from typing import List

INLINE_RULES = [
    (re.compile(r"`([^`]+)`"), r"<code>\1</code>"),
    (re.compile(r"\*\*(.+?)\*\*"), r"<strong>\1</strong>"),
    (re.compile(r"(?<!\*)\*(?!\*)(.+?)\*"), r"<em>\1</em>"),
    (re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)"), r'<a href="\2">\1</a>'),
]


def inline(text: str) -> str:
    text = html.escape(text, quote=False)
    for pattern, replacement in INLINE_RULES:
        text = pattern.sub(replacement, text)
    return text


def markdown_to_html(source: str) -> str:
    """Convert a small subset of Markdown to HTML.

    Supports ATX headings, paragraphs, unordered lists, fenced code blocks,
    and inline code, bold, italics and links.
    """
    out: List[str] = []
    paragraph: List[str] = []
    in_list = in_code = False

    def flush_paragraph():
        if paragraph:
            out.append("<p>" + inline(" ".join(paragraph)) + "</p>")
            paragraph.clear()

    for line in source.splitlines():
        if line.startswith("```"):
            flush_paragraph()
            out.append("</code></pre>" if in_code else "<pre><code>")
            in_code = not in_code
            continue
        if in_code:
            out.append(html.escape(line))
            continue
        heading = re.match(r"(#{1,6})\s+(.*)", line)
        item = re.match(r"[-*]\s+(.*)", line)
        if in_list and not item:
            out.append("</ul>")
            in_list = False
        if heading:
            flush_paragraph()
            level = len(heading.group(1))
            out.append(f"<h{level}>{inline(heading.group(2))}</h{level}>")
        elif item:
            flush_paragraph()
            if not in_list:
                out.append("<ul>")
                in_list = True
            out.append(f"<li>{inline(item.group(1))}</li>")
        elif not line.strip():
            flush_paragraph()
        else:
            paragraph.append(line.strip())
    flush_paragraph()
    if in_list:
        out.append("</ul>")
    return "\n".join(out)


DOC = """# Sandbox *notes*

The validator runs **before** execution. See [the docs](https://example.com/docs).
It rejects `eval` & friends.

- fast
- *safe*
- `tested`

```
print("<not html>")
```
"""

if __name__ == "__main__":
    print(markdown_to_html(DOC))
