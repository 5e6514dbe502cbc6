"""The names other modules imported from the old ``pages`` module, now split by concept.

The pages live in one router module per resource (``home_pages``, ``catalogue_pages``,
``screen_pages``, ``plan_pages``, ``checkin_pages``, ``history_pages``, ``breaks_pages``);
rendering in ``render``, form parsing in ``forms``, the pain chart in ``pain_chart``. New
code imports from those; this module only keeps the old imports working.
"""

from __future__ import annotations

from midback.web.forms import plan_form, plan_query, validated
from midback.web.pain_chart import pain_chart, sparkline
from midback.web.render import (
    CHOICES,
    install_error_pages,
    link,
    not_found,
    render,
    safe_next,
    screen_first,
)

__all__ = [
    "CHOICES",
    "install_error_pages",
    "link",
    "not_found",
    "pain_chart",
    "plan_form",
    "plan_query",
    "render",
    "safe_next",
    "screen_first",
    "sparkline",
    "validated",
]
