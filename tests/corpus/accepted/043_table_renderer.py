import html
from typing import Any, List, Sequence


class TableRenderer:
    """Renders tabular data as Markdown, plain text, or HTML.

    Cell values are escaped with :func:`html.escape` for the HTML output so
    that user-provided content such as ``<script>`` cannot inject markup.
    """

    _security_signature = "modulo_autopoiesis_data_table_renderer"
    _generated_in_sandbox = True

    def __init__(self):
        self.headers: List[str] = ["Name", "Role", "Score"]
        self.rows: List[Sequence[Any]] = [
            ("Ada Lovelace", "Engineer", 98.5),
            ("Alan <Turing>", "R&D", 97),
            ("Grace Hopper", 'Admiral "Amazing"', 99.25),
        ]

    def _widths(self) -> List[int]:
        cols = zip(self.headers, *self.rows)
        return [max(len(str(cell)) for cell in col) for col in cols]

    def markdown(self) -> str:
        widths = self._widths()
        header = "| " + " | ".join(h.ljust(w) for h, w in zip(self.headers, widths)) + " |"
        sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
        body = [
            "| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths)) + " |"
            for row in self.rows
        ]
        return "\n".join([header, sep, *body])

    def text(self) -> str:
        widths = self._widths()
        line = "+".join("-" * (w + 2) for w in widths)
        out = [" | ".join(h.center(w) for h, w in zip(self.headers, widths)), line]
        for row in self.rows:
            out.append(" | ".join(str(c).rjust(w) if isinstance(c, (int, float)) else str(c).ljust(w) for c, w in zip(row, widths)))
        return "\n".join(out)

    def html(self) -> str:
        head = "".join(f"<th>{html.escape(h)}</th>" for h in self.headers)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>"
            for row in self.rows
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    def run(self):
        print(self.markdown())
        print()
        print(self.text())
        print()
        print(self.html())
        print(html.unescape("&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot;"))
