"""Errors tied to their fields, read from a page's HTML (RGAA 11.10, 11.11):
every id an aria-describedby names exists, and every field error is named by
its field. The browser test (tests/e2e/test_form_errors.py) checks the same
on the rendered page."""

from __future__ import annotations

from html.parser import HTMLParser

ERROR_CLASSES = {"field__error", "error-message"}


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.named: dict[str, str] = {}  # id named -> the element naming it
        self.errors: list[str | None] = []  # the id of each field error (None: it has none)
        self._in_field = 0
        self._stack: list[bool] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = set((attrs.get("class") or "").split())
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        for name in (attrs.get("aria-describedby") or "").split():
            self.named[name] = attrs.get("id") or attrs.get("name") or tag
        inside = bool(classes & {"field", "w-field__wrapper"})
        if self._in_field and classes & ERROR_CLASSES:
            self.errors.append(attrs.get("id"))
        if tag not in {"input", "br", "img", "meta", "link", "hr", "source", "col", "wbr"}:
            self._stack.append(inside)
            self._in_field += inside

    def handle_endtag(self, tag):
        if tag in {"input", "br", "img", "meta", "link", "hr", "source", "col", "wbr"} or not self._stack:
            return
        self._in_field -= self._stack.pop()


def untied(html: str) -> tuple[list[str], int]:
    """(the problems, the number of field errors) of a page."""
    parser = _Ids()
    parser.feed(html)
    problems = [f"{who} nomme « {name} », absent" for name, who in parser.named.items() if name not in parser.ids]
    problems += [f"erreur sans id ni champ : {error}" for error in parser.errors
                 if error is None or error not in parser.named]
    return problems, len(parser.errors)


def assert_errors_tied(html: str, *, at_least: int = 1) -> None:
    problems, errors = untied(html)
    assert problems == [], "\n".join(problems)
    assert errors >= at_least, "no field error on the page"
