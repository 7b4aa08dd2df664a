"""Score a finished conversation and build the trainee's debrief.

The rubric is the one a contact-centre QA lead applies when listening back to a call:
six dimensions scored from the behaviours across the whole conversation, each
behaviour worth less every time it repeats (so spamming "sorry" cannot max empathy),
poor behaviours subtracting, and a little credit for timing (acknowledge early,
listen before fixing). The overall score follows the quality of the handling; the
outcome only nudges it, because a trainee can do everything right and still get an
escalation, or be hostile and get lucky.

All weights are the constants below so the rubric reads in one place. README.md (How a conversation is scored)
explains it for trainers; keep the two in step. Wording lives in bot/debrief/coaching.py.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

from bot.debrief import coaching, timeline
from bot.debrief.timeline import Moment
from bot.core.text import clip
from bot.vocab import GOOD, HARM_ORDER, LABEL_SET, LABELS
from bot.core.records import Transcript, Turn
from bot.vocab import OUTCOMES

DIMENSIONS: tuple[str, ...] = ("empathy", "listening", "ownership", "solution", "professionalism", "closing")

# --- Dimensions ------------------------------------------------------------------------

# Each further showing of a behaviour is worth this fraction of the one before: the
# first counts in full, the second half, the third a quarter (so at most twice the
# weight, however often it is repeated). Counts are per message: two apologies in one
# message are one apology.
REPEAT_DECAY = 0.5

# Where a dimension starts before any behaviour. Professionalism starts high: not being
# rude is the baseline, and each poor behaviour cuts it.
BASE: Mapping[str, float] = {"professionalism": 70}

# Points for the first showing of each behaviour, per dimension.
CREDIT: Mapping[str, Mapping[str, float]] = {
    "empathy": {"empathy": 45, "apology": 15},
    "listening": {"question": 35, "paraphrase": 35},
    "ownership": {"ownership": 45, "follow_up": 25, "apology": 15},
    "solution": {"solution": 55, "expectation": 30, "tactful_no": 20, "escalation_offer": 15},
    "professionalism": {"greeting": 10, "gratitude": 10, "boundary": 10},
    "closing": {"follow_up": 30, "gratitude": 20, "expectation": 15},
}

# Points taken off for every showing of a poor behaviour. Harm aimed at the customer
# (rude, blame, dismissive, argue) costs in full each time: every one hurts. Withdrawal
# (stonewall, defensive) costs REPEAT_DECAY less each time it repeats, like credit: the
# fifth "that's the policy" is the same failure as the first, not a fresh insult, and
# without the decay a long polite stonewaller sank to 0 beside a rude trainee.
WITHDRAWAL_LABELS: tuple[str, ...] = ("stonewall", "defensive")
PENALTY: Mapping[str, Mapping[str, float]] = {
    "empathy": {"dismissive": 25, "rude": 20},
    "listening": {"argue": 25, "dismissive": 15},
    "ownership": {"blame": 30, "defensive": 20},
    "solution": {"stonewall": 25, "argue": 10},
    "professionalism": {
        "rude": 30, "blame": 20, "dismissive": 20, "argue": 15, "stonewall": 15, "defensive": 10,
    },
    "closing": {},
}

# Over-apologising: after the second, every further apology costs empathy points. It
# reads as scripted and delays the fix; a QA lead marks it down.
FREE_APOLOGIES = 2
OVER_APOLOGY_COST = 5

# Timing.
EARLY_TURNS = 2  # "early" means the trainee's first two messages
EARLY_ACK_BONUS = 15  # empathy: empathy or apology shown early
LISTEN_FIRST_BONUS = 10  # listening: a question or paraphrase before the first remedy
HEARD_LABELS: tuple[str, ...] = ("empathy", "apology", "paraphrase")  # the customer feels heard
REMEDY_LABELS: tuple[str, ...] = ("solution", "tactful_no")
UNHEARD_REMEDY_FACTOR = 0.6  # a remedy before the customer felt heard earns 60 %
FINAL_CLOSE_BONUS = 10  # closing: the last message thanks, follows up or sets the next step
CLOSE_LABELS: tuple[str, ...] = ("gratitude", "follow_up", "expectation")
OUTCOME_CLOSING: Mapping[str, float] = {"resolved": 25, "escalated": 10, "customer_left": 0, "unfinished": 0}

# A customer who escalated without the trainee ever offering it went over their head:
# that is scored as a customer who left, not as a hand-over. Without this a hostile
# trainee escalated after two lines earned closing points and a milder outcome than a
# polite one whose customer gave up after ten.
HANDOVER_LABEL = "escalation_offer"

# --- Overall ---------------------------------------------------------------------------

WEIGHTS: Mapping[str, float] = {
    "empathy": 0.20,
    "listening": 0.15,
    "ownership": 0.15,
    "solution": 0.20,
    "professionalism": 0.15,
    "closing": 0.15,
}
# The outcome scales the handling score a little, not adds to it: a trainee who did more
# stands to gain or lose more, and a subtraction would floor every poor trainee at 0 alike
# (a polite stonewaller level with a rude one). At 85 the factors are about +5, -3, -5, -10.
OUTCOME_FACTOR: Mapping[str, float] = {"resolved": 1.06, "escalated": 0.96, "unfinished": 0.94, "customer_left": 0.88}
HINT_COST = 3  # points per hint the trainee asked for
HINT_COST_CAP = 15

# --- Style (Thomas-Kilmann) ------------------------------------------------------------

PUSH_LABELS: tuple[str, ...] = ("solution", "tactful_no", "boundary", "expectation")  # pursue an outcome
HOSTILE_LABELS: tuple[str, ...] = ("argue", "blame", "rude")  # push at the customer's expense
COOPERATIVE_LABELS: tuple[str, ...] = (
    "empathy", "apology", "question", "paraphrase", "ownership", "gratitude", "follow_up",
)
WITHDRAW_LABELS: tuple[str, ...] = ("stonewall", "defensive", "dismissive")  # step away from the problem
UNCOOPERATIVE_LABELS: tuple[str, ...] = ("argue", "blame", "rude", "dismissive")  # cancel a cooperative turn
HIGH_COOPERATION = 0.5  # share of messages
LOW_COOPERATION = 0.25
HIGH_HOSTILITY = 0.25  # share of messages
HIGH_WITHDRAWAL = 0.5  # share of messages
HIGH_ASSERTION = 2  # assertion points
EXPLORE_LABELS: tuple[str, ...] = ("question", "paraphrase")

# --- Quotes ----------------------------------------------------------------------------

# How much a line showing each behaviour is worth quoting: rarer, harder moves rank
# above the easy ones.
QUOTE_VALUE: Mapping[str, int] = {
    "paraphrase": 5, "tactful_no": 5, "empathy": 4, "ownership": 4, "boundary": 4,
    "follow_up": 3, "solution": 3, "expectation": 3,
    "apology": 2, "question": 2, "escalation_offer": 2,
    "gratitude": 1, "greeting": 1,
}
MIN_BEST_VALUE = 2  # a bare "thank you" is not a best line
QUOTE_SEVERITY: Mapping[str, int] = {
    "rude": 5, "blame": 5, "dismissive": 4, "argue": 3, "stonewall": 3, "defensive": 2,
}
WEAK_LINE_MOOD = 50  # a behaviour-free line is "weakest" only if the customer was this angry
MAX_QUOTES = 3
QUOTE_CHARS = 200

# --- Tips ------------------------------------------------------------------------------

MIN_TIPS, MAX_TIPS = 2, 4
# An open check at the close, by its words: the classifier may hear only the thanks around it.
OPEN_CHECK = re.compile(r"\b(?:anything else|something else|any other (?:questions?|issues?|problems?|concerns?))\b")
MANY_HINTS = 3
APOLOGY_LOOP = 3  # apologies with no remedy that read as a loop
# Priority of each gap: higher is said first. Poor behaviours rank above every gap.
TIP_PRIORITY: Mapping[str, int] = {
    "no_acknowledgement": 90,
    "apology_loop": 88,
    "no_remedy": 85,
    "no_question": 80,
    "no_expectation": 70,
    "remedy_before_heard": 65,
    "late_acknowledgement": 60,
    "no_paraphrase": 55,
    "no_ownership": 50,
    "no_closing": 45,
    "many_hints": 40,
    "no_follow_up": 35,
    "no_gratitude": 30,
}
POOR_TIP_PRIORITY = 100
OVERPROMISE_TIP_PRIORITY = 120  # promising what policy forbids outranks every other fault
OVERPROMISE_SEVERITY = 6  # as a worst line, above rudeness: the customer will hold them to it
CLOSING_GAPS: tuple[str, ...] = ("no_closing", "no_follow_up", "no_gratitude")
MAX_POOR_TIPS = 3  # leave room for at least one missing technique


@dataclass(slots=True)
class Played(Transcript):
    """A transcript with what only the persona knows: where the trainee offered what
    policy forbids ((turn, rule) pairs), and whether a turn was left for a wrap-up after
    the customer accepted."""

    overpromises: Sequence[tuple[int, str]] = ()
    chance_to_close: bool = True
    # For the timeline: the persona's mood weights, and what the engine had counted before
    # each turn (None: rebuilt from the labels).
    weights: Mapping[str, int] | None = None
    counts_before: Sequence[Mapping[str, int]] | None = None


@dataclass(frozen=True, slots=True)
class Quote:
    """A trainee line worth showing back, with one short sentence on why."""

    turn: int
    text: str
    labels: tuple[str, ...]
    note: str

    def to_dict(self) -> dict[str, Any]:
        return {"turn": self.turn, "text": self.text, "labels": list(self.labels), "note": self.note}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Quote":
        return cls(int(d["turn"]), d["text"], tuple(d["labels"]), d["note"])


@dataclass(frozen=True, slots=True)
class Debrief:
    """What the trainee sees when the conversation ends."""

    score: int
    dimensions: dict[str, int]
    outcome: str
    style: str
    style_note: str
    best: tuple[Quote, ...]
    worst: tuple[Quote, ...]
    tips: tuple[str, ...]
    hints_used: int
    turns: int
    label_counts: dict[str, int]
    timeline: tuple[Moment, ...] = ()  # one moment per turn; empty for debriefs saved before it existed

    @property
    def turning_points(self) -> tuple[Moment, ...]:
        return tuple(m for m in self.timeline if m.turning_point)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able, with stable keys in a stable order for renderers and storage."""
        return {
            "score": self.score,
            "dimensions": {d: self.dimensions[d] for d in self.dimensions},
            "outcome": self.outcome,
            "style": self.style,
            "style_note": self.style_note,
            "best": [q.to_dict() for q in self.best],
            "worst": [q.to_dict() for q in self.worst],
            "tips": list(self.tips),
            "hints_used": self.hints_used,
            "turns": self.turns,
            "label_counts": dict(self.label_counts),
            "timeline": [m.to_dict() for m in self.timeline],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Debrief":
        """A saved debrief as it was saved, not a fresh scoring: a trainee handed it late, or
        after the rubric changed, sees exactly what they were scored when the session ended.

        Debriefs saved before `label_counts` or `timeline` existed read as having none. Anything else
        missing or malformed raises KeyError, TypeError or ValueError.
        """
        return cls(
            score=int(d["score"]),
            dimensions=dict(d["dimensions"]),
            outcome=d["outcome"],
            style=d["style"],
            style_note=d["style_note"],
            best=tuple(Quote.from_dict(q) for q in d["best"]),
            worst=tuple(Quote.from_dict(q) for q in d["worst"]),
            tips=tuple(d["tips"]),
            hints_used=int(d["hints_used"]),
            turns=int(d["turns"]),
            label_counts=dict(d.get("label_counts", {})),
            timeline=tuple(Moment.from_dict(m) for m in d.get("timeline", ())),
        )


def _round(x: float) -> int:
    """Round half up: trainers reproduce scores by hand and expect 72.5 -> 73."""
    return int(math.floor(x + 0.5))


def _clamp(x: float) -> int:
    return max(0, min(100, _round(x)))


class _Facts:
    """Where each behaviour appears (positions in the conversation, 0-based)."""

    def __init__(self, turns: list[Turn]) -> None:
        self.n = len(turns)
        self.labels: list[frozenset[str]] = [frozenset(t.labels) for t in turns]
        self.checked_in = any(OPEN_CHECK.search(t.trainee.lower()) for t in turns)
        self.at: dict[str, list[int]] = {lab: [] for lab in LABELS}
        for i, labs in enumerate(self.labels):
            for lab in labs:
                self.at[lab].append(i)

    def count(self, label: str) -> int:
        return len(self.at[label])

    def first(self, labels: Iterable[str]) -> int | None:
        hits = [self.at[lab][0] for lab in labels if self.at[lab]]
        return min(hits) if hits else None

    def has(self, *labels: str) -> bool:
        return any(self.at[lab] for lab in labels)


def _validate(transcript: Transcript) -> None:
    """Unknown names mean a bug upstream (classifier or engine); say so instead of guessing."""
    if transcript.outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {transcript.outcome!r}; expected one of {', '.join(OUTCOMES)}")
    for turn in transcript.turns:
        for d in turn.detections:
            if d.label not in LABEL_SET:
                raise ValueError(f"turn {turn.index}: unknown behaviour label {d.label!r}")


def _credit(weight: float, factors: list[float]) -> float:
    """Diminishing credit: the best showing counts in full, each further one REPEAT_DECAY less."""
    return sum(weight * f * REPEAT_DECAY**k for k, f in enumerate(sorted(factors, reverse=True)))


def _graded_outcome(f: _Facts, outcome: str) -> str:
    """The outcome the rubric credits: an escalation nobody offered counts as the customer leaving."""
    if outcome == "escalated" and not f.has(HANDOVER_LABEL):
        return "customer_left"
    return outcome


def _dimensions(f: _Facts, outcome: str) -> dict[str, int]:
    heard_at = f.first(HEARD_LABELS)
    first_remedy = f.first(REMEDY_LABELS)
    out: dict[str, int] = {}
    for dim in DIMENSIONS:
        points = BASE.get(dim, 0.0)
        for label, weight in CREDIT[dim].items():
            timed = dim == "solution" and label in REMEDY_LABELS
            factors = [
                UNHEARD_REMEDY_FACTOR if timed and (heard_at is None or pos < heard_at) else 1.0
                for pos in f.at[label]
            ]
            points += _credit(weight, factors)
        for label, cut in PENALTY[dim].items():
            if label in WITHDRAWAL_LABELS:
                points -= _credit(cut, [1.0] * f.count(label))
            else:
                points -= cut * f.count(label)
        if dim == "empathy":
            points -= OVER_APOLOGY_COST * max(0, f.count("apology") - FREE_APOLOGIES)
            if any(p < EARLY_TURNS for lab in ("empathy", "apology") for p in f.at[lab]):
                points += EARLY_ACK_BONUS
        if dim == "listening":
            first_explore = f.first(EXPLORE_LABELS)
            if first_explore is not None and (first_remedy is None or first_explore < first_remedy):
                points += LISTEN_FIRST_BONUS
        if dim == "closing":
            if f.n and f.labels[-1] & set(CLOSE_LABELS):
                points += FINAL_CLOSE_BONUS
            points += OUTCOME_CLOSING[outcome]
        out[dim] = _clamp(points)
    return out


def _overall(dims: Mapping[str, int], outcome: str, hints: int, chance_to_close: bool = True) -> int:
    """The weighted mean; without a chance to close, closing is left out and the other
    weights are scaled up, so a trainee is not marked down for a wrap-up they could not give."""
    scored = [d for d in DIMENSIONS if chance_to_close or d != "closing"]
    total = sum(WEIGHTS[d] for d in scored)
    mean = sum(WEIGHTS[d] * dims[d] for d in scored) / total
    return _clamp(mean * OUTCOME_FACTOR[outcome] - min(HINT_COST_CAP, HINT_COST * hints))


def _style(f: _Facts) -> tuple[str, str]:
    """Thomas-Kilmann style from per-message assertiveness and cooperativeness.

    Rules, first match wins (shares are of the trainee's messages):
    1. hostile messages (argue/blame/rude) >= 25 % and at least as many as cooperative ones: competing;
    2. withdrawing messages (stonewall/defensive/dismissive, or no behaviour at all) >= 50 %
       and cooperation below 50 %: avoiding;
    3. cooperation >= 50 %, assertion >= 2 and a question or paraphrase: collaborating;
    4. cooperation >= 50 % and no assertion: accommodating;
    5. cooperation < 25 % and assertion >= 2: competing;
    6. cooperation < 25 %: avoiding;
    7. otherwise: compromising.
    Cooperation = messages with a cooperative behaviour minus messages with an
    uncooperative one (argue/blame/rude/dismissive), as a share. Assertion = distinct
    outcome-pushing behaviours shown (solution, tactful_no, boundary, expectation) plus
    messages with argue/blame/rude/stonewall.
    """
    n = f.n
    if n == 0:
        return "avoiding", "No messages were sent, so the conflict was never engaged."

    def turns_with(labels: Iterable[str]) -> int:
        s = set(labels)
        return sum(1 for labs in f.labels if labs & s)

    coop_turns = turns_with(COOPERATIVE_LABELS)
    hostile = turns_with(HOSTILE_LABELS)
    withdraw = sum(1 for labs in f.labels if not labs or labs & set(WITHDRAW_LABELS))
    coop = max(0, coop_turns - turns_with(UNCOOPERATIVE_LABELS)) / n
    push_kinds = [lab for lab in PUSH_LABELS if f.has(lab)]
    assertion = len(push_kinds) + turns_with(HOSTILE_LABELS + ("stonewall",))
    explored = f.has(*EXPLORE_LABELS)
    hostile_names = ", ".join(lab for lab in HOSTILE_LABELS if f.has(lab))
    withdraw_names = ", ".join(lab for lab in WITHDRAW_LABELS if f.has(lab))

    if hostile / n >= HIGH_HOSTILITY and hostile >= coop_turns:
        return "competing", (
            f"You pushed back at the customer ({hostile_names} in {hostile} of {n} messages) "
            "more than you reached toward them, which makes the customer fight harder."
        )
    if withdraw / n >= HIGH_WITHDRAWAL and coop < HIGH_COOPERATION:
        what = f"{withdraw_names} and non-committal lines" if withdraw_names else "non-committal lines"
        return "avoiding", (
            f"You mostly stepped back ({what} in {withdraw} of {n} messages), "
            "so the problem was never really taken on."
        )
    if coop >= HIGH_COOPERATION and assertion >= HIGH_ASSERTION and explored:
        return "collaborating", (
            "You explored the problem and drove it toward a concrete outcome while staying warm — "
            "working with the customer rather than against them."
        )
    if coop >= HIGH_COOPERATION and assertion == 0:
        return "accommodating", (
            "You were warm and apologetic but never offered a remedy or set a limit, "
            "so the customer had nothing concrete to take away."
        )
    if coop < LOW_COOPERATION and assertion >= HIGH_ASSERTION:
        return "competing", (
            "You went straight to your own answer without acknowledging or exploring the customer's side, "
            "which can feel like being processed rather than helped."
        )
    if coop < LOW_COOPERATION:
        return "avoiding", (
            "You engaged very little with either the customer or a fix, so the conflict was left to itself."
        )
    if f.has("tactful_no"):
        return "compromising", (
            "You said no tactfully and met the customer partway with an alternative — fair, "
            "but exploring what mattered most to them could have turned it into a full solution."
        )
    return "compromising", (
        "You met the customer partway — a little engagement and a little action, "
        "but not the full explore-then-fix that settles a conflict completely."
    )


def _clip(text: str) -> str:
    """The line as the trainee wrote it, on one line, cut at a word to about QUOTE_CHARS characters."""
    return clip(" ".join(text.split()), QUOTE_CHARS, at_word=True)


def _quotes(
    turns: list[Turn], f: _Facts, overpromised: Mapping[int, str] | None = None,
) -> tuple[tuple[Quote, ...], tuple[Quote, ...]]:
    """Best: most valuable lines free of poor behaviour. Worst: the most harmful lines.

    Ties go to the earlier line. A line can only be one or the other, since best lines
    must show no poor behaviour and worst lines must show some (or, when there are no
    poor lines at all, be a behaviour-free line to an angry customer).
    """
    best_ranked: list[tuple[int, int]] = []
    worst_ranked: list[tuple[int, int]] = []
    overpromised = overpromised or {}
    for i, labs in enumerate(f.labels):
        poor = sum(QUOTE_SEVERITY[lab] for lab in labs if lab in QUOTE_SEVERITY)
        if turns[i].index in overpromised:
            poor += OVERPROMISE_SEVERITY
        if poor:
            worst_ranked.append((-poor, i))
        else:
            value = sum(QUOTE_VALUE.get(lab, 0) for lab in labs)
            if value >= MIN_BEST_VALUE:
                best_ranked.append((-value, i))
    best_ranked.sort()
    worst_ranked.sort()
    # Never two best lines showing exactly the same behaviours: the trainee learns
    # nothing from seeing their third "I'm so sorry".
    seen: set[frozenset[str]] = set()
    distinct: list[tuple[int, int]] = []
    for entry in best_ranked:
        if f.labels[entry[1]] not in seen:
            seen.add(f.labels[entry[1]])
            distinct.append(entry)
    best_ranked = distinct

    def by_value(t: Turn) -> tuple[str, ...]:
        return tuple(sorted(t.labels, key=lambda lab: (-QUOTE_VALUE.get(lab, 0), GOOD.index(lab))))

    def quote(t: Turn, note: str) -> Quote:
        return Quote(t.index, _clip(t.trainee), tuple(t.labels), note)

    best = tuple(quote(turns[i], coaching.praise_note(by_value(turns[i]))) for _, i in best_ranked[:MAX_QUOTES])
    worst_idx = [i for _, i in worst_ranked[:MAX_QUOTES]]
    if not worst_idx:
        # No poor line: show the weakest instead, a behaviour-free line to an angry customer.
        weak = sorted((-t.mood, i) for i, t in enumerate(turns) if not f.labels[i] and t.mood >= WEAK_LINE_MOOD)
        worst_idx = [i for _, i in weak[:1]]
    worst = tuple(
        quote(turns[i], coaching.overpromise_note(overpromised[turns[i].index]) if turns[i].index in overpromised
              else coaching.fault_note(turns[i].labels))
        for i in worst_idx
    )
    return best, worst


def _tips(
    f: _Facts, hints: int, overpromises: Sequence[str] = (), chance_to_close: bool = True,
) -> tuple[str, ...]:
    """The biggest gaps first: an overpromise, poor behaviours (most harmful first), then
    missing techniques. Closing gaps only when there was a chance to close."""
    if f.n == 0:
        return (coaching.gap_tip("empty"), coaching.gap_tip("empty_next"))
    ranked: list[tuple[int, int, str]] = []
    if overpromises:
        ranked.append((OVERPROMISE_TIP_PRIORITY, 0, coaching.overpromise_tip(overpromises)))
    poor: list[tuple[int, int, str]] = []
    for rank, label in enumerate(HARM_ORDER):
        n = f.count(label)
        if n:
            priority = POOR_TIP_PRIORITY + QUOTE_SEVERITY[label] * 10 + n
            poor.append((priority, -rank, coaching.poor_tip(label, n)))
    ranked.extend(sorted(poor, key=lambda r: (-r[0], -r[1]))[:MAX_POOR_TIPS])

    gaps: list[str] = []
    acknowledged = f.has("empathy", "apology")
    remedied = f.has(*coaching.OFFER_LABELS)
    if not acknowledged:
        gaps.append("no_acknowledgement")
    elif f.n > EARLY_TURNS and (f.first(("empathy", "apology")) or 0) >= EARLY_TURNS:
        gaps.append("late_acknowledgement")
    if f.count("apology") >= APOLOGY_LOOP and not remedied:
        gaps.append("apology_loop")
    if not remedied:
        gaps.append("no_remedy")
    if not f.has("question", "paraphrase"):
        gaps.append("no_question")
    elif not f.has("paraphrase"):
        gaps.append("no_paraphrase")
    if f.has("solution") and not f.has("expectation"):
        gaps.append("no_expectation")
    heard_at, remedy_at = f.first(HEARD_LABELS), f.first(REMEDY_LABELS)
    if remedy_at is not None and (heard_at is None or remedy_at < heard_at) and acknowledged:
        gaps.append("remedy_before_heard")
    if not f.has("ownership"):
        gaps.append("no_ownership")
    if not f.has("gratitude", "follow_up"):
        gaps.append("no_closing")
    elif not f.has("follow_up"):
        gaps.append("no_follow_up")
    elif not f.has("gratitude"):
        gaps.append("no_gratitude")
    if hints >= MANY_HINTS:
        gaps.append("many_hints")
    if not chance_to_close:
        gaps = [g for g in gaps if g not in CLOSING_GAPS]
    for gap in gaps:
        ranked.append((TIP_PRIORITY[gap], 0, coaching.gap_tip(gap, n=hints)))

    ranked.sort(key=lambda r: (-r[0], -r[1]))
    tips = [text for _, _, text in ranked[:MAX_TIPS]]
    for key, stretch in coaching.STRETCH_TIPS:
        if len(tips) >= MIN_TIPS:
            break
        if key == "open_check" and f.checked_in:
            continue  # they asked already ("Is there anything else?"), whatever it was labelled
        tips.append(stretch)
    return tuple(tips)


def score(
    transcript: Transcript,
    *,
    overpromises: Sequence[tuple[int, str]] = (),
    chance_to_close: bool = True,
) -> Debrief:
    """Score a finished conversation: dimensions, overall, style, quotes and tips.

    `overpromises` are (turn, rule) pairs where the trainee offered what the persona's
    policy forbids: flagged as a tip and a worst line. `chance_to_close` is False when
    the conversation ended on the customer's acceptance with no turn left for a wrap-up;
    closing is then neither weighted nor tipped. The turn-by-turn timeline needs the
    transcript's `mood_start` (and, from a Played, the persona's weights); without it the
    debrief has none.

    Deterministic: the same transcript always gives the same debrief. Raises ValueError
    on an unknown outcome or behaviour label, which would be a bug upstream.
    """
    if isinstance(transcript, Played):
        overpromises = overpromises or transcript.overpromises
        chance_to_close = chance_to_close and transcript.chance_to_close
    over_by_turn: dict[int, str] = {}
    for turn_index, rule in overpromises:
        over_by_turn.setdefault(turn_index, rule)
    rules = list(dict.fromkeys(rule for _, rule in overpromises))
    _validate(transcript)
    turns = list(transcript.turns)
    f = _Facts(turns)
    hints = len(transcript.hints)
    counts = {lab: f.count(lab) for lab in LABELS}
    if not turns:
        return Debrief(
            score=0,
            dimensions={d: 0 for d in DIMENSIONS},
            outcome=transcript.outcome,
            style="avoiding",
            style_note=_style(f)[1],
            best=(),
            worst=(),
            tips=_tips(f, hints),
            hints_used=hints,
            turns=0,
            label_counts=counts,
        )
    graded = _graded_outcome(f, transcript.outcome)
    dims = _dimensions(f, graded)
    moments: tuple[Moment, ...] = ()
    if transcript.mood_start is not None:
        played = transcript if isinstance(transcript, Played) else None
        moments = timeline.build(
            turns, transcript.mood_start,
            weights=played.weights if played else None,
            counts_before=played.counts_before if played else None,
        )
    style, note = _style(f)
    best, worst = _quotes(turns, f, over_by_turn)
    return Debrief(
        score=_overall(dims, graded, hints, chance_to_close),
        dimensions=dims,
        outcome=transcript.outcome,
        style=style,
        style_note=note,
        best=best,
        worst=worst,
        tips=_tips(f, hints, rules, chance_to_close),
        hints_used=hints,
        turns=len(turns),
        label_counts=counts,
        timeline=moments,
    )


__all__ = ["DIMENSIONS", "Debrief", "Played", "Quote", "score"]
