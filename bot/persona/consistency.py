"""Find customer lines that make no sense after the trainee's line.

Scripted personas are only worth having if the customer never says something absurd:
"So the refund's a no?" right after "I've refunded the $17.99", or "Can you replace
it?" after the replacement was promised. This checker reads a played transcript with
the persona's offers (the same reading the engine uses, bot/persona/offers.py) and
reports each customer line that

- asks for, doubts or denies something the trainee has settled and not taken back
  (`asks_again`), or
- answers the trainee's last line as its opposite: a refusal or a stonewall reaction
  to an offer the customer would take, or an acceptance of something the trainee just
  refused (`contradicts`).

It is a test tool: tests/test_persona_consistency.py plays every persona with mixed
scripts and expects no findings. Trainers can run it on any transcript too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from bot.persona import offers as offer_reading
from bot.persona.records import Lines, Offer, Persona

# Reactions that, said to an offer the customer would take, answer it as a refusal.
REFUSING_REACTIONS = ("stonewall", "dismissive")


@dataclass(frozen=True, slots=True)
class Finding:
    turn: int
    kind: str  # asks_again | contradicts
    topic: str
    trainee: str
    customer: str

    def __str__(self) -> str:
        what = "asks again about" if self.kind == "asks_again" else "contradicts the trainee on"
        return f"turn {self.turn}: the customer {what} {self.topic!r}\n  trainee: {self.trainee}\n  customer: {self.customer}"


def _lines_of(groups: Iterable[Lines | None]) -> set[str]:
    return {line for group in groups if group is not None for line in group.all()}


def _says_any(customer: str, lines: set[str]) -> bool:
    """Whether the reply contains one of these authored lines whole (a reply is made of
    whole lines; comparing sentences would confuse a bare "Right." in two of them)."""
    return any(line in customer for line in lines)


def check(persona: Persona, turns: Sequence[tuple[str, Iterable[str], str]]) -> list[Finding]:
    """Findings for a played conversation: (trainee line, its labels, customer reply) per turn."""
    from bot.core.engine import DEFAULT_REFUSED  # the engine's own fallback refusal lines

    refusing = _lines_of([DEFAULT_REFUSED, *(persona.reactions.get(r) for r in REFUSING_REACTIONS)])
    settled: list[Offer] = []
    out: list[Finding] = []
    for i, (trainee, labels, customer) in enumerate(turns, 1):
        reading = offer_reading.read(persona, frozenset(labels), trainee)
        for o in reading.acceptable:
            if o not in settled:
                settled.append(o)
        settled = [o for o in settled if o not in reading.refused]
        again = offer_reading.asks_about(persona, customer, settled)
        if again is not None:
            out.append(Finding(i, "asks_again", again.topic, trainee, customer))
        for o in reading.acceptable:
            if _says_any(customer, refusing | _lines_of([o.refused])):
                out.append(Finding(i, "contradicts", o.topic, trainee, customer))
        if reading.bare_refusal:
            for o in reading.refused:
                if _says_any(customer, _lines_of([o.answer, *o.in_state.values()])):
                    out.append(Finding(i, "contradicts", o.topic, trainee, customer))
    return out
