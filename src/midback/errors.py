"""The errors midback raises. Edges (CLI, web) turn them into exit codes or HTTP statuses."""

from __future__ import annotations

from midback.words import did_you_mean


class MidbackError(Exception):
    """Base of every error midback raises on purpose."""


class CatalogueError(MidbackError):
    """A catalogue file is missing, unreadable or invalid; names the file and the field path."""

    def __init__(self, file: str, message: str, *, field: str | None = None) -> None:
        self.file = file
        self.field = field
        self.message = message
        where = f"{file}: {field}" if field else file
        super().__init__(f"{where}: {message}")


class UnknownIdError(MidbackError):
    """An id (exercise, program, variant, guide page...) that the catalogue does not hold."""

    def __init__(self, kind: str, value: str, suggestions: list[str]) -> None:
        self.kind = kind
        self.value = value
        self.suggestions = suggestions
        super().__init__(f"unknown {kind} {value!r}{did_you_mean(suggestions)}")


class AnswersError(MidbackError):
    """Screening answers that are missing, out of range or name an unknown id."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


class ScreenBlocked(MidbackError):
    """The safety screen does not allow self-guided exercise (emergency, or urgent or doctor
    not cleared)."""

    def __init__(self, verdict: str, reasons: list[tuple[str, str]]) -> None:
        self.verdict = verdict
        self.reasons = reasons
        text = "; ".join(message for _, message in reasons)
        super().__init__(f"screen verdict {verdict}: {text}")


class ScreenRequired(ScreenBlocked):
    """No safety screen is stored for the person, or it is older than 30 days: ask it first.

    ``verdict`` is ``unscreened`` or ``expired``; faces treat it like a blocked screen (exit 3,
    HTTP 403) and offer the screen.
    """

    def __init__(self, verdict: str, message: str) -> None:
        super().__init__(verdict, [("screen_required", message)])


class PainTooHigh(ScreenBlocked):
    """Pain asked before a session is 8/10 or more: not a day to exercise on your own."""

    def __init__(self, pain: int, message: str) -> None:
        self.pain = pain
        super().__init__("pain_today", [("pain_today", message)])


class PlanError(MidbackError):
    """No plan can be made from these options (e.g. budget too small, nothing allowed)."""


class NothingFits(PlanError):
    """Valid options, but no exercise fits them with the person's limits (the stored screen's
    conditions, the kit, the time): the web answers 409, naming what to change."""


class NotFound(MidbackError):
    """A stored record that does not exist, or that belongs to another person."""

    def __init__(self, kind: str, key: object) -> None:
        self.kind = kind
        self.key = key
        super().__init__(f"{kind} {key!r} not found")


class ImportFileError(MidbackError):
    """An import document with a bad or clashing record; names the first one by its path."""

    def __init__(self, where: str, message: str) -> None:
        self.where = where
        self.message = message
        super().__init__(f"{where}: {message}")
