"""Plain records that cross layer boundaries: a classified behaviour and a played turn.

They live apart from the engine and the store so scoring, storage and renderers can
share them without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Detection:
    """One behaviour found in a trainee message, with the text that showed it."""

    label: str
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Turn:
    """One exchange: what the trainee wrote and how the customer answered."""

    index: int
    trainee: str
    detections: tuple[Detection, ...]
    customer: str
    state: str
    mood: int

    @property
    def labels(self) -> list[str]:
        seen: list[str] = []
        for d in self.detections:
            if d.label not in seen:
                seen.append(d.label)
        return seen


@dataclass(frozen=True, slots=True)
class Hint:
    turn: int
    text: str


@dataclass(slots=True)
class Transcript:
    """Everything scoring needs about one finished conversation."""

    persona_id: str
    difficulty: int
    outcome: str  # resolved | escalated | customer_left | unfinished
    turns: list[Turn] = field(default_factory=list)
    hints: list[Hint] = field(default_factory=list)
    # The customer's anger before the first turn, so the debrief can show each turn's move;
    # None (a transcript built without it) leaves the turn-by-turn timeline out.
    mood_start: int | None = None
