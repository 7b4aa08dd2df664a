"""Failures in words a trainee can act on. The full story goes to the log, never to chat."""

from __future__ import annotations

import logging

from bot.core.errors import HotseatError
from bot.core.events import BROKEN, NOT_SHOWN, REFUSED, CustomerSaid, Ended, Event, HintGiven, Note
from bot.store.records import StoreError

log = logging.getLogger(__name__)

SOMETHING_BROKE = (
    "Sorry, something went wrong on Hotseat's side and your message was not applied. "
    "Your conversation so far is saved; please try again in a moment."
)
START_BROKE = "Sorry, something went wrong on Hotseat's side, so no session was started. Please try again in a moment."
STORE_BROKE = (
    "Hotseat cannot reach its database right now, so your message was not applied. "
    "Please tell whoever runs Hotseat; your earlier turns are safe."
)
LINE_LOST = (
    "Your line was recorded, but the customer's answer could not be shown here. "
    "Carry on, or check history to see where your session stands."
)
HINT_LOST = "Your hint was recorded (it counts in your debrief), but it could not be shown here."
DEBRIEF_LOST = "Your session has ended and was scored, but its debrief could not be shown. History shows your score."
OFFLINE = "Hotseat was offline; your message from {when} was not applied."  # {when}: the platform's own time markup


def user_error(exc: BaseException, *, broke: str = SOMETHING_BROKE) -> str:
    """What to tell the person who acted about a failure."""
    if isinstance(exc, StoreError):
        log.error("store error: %s", exc)
        return STORE_BROKE
    if isinstance(exc, HotseatError):
        return str(exc)
    log.error("unexpected error handling a conversation", exc_info=exc)
    return broke


def error_note(exc: BaseException, *, broke: str = SOMETHING_BROKE) -> Note:
    ours = isinstance(exc, HotseatError) and not isinstance(exc, StoreError)
    return Note(user_error(exc, broke=broke), REFUSED if ours else BROKEN)


def lost(event: Event, later: tuple[Event, ...]) -> Note | None:
    """What to tell the trainee when the platform refused to show `event`: the step stands,
    so never "not applied". A lost answer followed by a debrief needs no note: the debrief
    says how it ended."""
    if isinstance(event, CustomerSaid):
        return None if any(isinstance(e, Ended) for e in later) else Note(LINE_LOST, NOT_SHOWN)
    if isinstance(event, HintGiven):
        return Note(HINT_LOST, NOT_SHOWN)
    if isinstance(event, Ended):
        return Note(DEBRIEF_LOST, NOT_SHOWN)
    return None
