"""Played-and-scored sessions written through the real Store, for progress tests: the same
calls the service makes (create, one turn, finish with a debrief), so the scores reach
`session_scores` the way they do in production, only without playing each conversation."""

from __future__ import annotations

from typing import Mapping

from bot.core.records import Turn
from bot.debrief.scoring import DIMENSIONS
from bot.store.sqlite import Store

DAY = 86400.0


def debrief_body(score: int, dimensions: Mapping[str, int] | None = None, outcome: str = "resolved") -> dict:
    dims = dict(dimensions or {d: score for d in DIMENSIONS})
    return {
        "score": score, "dimensions": dims, "outcome": outcome, "style": "collaborating",
        "style_note": "You worked with the customer.", "best": [], "worst": [], "tips": ["Name the feeling."],
        "hints_used": 0, "turns": 1, "label_counts": {"empathy": 1},
    }


async def played(
    store: Store,
    *,
    workspace: str,
    user: str,
    name: str,
    persona_id: str,
    score: int,
    ended_at: float,
    channel: str = "C1",
    dimensions: Mapping[str, int] | None = None,
    platform: str = "slack",
) -> int:
    """One ended session with one turn and a debrief; returns its id."""
    record = await store.create_session(
        workspace=workspace, channel=channel, user=user, user_name=name, persona_id=persona_id, seed=1,
        engine={}, now=ended_at - 120, platform=platform,
    )
    await store.record_turn(record.id, Turn(1, "I'm sorry, let me fix that.", (), "Thanks.", "open", 40), {}, ended_at - 60)
    await store.finish_session(
        record.id, outcome="resolved", end_reason="terminal", engine={}, debrief=debrief_body(score, dimensions),
        score=score, now=ended_at,
    )
    return record.id


async def many(store: Store, *, workspace: str, user: str, name: str, persona_id: str, count: int,
               now: float, spacing: float = 3600.0) -> list[int]:
    """`count` sessions for one trainee, one every `spacing` seconds back from `now`, scores
    cycling 40-90 so averages and trends are not flat."""
    return [
        await played(store, workspace=workspace, user=user, name=name, persona_id=persona_id,
                     score=40 + (i * 7) % 51, ended_at=now - i * spacing)
        for i in range(count)
    ]
