"""The named guards a persona's `if:` may use: a fixed registry, never evaluated strings.

Each guard has a checker for its YAML parameter (so a trainer gets a precise error at
load time) and a predicate the engine calls each turn.
"""

from __future__ import annotations

from typing import Callable, Mapping

from bot.vocab import LABEL_SET
from bot.persona.records import GuardContext


class GuardParamError(ValueError):
    pass


def _mood(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise GuardParamError("must be a whole number from 0 to 100")
    return value


def _turns(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise GuardParamError("must be a whole number of turns, 1 or more")
    return value


def _labels(value: object) -> frozenset[str]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise GuardParamError("must be a list of behaviours, e.g. [empathy, apology]")
    unknown = [v for v in value if v not in LABEL_SET]
    if unknown:
        raise GuardParamError(f"has unknown behaviour {unknown[0]!r}")
    return frozenset(value)


def _counts(value: object) -> tuple[tuple[str, int], ...]:
    if not isinstance(value, dict) or not value:
        raise GuardParamError("must map behaviours to counts, e.g. {stonewall: 2}")
    out = []
    for k, v in value.items():
        if k not in LABEL_SET:
            raise GuardParamError(f"has unknown behaviour {k!r}")
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise GuardParamError(f"count for {k} must be a whole number, 1 or more")
        out.append((k, v))
    return tuple(out)


def _all_shown(ctx: GuardContext, labels: object) -> bool:
    return all(ctx.counts.get(label, 0) > 0 for label in labels)  # type: ignore[union-attr]


def _none_shown(ctx: GuardContext, labels: object) -> bool:
    return not any(ctx.counts.get(label, 0) > 0 for label in labels)  # type: ignore[union-attr]


def _count_at_least(ctx: GuardContext, pairs: object) -> bool:
    return all(ctx.counts.get(label, 0) >= n for label, n in pairs)  # type: ignore[union-attr]


GUARDS: Mapping[str, tuple[Callable[[object], object], Callable[[GuardContext, object], bool]]] = {
    "mood_below": (_mood, lambda ctx, n: ctx.mood < n),
    "mood_at_least": (_mood, lambda ctx, n: ctx.mood >= n),
    "turn_at_least": (_turns, lambda ctx, n: ctx.turn >= n),
    "turn_below": (_turns, lambda ctx, n: ctx.turn < n),
    "shown": (_labels, _all_shown),
    "not_shown": (_labels, _none_shown),
    "count_at_least": (_counts, _count_at_least),
}
