"""The named guards a persona's `if:` may use: a fixed registry, never evaluated strings.

Each guard names the kind of parameter it takes (PARAMS), so a trainer gets a precise
error at load time and personas/schema.json (bot/persona/schema.py) can describe it,
and a predicate the engine calls each turn.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

from bot.persona.records import GuardContext
from bot.persona.spelling import closest, not_a_behaviour
from bot.vocab import LABEL_SET, LABELS

MOOD_RANGE = (0, 100)  # the customer's anger, as the engine clamps it
MIN_TURN = 1  # turns count from the trainee's first message
MIN_COUNT = 1  # "shown at least 0 times" always holds, so it is a mistake


class GuardParamError(ValueError):
    """What is wrong with a guard's parameter, as (where inside it, message) pairs.

    "Where" is a list index or a behaviour key, so each wrong item gets its own line in
    the trainer's list of problems; () means the parameter as a whole.
    """

    def __init__(self, message: str = "", *, items: list[tuple[tuple, str]] | None = None) -> None:
        self.items = items or [((), message)]
        super().__init__("; ".join(m for _, m in self.items))


def _mood(value: object) -> int:
    lo, hi = MOOD_RANGE
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise GuardParamError(f"must be a whole number from {lo} to {hi}")
    return value


def _turns(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < MIN_TURN:
        raise GuardParamError(f"must be a whole number of turns, {MIN_TURN} or more")
    return value


def _labels(value: object) -> frozenset[str]:
    if not isinstance(value, list) or not value:
        raise GuardParamError("must be a list of behaviours, e.g. [empathy, apology]")
    wrong = [((i,), not_a_behaviour(v)) for i, v in enumerate(value) if v not in LABEL_SET]
    if wrong:
        raise GuardParamError(items=wrong)
    return frozenset(value)  # type: ignore[arg-type]


def _counts(value: object) -> tuple[tuple[str, int], ...]:
    if not isinstance(value, dict) or not value:
        raise GuardParamError("must map behaviours to counts, e.g. {stonewall: 2}")
    out = []
    wrong: list[tuple[tuple, str]] = []
    for written, v in value.items():
        label = written
        if written not in LABEL_SET:
            wrong.append(((written,), not_a_behaviour(written)))
            label = closest(written, LABELS)
        if isinstance(v, bool) or not isinstance(v, int) or v < MIN_COUNT:
            wrong.append(((written,), f"must be a whole number of times, {MIN_COUNT} or more"))
        elif label is not None:
            out.append((label, v))
    if wrong:
        raise GuardParamError(items=wrong)
    return tuple(out)


def _all_shown(ctx: GuardContext, labels: object) -> bool:
    return all(ctx.counts.get(label, 0) > 0 for label in labels)  # type: ignore[union-attr]


def _none_shown(ctx: GuardContext, labels: object) -> bool:
    return not any(ctx.counts.get(label, 0) > 0 for label in labels)  # type: ignore[union-attr]


def _count_at_least(ctx: GuardContext, pairs: object) -> bool:
    return all(ctx.counts.get(label, 0) >= n for label, n in pairs)  # type: ignore[union-attr]


# The kinds of parameter a guard can take, each with its checker.
PARAMS: Mapping[str, Callable[[object], object]] = {
    "mood": _mood,  # a mood number, MOOD_RANGE
    "turns": _turns,  # a turn number, MIN_TURN or more
    "behaviours": _labels,  # a non-empty list of behaviours
    "counts": _counts,  # behaviour: count (MIN_COUNT or more), at least one
}


@dataclass(frozen=True, slots=True)
class GuardSpec:
    param: str  # a key of PARAMS
    check: Callable[[GuardContext, object], bool]

    def parse(self, value: object) -> object:
        return PARAMS[self.param](value)


GUARDS: Mapping[str, GuardSpec] = {
    "mood_below": GuardSpec("mood", lambda ctx, n: ctx.mood < n),
    "mood_at_least": GuardSpec("mood", lambda ctx, n: ctx.mood >= n),
    "turn_at_least": GuardSpec("turns", lambda ctx, n: ctx.turn >= n),
    "turn_below": GuardSpec("turns", lambda ctx, n: ctx.turn < n),
    "shown": GuardSpec("behaviours", _all_shown),
    "not_shown": GuardSpec("behaviours", _none_shown),
    "count_at_least": GuardSpec("counts", _count_at_least),
}
