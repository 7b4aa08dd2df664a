"""The customer's side of one conversation: a pure step over a compiled persona.

`begin` and `step` take the conversation state and return the next one with the
customer's words; they do no I/O, so the service can persist, lock and replay them,
and tests can drive them directly. A seed makes every conversation reproducible.

The customer answers what was said, not only how: a line that offers, refuses or
overpromises one of the persona's offers (bot/persona/offers.py) is answered as such,
and no line goes back on what the trainee has settled. Why each rule exists, and how a
trainer uses it, is in docs/personas-offers.md.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from bot.core.mood import next_mood
from bot.vocab import HARM_ORDER
from bot.persona import offers as offer_reading
from bot.persona.matching import normalise, prepared, sentences
from bot.persona.records import GuardContext, Lines, Offer, Persona

# Which behaviour the customer reacts to when a message shows several: what stings
# most first, then what soothes most.
REACTION_ORDER: tuple[str, ...] = (
    *HARM_ORDER,
    "boundary", "ownership", "empathy", "apology", "paraphrase", "tactful_no",
    "solution", "escalation_offer", "follow_up", "expectation", "gratitude",
    "question", "greeting",
)
MAX_FACTS_PER_REPLY = 2
# Reactions an offer's own answer speaks for: a line that offers a refund is answered as
# an offer, even when the classifier also heard a stonewall in it.
OFFER_REACTIONS = frozenset({
    "solution", "tactful_no", "escalation_offer", "stonewall", "dismissive", "defensive", "expectation", "follow_up",
})
REMEDY_MOVES = frozenset({"solution", "expectation", "follow_up"})
# An open invitation to talk ("tell me more about it") is no question the customer could
# fail to understand: it gets the state's line, not "what do you mean?".
OPEN_QUESTION = re.compile(
    r"\b(?:tell me|walk me through|what happened|explain|describe|more about|go on|how can i help|"
    r"how (?:can|may|could|might) (?:i|we) (?:help|assist)|what can i do|anything else|how are you|how's it going)\b", re.IGNORECASE,
)
# A question only reads as a restatement with one of these; otherwise "Yes, that's it
# exactly" would answer a plain question.
RESTATING = re.compile(
    r"\b(?:is that right|is that correct|have i got|did i get|so you|if i understand|to make sure|just so i|"
    r"am i right|correct me|you're saying|you are saying|sounds like)\b", re.IGNORECASE,
)
REPEAT_SIMILARITY = 0.85  # share of words two trainee lines have in common to count as the same line
MIN_REPEAT_WORDS = 4
REMEMBERED_CHARS = 160  # of each remembered line: enough to tell two lines apart, small to store
MAX_REMEMBERED = 20  # trainee lines kept for "you said that already"

# What any customer says when its persona has no line of its own for the moment.
DEFAULT_UNSURE = Lines("default:unsure", {
    "calm": ("Sorry, what do you mean?", "I'm not sure I follow. What do you need to know?"),
    "upset": ("What do you mean?", "I don't know what you're asking me."),
    "furious": ("What? What does that have to do with anything?", "I don't know. What are you even asking?"),
})
DEFAULT_REPEATED = Lines("default:repeated", {
    "calm": ("You said that already.",),
    "upset": ("You said that already.", "Yes, you've told me that."),
    "furious": ("You said that already!", "You're repeating yourself."),
})
DEFAULT_REFUSED = Lines("default:refused", {
    "calm": ("Oh. That's disappointing. So what can you do?",),
    "upset": ("That's not good enough. So what can you do?", "Then what are my options?"),
    "furious": ("So that's just a no? Unbelievable.",),
})
DEFAULT_HELD = Lines("default:held", {
    "calm": ("Hang on, you told me I'd get that. I'm holding you to it.",),
    "upset": ("You already said I'd get that. I'm holding you to it.",),
    "furious": ("You PROMISED me that. I'm holding you to it.",),
})
DEFAULT_NOT_DONE = Lines("default:not_done", {
    "calm": ("Wait, we're not done yet.",),
    "upset": ("Hang on, this isn't sorted yet!",),
    "furious": ("Don't you dare hang up on me. This isn't sorted!",),
})
DEFAULT_GOODBYE = Lines("default:goodbye", {
    "calm": ("No, that's everything. Thanks, bye.", "That's all, thank you. Bye."),
    "upset": ("That's all. Bye.",),
    "furious": ("Fine. Bye.",),
})
DEFAULT_SOUR_GOODBYE = Lines("default:sour_goodbye", {
    "calm": ("Well. Okay. Bye.",), "upset": ("Wow. Okay. Goodbye.",), "furious": ("Unbelievable. Goodbye.",),
})
DEFAULT_OK = Lines("default:ok", {
    "calm": ("Okay.", "Right.", "Go on."), "upset": ("Okay.", "Go on."), "furious": ("Go on.", "And?"),
})


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
    offered: list[str] = field(default_factory=list)  # topics the trainee has offered and not taken back
    promised: list[str] = field(default_factory=list)  # forbidden rules the trainee offered anyway
    closing: str | None = None  # the outcome waiting for the trainee's wrap-up, once the customer accepted
    accepted_turn: int | None = None  # the turn on which the customer accepted
    said: list[str] = field(default_factory=list)  # the trainee's lines, normalised, for repeats
    prev: list[str] = field(default_factory=list)  # line ids of the customer's latest reply

    @property
    def over(self) -> bool:
        return self.outcome is not None

    def to_dict(self) -> dict:
        return {
            "persona": self.persona_id, "seed": self.seed, "state": self.state, "mood": self.mood,
            "turn": self.turn, "counts": self.counts, "used": self.used, "outcome": self.outcome,
            "last": self.last, "opening": self.opening, "offered": self.offered, "promised": self.promised,
            "closing": self.closing, "accepted_turn": self.accepted_turn, "said": self.said, "prev": self.prev,
        }

    @classmethod
    def from_dict(cls, d: dict) -> "Conversation":
        return cls(
            persona_id=d["persona"], seed=int(d["seed"]), state=d["state"], mood=int(d["mood"]),
            turn=int(d.get("turn", 0)), counts=dict(d.get("counts", {})), used=list(d.get("used", [])),
            outcome=d.get("outcome"), last=list(d.get("last", [])), opening=d.get("opening", ""),
            offered=list(d.get("offered", [])), promised=list(d.get("promised", [])), closing=d.get("closing"),
            accepted_turn=d.get("accepted_turn"), said=list(d.get("said", [])), prev=list(d.get("prev", [])),
        )

    def copy(self) -> "Conversation":
        return Conversation(
            self.persona_id, self.seed, self.state, self.mood, self.turn, dict(self.counts),
            list(self.used), self.outcome, list(self.last), self.opening, list(self.offered),
            list(self.promised), self.closing, self.accepted_turn, list(self.said), list(self.prev),
        )

    @property
    def pending(self) -> str | None:
        """The outcome the conversation has reached, even while the trainee is still wrapping up."""
        return self.outcome or self.closing


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


def _say(
    lines: Lines, conv: Conversation, rng: random.Random, *, reuse: bool = True, ok=None,
) -> str | None:
    """A line for the current mood, never one already said while an unused one remains,
    never the customer's previous reply again when another would do, and never one `ok`
    refuses (a line that would go back on what the trainee just settled)."""
    band, options = lines.for_mood(conv.mood)
    if not options:
        return None
    ids = [f"{lines.key}:{band}:{i}" for i in range(len(options))]
    allowed = [i for i in range(len(options)) if ok is None or ok(options[i])]
    if not allowed:
        return None
    fresh = [i for i in allowed if ids[i] not in conv.used]
    if not fresh:
        if not reuse:
            return None
        pool = [i for i in allowed if ids[i] not in conv.prev] or allowed
        i = pool[rng.randrange(len(pool))]
        conv.prev.append(ids[i])
        return options[i]
    i = fresh[rng.randrange(len(fresh))] if len(fresh) > 1 else fresh[0]
    conv.used.append(ids[i])
    conv.prev.append(ids[i])
    return options[i]


def begin(persona: Persona, seed: int) -> tuple[Conversation, str]:
    """Open a conversation: the customer's first line, from the start state."""
    conv = Conversation(persona_id=persona.id, seed=seed, state=persona.start, mood=persona.mood_start)
    line = _say(persona.states[persona.start].lines, conv, _rng(conv)) or "..."
    conv.opening = line
    return conv, line


def _facts_asked(persona: Persona, labels: frozenset[str], text: str) -> list:
    """The facts a question asks about: per sentence, the most specifically named ones."""
    if not persona.facts or not ("question" in labels or "paraphrase" in labels or "?" in text):
        return []
    out: list = []
    for sentence in sentences(text) or [text]:
        norm = prepared(sentence, persona.vocab)
        weighed = [(f.matcher.weight(norm), i, f) for i, f in enumerate(persona.facts)]  # type: ignore[attr-defined]
        best = max((w for w, _, _ in weighed), default=0)
        for w, _, f in weighed:
            if best and w == best and f not in out:
                out.append(f)
    return out[:MAX_FACTS_PER_REPLY]


def _is_question(labels: frozenset[str], text: str) -> bool:
    """A specific question: one the customer could fail to understand."""
    return ("question" in labels or text.rstrip().endswith("?")) and not OPEN_QUESTION.search(text)


def _repeat(conv: Conversation, norm: str) -> bool:
    """Whether the trainee said (nearly) this line before: most of its words, again."""
    words = set(norm.split())
    if len(words) < MIN_REPEAT_WORDS:
        return False
    for before in conv.said:
        other = set(before.split())
        if other and len(words & other) / len(words | other) >= REPEAT_SIMILARITY:
            return True
    return False


def _settled(persona: Persona, conv: Conversation) -> list[Offer]:
    return [o for o in persona.offers if o.topic in conv.offered]


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
    conv.prev = []
    conv.mood = next_mood(conv.mood, labels, counts_before, persona.weights)
    reading = offer_reading.read(persona, labels, text)
    # An offer the customer can take counts as a remedy for the machine, even when the
    # classifier missed it; the debrief still scores only what the classifier heard.
    # A line that offers only what the customer rejects, or says a bare no, is no remedy
    # however it was labelled: the machine must not move as if a fix had been offered.
    no_deal = bool(reading.rejected or reading.refused) and not reading.acceptable
    if reading.acceptable:
        moves = labels | {"solution"}
    elif no_deal:
        moves = labels - REMEDY_MOVES
    else:
        moves = labels
    for label in moves:
        conv.counts[label] = conv.counts.get(label, 0) + 1
    conv.last = sorted(labels)
    rng = _rng(conv)
    norm = normalise(text, persona.vocab)
    repeated = _repeat(conv, norm)
    if norm:
        conv.said = (conv.said + [norm[:REMEMBERED_CHARS]])[-MAX_REMEMBERED:]

    if conv.closing is not None:  # the customer accepted; this is the trainee's wrap-up
        conv.outcome = conv.closing
        poor = bool(labels & set(HARM_ORDER))
        line = _say(DEFAULT_SOUR_GOODBYE if poor else (persona.goodbye or DEFAULT_GOODBYE), conv, rng)
        return Step(line or "Bye.", conv)

    for o in reading.offered:
        if o.acceptable and o.topic not in conv.offered:
            conv.offered.append(o.topic)
    taken_back = [o for o in reading.refused if o.topic in conv.offered]
    conv.offered = [t for t in conv.offered if t not in {o.topic for o in reading.refused}]
    for rule in reading.forbidden:
        if rule.rule not in conv.promised:
            conv.promised.append(rule.rule)
    ctx = GuardContext(mood=conv.mood, turn=conv.turn, counts=conv.counts)

    current = persona.states[conv.state]
    target = None
    # Offers gate a happy ending: the customer never settles for something it rejects,
    # nor for a bare no.
    for t in persona.anywhere + current.transitions:
        if t.to == conv.state or not t.fires(moves, ctx):
            continue
        if no_deal and persona.states[t.to].outcome == "resolved":
            continue
        target = t.to
        break
    changed = target is not None
    if changed:
        conv.state = target
    state = persona.states[conv.state]

    if state.terminal:
        if state.outcome == "resolved":
            # Every customer who accepts stays for the trainee's wrap-up (thanks, anything
            # else, a follow-up) and leaves with a goodbye: the persona's, or a plain one.
            conv.closing = state.outcome
            conv.accepted_turn = conv.turn
        else:
            conv.outcome = state.outcome
        line = _say(state.lines, conv, rng) or "..."
        return Step(line, conv)

    settled = _settled(persona, conv)

    def ok(line: str) -> bool:
        return offer_reading.goes_back_on(persona, line, settled) is None

    parts: list[str] = []
    if repeated:
        parts.append(_say(persona.repeated or DEFAULT_REPEATED, conv, rng) or "You said that already.")
    answered_offer = False
    for label in REACTION_ORDER:
        if label in labels and label in persona.reactions:
            if reading and label in OFFER_REACTIONS:
                continue  # the offer's answer below speaks for this
            if label == "paraphrase" and text.rstrip().endswith("?") and not RESTATING.search(text):
                continue  # a plain question, whatever the classifier heard in it
            said = _say(persona.reactions[label], conv, rng, reuse=False, ok=ok)
            if said:
                parts.append(said)
                break
    if taken_back:  # the trainee backs out of an offer: the customer holds them to it
        rule = next((r for r in persona.policy.forbidden if r.rule in conv.promised and r.held), None)
        parts.append(_say(rule.held if rule else DEFAULT_HELD, conv, rng) or "")  # type: ignore[union-attr]
        answered_offer = True
    elif reading.offered:
        for o in (reading.acceptable or reading.rejected)[:offer_reading.MAX_ANSWERED]:
            said = _say(o.answer_in(conv.state), conv, rng)
            if said and said not in parts:
                parts.append(said)
                answered_offer = True
    elif reading.bare_refusal:
        o = reading.refused[0]
        parts.append(_say(o.refused or DEFAULT_REFUSED, conv, rng) or "")
        answered_offer = True
    facts = _facts_asked(persona, labels, text)
    for fact in facts:
        said = _say(fact.answer, conv, rng, reuse=False, ok=ok)
        if said is None and not parts:  # "Like I said" only when there is nothing else to say
            again = _say(fact.answer, conv, rng, ok=ok)
            said = "Like I said: " + again if again else None
        if said:
            parts.append(said)
    if offer_reading.is_goodbye(text) and not answered_offer:
        parts.append(_say(DEFAULT_NOT_DONE, conv, rng) or "")
    unsure = False
    if _is_question(labels, text) and not facts and not reading and not changed and not offer_reading.is_wrap_up(text):
        parts.append(_say(persona.unsure or DEFAULT_UNSURE, conv, rng) or "")
        unsure = True
    if changed or unsure or not parts:
        # Offered more than policy allows, the customer takes it and needs nothing more:
        # the state's lines were written for what the agent may offer.
        quiet = answered_offer and (not changed or bool(reading.forbidden and reading.acceptable))
        said = _say(state.lines, conv, rng, ok=ok) if not quiet else None
        if said:
            parts.append(said)
    if not [p for p in parts if p]:
        parts.append(_say(DEFAULT_OK, conv, rng) or "Okay.")
    return Step(" ".join(p for p in parts if p), conv)


CLOSING_HINT = "They've accepted. Wrap up: thank them, check there's nothing else, and say when you'll follow up."
CLOSING_EXAMPLE = "Thank you for bearing with me. Is there anything else I can help with today?"


def state_hint(persona: Persona, conv: Conversation) -> str | None:
    """The author's tip for this moment, with the state's own example line when it has one,
    so a hint never borrows an example from another scenario."""
    if conv.closing is not None:
        return f"{CLOSING_HINT} Try: '{CLOSING_EXAMPLE}'"
    state = persona.states[conv.state]
    if state.hint and state.example:
        return f"{state.hint} Try: '{state.example}'"
    if state.example:
        return f"Try something like: '{state.example}'"
    return state.hint
