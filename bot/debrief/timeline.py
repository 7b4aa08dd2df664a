"""The turn-by-turn debrief: how the customer's anger moved on each turn, why, and which
turns decided the conversation.

A trainee learns more from "calmed 18 points: named the customer's feelings and
apologised" on the turn it happened than from a total at the end. The moods are the ones
the customer actually had (stored on each turn); the reason is rebuilt from the same
arithmetic the engine used (bot/core/mood.py), so the two never disagree. Nothing but
the behaviours moves anger in the engine: offers and guards change what the customer
says and where the conversation goes, and count toward later repeats, not the mood.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from bot.core import engine
from bot.core.mood import DEFAULT_WEIGHTS, contributions
from bot.core.records import Turn
from bot.debrief import coaching
from bot.persona.records import Persona
from bot.vocab import GOOD, LABELS, band_of

# A move is a turning point only if it is at least this big: a trainee cannot learn
# from the "biggest" of a string of 2-point wobbles.
TURNING_POINT_MIN = 8
MAX_TURNING_POINTS = 3


@dataclass(frozen=True, slots=True)
class Moment:
    """One turn as the customer felt it.

    `effects` is what each behaviour added to anger (negative calms; "nothing" for a
    message with no behaviour), after diminishing repeats, before rounding and the 0-100
    clamp: it explains `delta`, it is not always its sum.
    """

    index: int
    mood_before: int
    mood_after: int
    labels: tuple[str, ...]
    reason: str
    turning_point: bool = False
    effects: Mapping[str, float] = field(default_factory=dict)

    @property
    def delta(self) -> int:
        return self.mood_after - self.mood_before

    @property
    def band_before(self) -> str:
        return band_of(self.mood_before)

    @property
    def band_after(self) -> str:
        return band_of(self.mood_after)

    def to_dict(self) -> dict[str, Any]:
        return {
            "turn": self.index,
            "mood_before": self.mood_before,
            "mood_after": self.mood_after,
            "delta": self.delta,
            "band_before": self.band_before,
            "band_after": self.band_after,
            "labels": list(self.labels),
            "effects": dict(self.effects),
            "reason": self.reason,
            "turning_point": self.turning_point,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Moment":
        """Bands and delta are derived, so a stored moment can never contradict its moods."""
        return cls(
            index=int(d["turn"]), mood_before=int(d["mood_before"]), mood_after=int(d["mood_after"]),
            labels=tuple(d["labels"]), reason=d["reason"], turning_point=bool(d.get("turning_point", False)),
            effects={k: float(v) for k, v in dict(d.get("effects", {})).items()},
        )


def _order(label: str) -> int:
    return LABELS.index(label) if label in LABELS else len(LABELS)


def turning_points(deltas: Sequence[int]) -> set[int]:
    """Positions of the biggest moves (at most MAX_TURNING_POINTS, each at least
    TURNING_POINT_MIN); on a tie the earlier turn, since it set up the later ones."""
    ranked = sorted((-abs(d), i) for i, d in enumerate(deltas) if abs(d) >= TURNING_POINT_MIN)
    return {i for _, i in ranked[:MAX_TURNING_POINTS]}


def build(
    turns: Sequence[Turn],
    mood_start: int,
    weights: Mapping[str, int] | None = None,
    counts_before: Sequence[Mapping[str, int]] | None = None,
    who: str = "the customer",
) -> tuple[Moment, ...]:
    """One Moment per turn, in order, the mood chaining from `mood_start`.

    `counts_before[i]` is how often the engine had counted each behaviour before turn i
    (an offer it accepted counts as a fix even when the classifier missed it); without
    it the counts are rebuilt from the turns' labels, which matches unless offers were
    read differently from the labels.
    """
    weights = {**DEFAULT_WEIGHTS, **(weights or {})}
    moments: list[Moment] = []
    counts: dict[str, int] = {}
    before = mood_start
    for i, turn in enumerate(turns):
        labels = frozenset(turn.labels)
        seen = counts_before[i] if counts_before is not None and i < len(counts_before) else counts
        effects = contributions(labels, seen, weights)
        ordered = sorted(effects.items(), key=lambda kv: (-abs(kv[1]), _order(kv[0])))
        reason = coaching.move_reason(
            turn.mood - before,
            before,
            [(lab, p, lab in GOOD and seen.get(lab, 0) > 0) for lab, p in ordered],
            who,
        )
        moments.append(Moment(
            index=turn.index, mood_before=before, mood_after=turn.mood,
            labels=tuple(turn.labels), reason=reason,
            effects={lab: round(p, 1) for lab, p in ordered},
        ))
        for lab in labels:
            counts[lab] = counts.get(lab, 0) + 1
        before = turn.mood
    marked = turning_points([m.delta for m in moments])
    return tuple(
        Moment(m.index, m.mood_before, m.mood_after, m.labels, m.reason, i in marked, m.effects)
        for i, m in enumerate(moments)
    )


def engine_counts(persona: Persona, seed: int, turns: Sequence[Turn]) -> list[dict[str, int]] | None:
    """How often the engine had counted each behaviour before each turn, by replaying the
    conversation through it (the engine is pure and seeded, so this is what it saw).

    None when the replay does not reach the stored moods (the persona was edited since),
    so the caller falls back to counting labels rather than explaining with wrong numbers.
    """
    try:
        conv, _ = engine.begin(persona, seed)
        out: list[dict[str, int]] = []
        for turn in turns:
            out.append(dict(conv.counts))
            conv = engine.step(persona, conv, frozenset(turn.labels), turn.trainee).conversation
            if conv.mood != turn.mood:
                return None
        return out
    except (KeyError, ValueError, IndexError):
        return None


__all__ = ["MAX_TURNING_POINTS", "Moment", "TURNING_POINT_MIN", "build", "engine_counts", "turning_points"]
