"""What a trainee's line offers or refuses, and whether a customer line goes back on it.

Behaviour labels say *that* a remedy was offered, not *which*; a customer reacting to
labels alone answered "So the refund's a no?" to "I've refunded the $17.99". A line is
read clause by clause (a "but" starts a new one), so "I can't refund that, but I can
credit you $10" is a refusal of the refund with credit as the alternative. A clause
that names an offer is an offer when it is worded as one or labelled as one, and a
refusal when it is negated.

The same reading is used by the engine (to answer the offer) and by the consistency
checker (to find customer lines that contradict it), so the two agree on what was said.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from bot.persona.matching import clauses, prepared, sentences
from bot.persona.records import Offer, Persona, Rule

# Labels that make a clause naming an offer an offer (or, negated, a refusal).
OFFER_LABELS = frozenset({"solution", "escalation_offer", "tactful_no", "expectation", "follow_up", "stonewall"})
OFFER_CUE = re.compile(
    r"\b(?:i can|i could|i'll|i will|i've|i have|i'd|we'll|we will|we can|we've|we could|let me|would you like|"
    r"how about|happy to|glad to|going to|i'm going|i am going|do you want|would you prefer|offer|arrange|"
    r"send you|give you|get you|set up|book|i am able|i'm able|we are able|we're able)\b"
)
# "The trial is set up to renew unless it's cancelled" describes; it offers nothing.
DESCRIBED = re.compile(r"\b(?:is|was|are|were|been|being|gets|got) (?:set up|booked|arranged|offered)\b")
NEGATION = re.compile(
    r"\b(?:can't|cannot|can not|unable|not able|won't be able|isn't possible|is not possible|not possible|"
    r"not allowed|no longer|couldn't|wish i could|won't let|will not let|doesn't allow|does not allow|not available|"
    r"not getting|isn't available|not something|not eligible|isn't eligible|don't offer|do not offer|"
    r"don't do|don't give|don't provide|can't offer|no refunds?|not in a position|impossible|"
    # the rule or the system says no: "the till blocks card refunds after 30 days"
    r"aren't possible|are not possible|doesn't permit|does not permit|don't permit|do not permit|not permitted|"
    r"won't allow|will not allow|don't allow|do not allow|"
    r"(?:blocks|stops|prevents) (?:\w+ ){0,2}?(?:refunds?|returns?|exchanges?|payouts?|it|that|this)|"
    # nobody to give it: "there's no manager available"
    r"no (?:\w+ ){1,2}available)\b"
)
# What the customer is told they need not do is neither offered nor refused: "you won't
# need to top up" releases her from it. The words up to the next stop are set aside.
RELEASED = re.compile(
    r"\b(?:(?:won't|will not|wont|don't|do not|dont|doesn't|does not|shouldn't|should not) (?:need|have) to|"
    r"no need (?:for you )?to|needn't|not need to|not have to)\b[^,.;:!?]{0,60}",
    re.IGNORECASE,
)
# A customer sentence that asks for, doubts or denies something (not merely mentions it).
ASKING = re.compile(
    r"\?|\b(?:i want|i need|can you|could you|will you|are you going to|give me|so no|a no|not getting|"
    r"can't have|won't|refuse|no way)\b"
)
GOODBYE = re.compile(r"\b(?:have a (?:nice|good|great|lovely) (?:day|evening|weekend|one)|goodbye|bye)\b")
# A question offers only when it is worded as an offer ("would you like a refund?"); a
# restated ask ("you'd like the duplicate refunded, is that right?") offers nothing.
QUESTION_OFFER = re.compile(
    r"\b(?:would you like|would you prefer|do you want|how about|shall i|should i|can i offer|could i offer|"
    r"would it help if|would that help)\b"
)
RESTATED = re.compile(r"\b(?:you're asking|you are asking|you'd like|you would like|you want|you need|you asked|you're after)\b")
WRAP_UP = re.compile(r"\b(?:anything else|something else|any other|all set|all sorted|take care)\b")
MAX_ANSWERED = 2


@dataclass(slots=True)
class Reading:
    """What one trainee line did with the persona's offers and policy."""

    offered: list[Offer] = field(default_factory=list)  # offers made (not negated)
    refused: list[Offer] = field(default_factory=list)  # offers named and said no to
    forbidden: list[Rule] = field(default_factory=list)  # what policy forbids, offered anyway

    @property
    def acceptable(self) -> list[Offer]:
        return [o for o in self.offered if o.acceptable]

    @property
    def rejected(self) -> list[Offer]:
        return [o for o in self.offered if not o.acceptable]

    @property
    def bare_refusal(self) -> bool:
        """A no with nothing the customer would take instead."""
        return bool(self.refused) and not self.acceptable

    def __bool__(self) -> bool:
        return bool(self.offered or self.refused or self.forbidden)


def _named(matchers: Iterable, norm: str) -> list:
    """Items whose phrases `norm` names, most specific first."""
    found = [(item.matcher.weight(norm), i, item) for i, item in enumerate(matchers)]
    return [item for w, _, item in sorted((f for f in found if f[0] > 0), key=lambda f: (-f[0], f[1]))]


def read(persona: Persona, labels: Iterable[str], text: str) -> Reading:
    """What `text` (a trainee line showing `labels`) offers, refuses and overpromises."""
    out = Reading()
    if not persona.offers and not persona.policy.forbidden:
        return out
    labels = set(labels)
    offer_labelled = bool(OFFER_LABELS & labels)
    if "paraphrase" in labels and not offer_labelled:
        return out  # "you'd like the duplicate refunded, is that right?" restates the ask, offers nothing
    pieces = [(c, s.endswith("?")) for s in sentences(text) or [text] for c in clauses(s)]
    for clause, asked in pieces:
        norm = prepared(RELEASED.sub(" ", clause), persona.vocab)
        offers = _named(persona.offers, norm)
        rules = _named(persona.policy.forbidden, norm)
        if not offers and not rules:
            continue
        if asked or (RESTATED.search(norm) and not OFFER_CUE.search(norm)):
            if not QUESTION_OFFER.search(norm):
                continue  # a question or a restated ask: neither an offer nor a refusal
        elif NEGATION.search(norm):
            for o in offers:
                if o not in out.refused:
                    out.refused.append(o)
            continue
        elif not (offer_labelled or OFFER_CUE.search(DESCRIBED.sub(" ", norm))):
            continue  # named, not offered: "the refund policy says ..."
        for o in offers:
            if o not in out.offered:
                out.offered.append(o)
        for r in rules:
            if r not in out.forbidden:
                out.forbidden.append(r)
    # Offered in one clause and refused in another: the last word stands.
    out.refused = [o for o in out.refused if o not in out.offered]
    return out


def asks_about(persona: Persona, line: str, settled: Sequence[Offer]) -> Offer | None:
    """The settled offer a customer reply asks for, doubts or denies again, if any: a
    sentence of it that names the offer and asks (a `?`, "I want", "a no", ...).

    Lines the persona wrote as answers to offers are exempt: they are how the customer
    takes an offer, not a question about it.
    """
    if not settled:
        return None
    for answer in sorted(_answer_lines(persona), key=lambda a: (-len(a), a)):  # longest first, in a fixed order
        line = line.replace(answer, " ")
    for sentence in sentences(line):
        if not ASKING.search(sentence.lower()):
            continue
        norm = prepared(sentence, persona.vocab)
        for o in settled:
            if o.matcher.weight(norm):
                return o
    return None


def goes_back_on(persona: Persona, line: str, settled: Sequence[Offer]) -> Offer | None:
    """Stricter, for choosing what the customer says: a line that names a settled offer
    anywhere and asks anything ("Is that a joke? Refund. Free year.") is not said."""
    if not settled or line in _answer_lines(persona) or not ASKING.search(line.lower()):
        return None
    norm = prepared(line, persona.vocab)
    for o in settled:
        if o.matcher.weight(norm):
            return o
    return None


_ANSWERS: dict[int, tuple[Persona, frozenset[str]]] = {}


def _answer_lines(persona: Persona) -> frozenset[str]:
    cached = _ANSWERS.get(id(persona))
    if cached is not None and cached[0] is persona:
        return cached[1]
    out: set[str] = set()
    for o in persona.offers:
        for lines in (o.answer, *o.in_state.values()):
            out.update(lines.all())
    if len(_ANSWERS) > 256:
        _ANSWERS.clear()
    _ANSWERS[id(persona)] = (persona, frozenset(out))
    return _ANSWERS[id(persona)][1]


def overpromises(persona: Persona, turns: Sequence) -> list[tuple[int, str]]:
    """(turn, rule) for each played turn whose trainee line offered what policy forbids;
    `turns` are played turns (index, trainee, labels), as the store keeps them."""
    if not persona.policy.forbidden:
        return []
    out = []
    for t in turns:
        for rule in read(persona, t.labels, t.trainee).forbidden:
            out.append((t.index, rule.rule))
    return out


def is_goodbye(text: str) -> bool:
    """Whether a trainee line takes its leave ("have a nice day", "thanks for contacting us")."""
    return bool(GOODBYE.search(text.lower()))


def is_wrap_up(text: str) -> bool:
    return bool(WRAP_UP.search(text.lower()))
