"""A persona compiled once into frozen, table-driven data the engine steps over.

Trainers write YAML; the loader turns it into these records so each turn is a few
dictionary look-ups rather than a walk over untrusted YAML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

from bot.vocab import BANDS, band_of


@dataclass(frozen=True, slots=True)
class Lines:
    """Lines per mood band; a band without lines borrows from its nearest neighbour."""

    key: str
    by_band: Mapping[str, tuple[str, ...]]

    def for_mood(self, mood: int) -> tuple[str, tuple[str, ...]]:
        band = band_of(mood)
        order = {
            "calm": ("calm", "upset", "furious"),
            "upset": ("upset", "calm", "furious"),
            "furious": ("furious", "upset", "calm"),
        }[band]
        for b in order:
            lines = self.by_band.get(b)
            if lines:
                return b, lines
        return band, ()

    def all(self) -> list[str]:
        return [line for b in BANDS for line in self.by_band.get(b, ())]


GuardFn = Callable[["GuardContext", object], bool]


@dataclass(frozen=True, slots=True)
class GuardContext:
    mood: int
    turn: int
    counts: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class Guard:
    name: str
    param: object
    check: GuardFn

    def holds(self, ctx: GuardContext) -> bool:
        return self.check(ctx, self.param)


@dataclass(frozen=True, slots=True)
class Transition:
    to: str
    on: frozenset[str]  # empty: any message
    guards: tuple[Guard, ...]
    line: int = 0  # of its `to:`, for problems the graph checks find
    where: tuple = field(default=(), compare=False)  # its path in the file, as problems name it

    def fires(self, labels: frozenset[str], ctx: GuardContext) -> bool:
        if self.on and not (self.on & labels):
            return False
        return all(g.holds(ctx) for g in self.guards)


@dataclass(frozen=True, slots=True)
class State:
    name: str
    lines: Lines
    transitions: tuple[Transition, ...] = ()
    outcome: str | None = None
    hint: str | None = None

    @property
    def terminal(self) -> bool:
        return self.outcome is not None


@dataclass(frozen=True, slots=True)
class Fact:
    topic: str
    asked_by: tuple[str, ...]
    matcher: Callable[[str], object]  # a compiled regex's search
    answer: Lines


@dataclass(frozen=True, slots=True)
class Persona:
    id: str
    name: str
    scenario: str
    brief: str
    difficulty: int
    industry: str
    tags: tuple[str, ...]
    mood_start: int
    weights: Mapping[str, int]
    facts: tuple[Fact, ...]
    reactions: Mapping[str, Lines]
    start: str
    anywhere: tuple[Transition, ...]
    states: Mapping[str, State]
    source: Path | None = field(default=None, compare=False)

    def summary(self) -> dict:
        """The public face of a persona, for pickers and `personas list --json`."""
        return {
            "id": self.id,
            "name": self.name,
            "difficulty": self.difficulty,
            "scenario": self.scenario,
            "industry": self.industry,
            "tags": list(self.tags),
        }
