from html.parser import HTMLParser
from typing import Dict, List, Optional, Tuple

PAGE = """<!doctype html>
<html>
  <head><title>Sandbox &amp; Friends</title></head>
  <body>
    <h1 id="top">Welcome</h1>
    <p>Read the <a href="/docs/intro" title="Intro">introduction</a> or the
       <a href="https://example.com/faq">FAQ</a>.</p>
    <script>var notALink = "<a href='x'>";</script>
    <img src="/static/logo.png" alt="Logo">
    <a name="anchor-without-href">anchor</a>
  </body>
</html>"""


class LinkExtractor(HTMLParser):
    """Collect links, images, headings and the title from an HTML document."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: List[Tuple[str, str]] = []
        self.images: List[Dict[str, Optional[str]]] = []
        self.title = ""
        self._in_title = False
        self._current_href: Optional[str] = None
        self._text: List[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and "href" in attributes:
            self._current_href = attributes["href"]
            self._text = []
        elif tag == "img":
            self.images.append(attributes)
        elif tag == "title":
            self._in_title = True

    def handle_endtag(self, tag):
        if tag == "a" and self._current_href is not None:
            self.links.append((self._current_href, " ".join("".join(self._text).split())))
            self._current_href = None
        elif tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        if self._current_href is not None:
            self._text.append(data)


if __name__ == "__main__":
    parser = LinkExtractor()
    parser.feed(PAGE)
    parser.close()
    print("title:", parser.title)
    for href, text in parser.links:
        print(f"link: {href:<28} text={text!r}")
    print("images:", parser.images)
