"""Markdown to safe HTML for guide pages (raw HTML in the source is escaped, never passed on)."""

from __future__ import annotations

from functools import cache

from markdown_it import MarkdownIt
from markupsafe import Markup


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False})


def render_markdown(text: str) -> Markup:
    """``text`` as HTML; any HTML inside ``text`` comes out escaped."""
    return Markup(_parser().render(text))
