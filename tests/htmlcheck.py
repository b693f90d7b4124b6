"""What an HTML page of catalog-diff is made of, read back with the standard library's
parser: its elements, attributes and text. The tests hold every page to the same rules:
only the elements and attributes the renderers write, no script, no link that leaves the
page, and every value from an input shown as :func:`catalog_diff.layout.printable` writes it.
"""

from __future__ import annotations

from html.parser import HTMLParser

#: Elements the page frame, the diff report and the charts write; anything else came from an input.
ELEMENTS = {
    "html", "head", "meta", "title", "style", "body", "main", "h1", "h2", "h3", "section",
    "p", "div", "table", "thead", "tbody", "tr", "th", "td", "caption", "code", "span", "ul",
    "li", "details", "summary", "nav", "a", "footer", "figure", "figcaption", "strong",
    "svg", "g", "line", "polyline", "circle", "rect", "text", "desc",
}  # fmt: skip

#: Attributes the renderers write.
ATTRIBUTES = {
    "lang", "charset", "http-equiv", "content", "name", "class", "id", "href", "role",
    "aria-labelledby", "viewbox", "width", "height", "x", "y", "x1", "x2", "y1", "y2", "cx",
    "cy", "r", "fill", "stroke", "stroke-width", "points", "text-anchor", "xmlns",
    "data-count", "data-severity", "data-kind", "open", "data-series", "data-points", "data-chart",
}  # fmt: skip


class Page(HTMLParser):
    """Elements, attributes, comments and text of a page (entities decoded)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.comments: list[str] = []
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)
        if tag == "style":
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._skip -= 1

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)

    @property
    def all_text(self) -> str:
        return "".join(self.text)


def read(page: str) -> Page:
    parser = Page()
    parser.feed(page)
    parser.close()
    return parser


def check_page(page: str) -> Page:
    """The rules every page keeps, whatever its input held; the parsed page."""
    got = read(page)
    assert set(got.tags) <= ELEMENTS, set(got.tags) - ELEMENTS
    assert {a for a, _ in got.attrs} <= ATTRIBUTES, {a for a, _ in got.attrs} - ATTRIBUTES
    assert got.comments == []
    for name, value in got.attrs:
        if name == "href":
            assert value is not None and value.startswith("#"), value
    assert page.count("<script") == 0 and page.count("<style") == 1
    return got
