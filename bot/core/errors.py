"""Errors a user may meet. Each message is written to be shown as it is, in any front end."""

from __future__ import annotations


class HotseatError(Exception):
    """Something the user can act on; str(e) is the friendly message."""


class BadMessage(HotseatError):
    pass


class NoActiveSession(HotseatError):
    pass


class AlreadyPractising(HotseatError):
    pass


class NotYourSession(HotseatError):
    pass


class AlreadyApplied(HotseatError):
    """The platform delivered this message again (a retry, a replay after a restart); it counted once."""


class UnknownPersona(HotseatError, LookupError):
    def __init__(self, persona_id: str, known: list[str]) -> None:
        self.persona_id = persona_id
        shown = ", ".join(known[:12]) + (" ..." if len(known) > 12 else "")
        super().__init__(f"There is no persona called {persona_id[:60]!r}. Try one of: {shown}.")
