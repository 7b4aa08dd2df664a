"""What the service tells front ends: one typed event per thing a trainee should see.

Every service call that changes a conversation returns its events in the order they are
to be shown. However a conversation ends (the customer settled it, the trainee ended it,
it idled out, the sweep or a restart found it over, a new start replaced it) it arrives as
one `Ended`, so a front end renders a debrief in exactly one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Union

from bot.core.records import Detection, Turn

if TYPE_CHECKING:
    from bot.debrief.scoring import Debrief
    from bot.persona.records import Persona


@dataclass(frozen=True, slots=True)
class Who:
    """Where a message came from: workspace (Slack team, Discord guild), channel, user."""

    workspace: str
    channel: str
    user: str
    user_name: str = ""


@dataclass(frozen=True, slots=True)
class Opened:
    """A conversation began: show the brief and the customer's first line."""

    session_id: int
    persona: Persona
    customer: str
    mood: int
    state: str
    who: Who


@dataclass(frozen=True, slots=True)
class CustomerSaid:
    """The customer's answer to one trainee line."""

    session_id: int
    persona: Persona  # who is speaking, so a front end can name the customer on each line
    turn: Turn
    customer: str
    state: str
    mood: int

    @property
    def labels(self) -> list[str]:
        return self.turn.labels

    @property
    def detections(self) -> tuple[Detection, ...]:
        return self.turn.detections


@dataclass(frozen=True, slots=True)
class HintGiven:
    """A coaching tip for this moment; it is recorded and costs points."""

    session_id: int
    text: str
    hints_used: int


# Why a Note was sent, so a front end may word one for its platform (Slack's DM says where
# to start) without parsing text.
TIMED_OUT = "timed_out"
ALREADY_ENDED = "already_ended"
NO_SESSION = "no_session"
NOT_YOURS = "not_yours"
REFUSED = "refused"  # any other HotseatError: the text says what to do
BROKEN = "broken"  # trouble on Hotseat's side
NOT_SHOWN = "not_shown"  # the step was applied, but the platform would not show its result


@dataclass(frozen=True, slots=True)
class Note:
    """A message for the person who acted only: a refusal, an error, or why something is missing."""

    text: str
    why: str = REFUSED


@dataclass(frozen=True, slots=True)
class Ended:
    """A conversation is over and scored: show the debrief where it lived."""

    session_id: int
    persona: Persona
    outcome: str
    end_reason: str  # terminal | ended | timed_out | turn_cap (as stored)
    debrief: Debrief
    cause: str  # reply | end | timeout | sweep | restart | start_over | reread: what brought it to a front end
    who: Who
    thread: str | None = None  # where the conversation lived, if the front end gave it a place
    opening: str = ""  # the customer's first line, for front ends that redraw the conversation's start

    # the trainee's identity, flattened for renderers
    @property
    def user(self) -> str:
        return self.who.user

    @property
    def user_name(self) -> str:
        return self.who.user_name or self.who.user

    @property
    def workspace(self) -> str:
        return self.who.workspace

    @property
    def channel(self) -> str:
        return self.who.channel


Event = Union[Opened, CustomerSaid, HintGiven, Note, Ended]
