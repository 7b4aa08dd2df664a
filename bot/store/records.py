"""What the stores hand back and raise: the same for every backend (SQLite, PostgreSQL),
so nothing above the store knows which one it talks to."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.core.records import Turn
from bot.vocab import OUTCOMES

# The dimension columns of `session_scores`, in bot.debrief.scoring.DIMENSIONS order (a
# test keeps the two equal; a new dimension needs a new migration step).
SCORE_DIMENSIONS: tuple[str, ...] = ("empathy", "listening", "ownership", "solution", "professionalism", "closing")


class StoreError(Exception):
    """A storage problem; ``str(e)`` is written for the person running the bot."""


class ActiveSessionExists(StoreError):
    """That user already has an active session in that workspace and channel."""


class DuplicateTurn(StoreError):
    """This platform message was already saved as a turn."""


class SessionNotActive(StoreError):
    """A write aimed at a session that does not exist or has already ended."""


class StaleSession(StoreError):
    """A write made from an out-of-date copy of the session: another process (or a restart)
    changed it since it was read. Read it again and redo the step; nothing was changed."""


@dataclass(slots=True)
class SessionRecord:
    id: int
    workspace: str  # Slack team id / Discord guild id / "local"
    channel: str  # channel or thread id
    user: str  # platform user id
    user_name: str  # display name at start, for leaderboards
    persona_id: str
    seed: int
    engine: dict  # the engine's JSON-able state, opaque to the store
    status: str  # "active" | "ended"
    outcome: str | None  # resolved | escalated | customer_left | unfinished
    end_reason: str | None  # e.g. "terminal", "ended", "timed_out", "turn_cap"
    score: int | None
    started_at: float  # unix seconds
    updated_at: float
    ended_at: float | None
    thread: str | None = None  # where the conversation lives; may be set after start
    platform: str = "console"  # the front end that owns it: console | slack | discord
    version: int = 0  # bumped by every write of `engine`; writes that name an older one fail


@dataclass(frozen=True, slots=True)
class Closing:
    """How a session ends, handed to ``record_turn`` with its final turn so the two are saved
    in one transaction: a crash can then never leave a conversation over but its session open."""

    outcome: str
    end_reason: str
    debrief: dict
    score: int


@dataclass(frozen=True, slots=True)
class ScoreRow:
    """One scored session with at least one reply, as progress views read it."""

    session_id: int
    persona_id: str
    started_at: float
    ended_at: float
    score: int
    dimensions: dict[str, int] | None  # None: its debrief was saved without dimension scores


@dataclass(frozen=True, slots=True)
class ScoreTotals:
    """A trainee's played sessions in a workspace, summed up."""

    sessions: int
    recent: int  # of them, ended at or after the `since` asked about
    average: float | None
    dimensions: dict[str, float]  # mean per dimension, over sessions that have dimension scores
    best: ScoreRow | None


@dataclass(frozen=True, slots=True)
class TeamTotals:
    user: str
    user_name: str  # the name of their latest session
    sessions: int
    recent: int  # ended at or after the `since` asked about
    average: float
    last_ended: float
    latest: tuple[ScoreRow, ...]  # their last `window` played sessions, oldest first


@dataclass(frozen=True, slots=True)
class PersonaTotals:
    """One trainee's played sessions with one persona in a period: what fair boards weigh."""

    user: str
    persona_id: str
    sessions: int
    total: int  # sum of scores
    best: int


@dataclass(frozen=True, slots=True)
class DrillSchedule:
    workspace: str
    channel: str
    enabled: bool
    time: str  # HH:MM, UTC
    set_by: str
    updated_at: float
    last_run: str | None  # YYYY-MM-DD (UTC) of the last day it was claimed


@dataclass(frozen=True, slots=True)
class InboxRow:
    """A platform message kept in the inbox until it has been handled."""

    workspace: str
    channel: str
    thread_ts: str | None
    ts: str
    user: str
    text: str
    in_dm: bool
    received_at: float


@dataclass(frozen=True, slots=True)
class ExportRow:
    """An ended session as exports write it; `transcript` only when turns were asked for."""

    session_id: int
    workspace: str
    channel: str
    platform: str
    user: str
    user_name: str
    persona_id: str
    started_at: float
    ended_at: float | None
    outcome: str | None
    end_reason: str | None
    score: int | None
    turns: int
    hints: int
    dimensions: dict[str, int | None]
    transcript: tuple[Turn, ...] | None = None


# -- rows to records, the same for every backend (the SELECTs list columns in this order) --

def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def session_record(row: tuple) -> SessionRecord:
    return SessionRecord(
        id=row[0],
        workspace=row[1],
        channel=row[2],
        user=row[3],
        user_name=row[4],
        persona_id=row[5],
        seed=row[6],
        engine=json.loads(row[7]),
        status=row[8],
        outcome=row[9],
        end_reason=row[10],
        score=row[11],
        started_at=row[12],
        updated_at=row[13],
        ended_at=row[14],
        thread=row[15],
        platform=row[16],
        version=row[17],
    )


def check_outcome(outcome: str) -> None:
    """Refuse an unknown outcome before any write, so no transaction is half made for it."""
    if outcome not in OUTCOMES:
        raise StoreError(f"Unknown outcome {outcome!r}; expected one of {sorted(OUTCOMES)}.")


def score_row(r: tuple) -> ScoreRow:
    dims = r[5:11]
    return ScoreRow(r[0], r[1], r[2], r[3], r[4], None if None in dims else dict(zip(SCORE_DIMENSIONS, dims)))


def drill_row(r: tuple) -> DrillSchedule:
    return DrillSchedule(r[0], r[1], bool(r[2]), r[3], r[4], r[5], r[6])
