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
    example: str | None = None  # a trainee line that would work here, for hints
    no_return: bool = False  # a deliberate point of no return: exempt from the recoverability check

    @property
    def terminal(self) -> bool:
        return self.outcome is not None


@dataclass(frozen=True, slots=True)
class Fact:
    topic: str
    asked_by: tuple[str, ...]
    matcher: Callable[[str], object]  # Phrases: raw text -> mentioned?; `.weight(normalised)` says how specifically
    answer: Lines


WANT, ACCEPT, REJECT = "want", "accept", "reject"


@dataclass(frozen=True, slots=True)
class Offer:
    """Something the trainee may offer and how this customer takes it.

    `kind` is what the customer makes of it: a `want` (what they came for), something
    they `accept` instead, or something they `reject`. `answer` is said when the
    trainee offers it; `refused` when the trainee says no to it; `in_state` overrides
    `answer` in named states (the same offer lands differently once the customer is
    heard).
    """

    kind: str
    topic: str
    named_by: tuple[str, ...]
    matcher: Callable[[str], object]
    answer: Lines
    refused: Lines | None = None
    in_state: Mapping[str, Lines] = field(default_factory=dict)

    @property
    def acceptable(self) -> bool:
        return self.kind in (WANT, ACCEPT)

    def answer_in(self, state: str) -> Lines:
        return self.in_state.get(state, self.answer)


@dataclass(frozen=True, slots=True)
class Rule:
    """Something policy forbids the agent to offer; offering it is an overpromise."""

    rule: str
    named_by: tuple[str, ...]
    matcher: Callable[[str], object]
    held: Lines | None = None  # what the customer says when the trainee backs out of it


@dataclass(frozen=True, slots=True)
class Policy:
    may_offer: tuple[str, ...] = ()
    forbidden: tuple[Rule, ...] = ()

    def text(self) -> str:
        """The policy as the trainee's brief shows it."""
        parts = []
        if self.may_offer:
            parts.append("You may offer: " + "; ".join(self.may_offer) + ".")
        if self.forbidden:
            parts.append("Policy forbids: " + "; ".join(r.rule for r in self.forbidden) + ".")
        return " ".join(parts)


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
    offers: tuple[Offer, ...] = ()
    policy: Policy = field(default_factory=Policy)
    goodbye: Lines | None = None  # said at the end of the wrap-up turn after accepting (None: the engine's default)
    unsure: Lines | None = None  # said to a question the customer has no answer for
    repeated: Lines | None = None  # said when the trainee repeats a line
    vocab: frozenset[str] = frozenset()  # the words of every phrase, for reading typos

    def offers_of(self, kind: str) -> tuple[Offer, ...]:
        return tuple(o for o in self.offers if o.kind == kind)

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
