"""The customer's side of one conversation: a pure step over a compiled persona.

`begin` and `step` take the conversation state and return the next one with the
customer's words; they do no I/O, so the service can persist, lock and replay them,
and tests can drive them directly. A seed makes every conversation reproducible.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from bot.core.mood import next_mood
from bot.vocab import HARM_ORDER
from bot.persona.records import GuardContext, Lines, Persona

# Which behaviour the customer reacts to when a message shows several: what stings
# most first, then what soothes most.
REACTION_ORDER: tuple[str, ...] = (
    *HARM_ORDER,
    "boundary", "ownership", "empathy", "apology", "paraphrase", "tactful_no",
    "solution", "escalation_offer", "follow_up", "expectation", "gratitude",
    "question", "greeting",
)
MAX_FACTS_PER_REPLY = 2


@dataclass(slots=True)
class Conversation:
    """Everything that changes during a conversation; small and JSON-able by design."""

    persona_id: str
    seed: int
    state: str
    mood: int
    turn: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    used: list[str] = field(default_factory=list)
    outcome: str | None = None
    last: list[str] = field(default_factory=list)  # labels of the latest message, for hints
    opening: str = ""

    @property
    def over(self) -> bool:
        return self.outcome is not None

    def to_dict(self) -> dict:
        return {
            "persona": self.persona_id, "seed": self.seed, "state": self.state, "mood": self.mood,
            "turn": self.turn, "counts": self.counts, "used": self.used, "outcome": self.outcome,
            "last": self.last, "opening": self.opening,
        }

    @classmethod
    def from_dict(cls, d: dict) -> "Conversation":
        return cls(
            persona_id=d["persona"], seed=int(d["seed"]), state=d["state"], mood=int(d["mood"]),
            turn=int(d.get("turn", 0)), counts=dict(d.get("counts", {})), used=list(d.get("used", [])),
            outcome=d.get("outcome"), last=list(d.get("last", [])), opening=d.get("opening", ""),
        )

    def copy(self) -> "Conversation":
        return Conversation(
            self.persona_id, self.seed, self.state, self.mood, self.turn, dict(self.counts),
            list(self.used), self.outcome, list(self.last), self.opening,
        )


@dataclass(frozen=True, slots=True)
class Step:
    """The customer's answer and the conversation as it stands after it.

    `conversation` is a new object: the one passed to `step` is left as it was, so a
    caller whose save fails still holds the last state it saved.
    """

    customer: str
    conversation: Conversation

    @property
    def state(self) -> str:
        return self.conversation.state

    @property
    def mood(self) -> int:
        return self.conversation.mood

    @property
    def outcome(self) -> str | None:
        return self.conversation.outcome


def _rng(conv: Conversation) -> random.Random:
    return random.Random(conv.seed * 1_000_003 + conv.turn)


def _say(lines: Lines, conv: Conversation, rng: random.Random, *, reuse: bool = True) -> str | None:
    """A line for the current mood, never one already said while an unused one remains."""
    band, options = lines.for_mood(conv.mood)
    if not options:
        return None
    ids = [f"{lines.key}:{band}:{i}" for i in range(len(options))]
    fresh = [i for i, line_id in enumerate(ids) if line_id not in conv.used]
    if not fresh:
        if not reuse:
            return None
        return options[rng.randrange(len(options))]
    i = fresh[rng.randrange(len(fresh))] if len(fresh) > 1 else fresh[0]
    conv.used.append(ids[i])
    return options[i]


def begin(persona: Persona, seed: int) -> tuple[Conversation, str]:
    """Open a conversation: the customer's first line, from the start state."""
    conv = Conversation(persona_id=persona.id, seed=seed, state=persona.start, mood=persona.mood_start)
    line = _say(persona.states[persona.start].lines, conv, _rng(conv)) or "..."
    conv.opening = line
    return conv, line


def _facts_asked(persona: Persona, labels: frozenset[str], text: str) -> list:
    if not persona.facts or not ("question" in labels or "paraphrase" in labels or "?" in text):
        return []
    return [f for f in persona.facts if f.matcher(text)][:MAX_FACTS_PER_REPLY]


def step(persona: Persona, conv: Conversation, labels: frozenset[str], text: str = "") -> Step:
    """Apply one trainee message (already classified) and answer as the customer.

    `conv` is not touched: the next conversation comes back in the Step, for the caller
    to persist and only then adopt.
    """
    if conv.over:
        raise ValueError("this conversation has already ended")
    counts_before = conv.counts
    conv = conv.copy()
    conv.turn += 1
    conv.mood = next_mood(conv.mood, labels, counts_before, persona.weights)
    for label in labels:
        conv.counts[label] = conv.counts.get(label, 0) + 1
    conv.last = sorted(labels)
    ctx = GuardContext(mood=conv.mood, turn=conv.turn, counts=conv.counts)

    current = persona.states[conv.state]
    target = None
    for t in persona.anywhere + current.transitions:
        if t.to != conv.state and t.fires(labels, ctx):
            target = t.to
            break
    changed = target is not None
    if changed:
        conv.state = target
    state = persona.states[conv.state]
    rng = _rng(conv)

    if state.terminal:
        conv.outcome = state.outcome
        line = _say(state.lines, conv, rng) or "..."
        return Step(line, conv)

    parts: list[str] = []
    for label in REACTION_ORDER:
        if label in labels and label in persona.reactions:
            said = _say(persona.reactions[label], conv, rng, reuse=False)
            if said:
                parts.append(said)
                break
    facts = _facts_asked(persona, labels, text)
    for fact in facts:
        said = _say(fact.answer, conv, rng, reuse=False)
        if said is None:
            said = "Like I said: " + (_say(fact.answer, conv, rng) or "")
        parts.append(said)
    if changed or not parts:
        said = _say(state.lines, conv, rng)
        if said:
            parts.append(said)
    return Step(" ".join(parts) or "...", conv)


def state_hint(persona: Persona, conv: Conversation) -> str | None:
    return persona.states[conv.state].hint

