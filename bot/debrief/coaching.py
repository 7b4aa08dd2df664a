"""All coaching language in one place: debrief notes, debrief tips and the /hint picker.

Scoring decides *what* to say (which gaps, which lines); this module decides *how* it is
said, so a trainer can reword every tip here without touching the rubric. Every tip
carries an example phrase: trainees under pressure copy phrasing far more readily than
they apply advice.
"""

from __future__ import annotations

import re
from typing import Mapping, Sequence

from bot.vocab import FURIOUS, HARM_ORDER, UPSET

# Any of these means the trainee has offered the customer a way forward.
OFFER_LABELS: tuple[str, ...] = ("solution", "tactful_no", "escalation_offer")

# --- Debrief quote notes -------------------------------------------------------------

# What a good line showed, as a verb phrase ("Named the feeling and took ownership.").
PRAISE: Mapping[str, str] = {
    "paraphrase": "restated the problem to check understanding",
    "tactful_no": "said no with a reason and an alternative",
    "empathy": "named the customer's feeling",
    "ownership": "took ownership",
    "boundary": "set a respectful limit and kept helping",
    "follow_up": "committed to checking back",
    "solution": "offered a concrete remedy",
    "expectation": "set a clear timeline",
    "apology": "apologised sincerely",
    "question": "asked a clarifying question",
    "escalation_offer": "offered to bring in a specialist",
    "gratitude": "thanked the customer",
    "greeting": "opened warmly",
}

# What a poor line did (a verb phrase that reads after "You ..."), and why it hurts.
FAULT: Mapping[str, str] = {
    "rude": "spoke rudely to the customer",
    "blame": "blamed the customer",
    "dismissive": "brushed off the customer's feelings",
    "argue": "argued with the customer's account",
    "stonewall": "refused with no alternative",
    "defensive": "made excuses",
}
CONSEQUENCE: Mapping[str, str] = {
    "rude": "it breaks trust and sends anger up fastest",
    "blame": "it raises their anger",
    "dismissive": "it tells them their feelings don't matter",
    "argue": "it turns the call into a contest",
    "stonewall": "it leaves them nowhere to go but up the chain",
    "defensive": "it tells the customer nobody is taking charge",
}
WEAK_NOTE = "Gave an upset customer nothing to hold on to — acknowledge them before the next step."

# --- Debrief tips ----------------------------------------------------------------------

# What to do instead of each poor behaviour, with a phrase to use.
INSTEAD: Mapping[str, str] = {
    "rude": "Stay neutral and warm even under pressure: 'I hear you — let's fix this together.'",
    "blame": "Focus on the fix, not on whose fault it was: 'Let's get this sorted — here's what I can do.'",
    "dismissive": "Validate the feeling instead of minimising it: 'I understand why this is upsetting.'",
    "argue": "Acknowledge their account, then check the facts together: "
    "'Thanks for explaining — let me look at what our records show.'",
    "stonewall": "Never leave a bare no — give the reason and an alternative: "
    "'I can't refund that, but I can send a replacement today.'",
    "defensive": "Skip the excuses and own the next step: 'I'll take this on and chase it for you myself.'",
}

# Gaps the debrief can point out, by id. Scoring picks and orders them.
GAP_TIPS: Mapping[str, str] = {
    "no_acknowledgement": "Acknowledge the feeling before fixing anything: "
    "'I can see why this is so frustrating, and I'm sorry it happened.'",
    "late_acknowledgement": "Acknowledge in your first or second message, not only at the end: "
    "'That sounds really stressful — let's sort it out.'",
    "no_question": "Ask at least one open question before you fix: "
    "'Can you walk me through what happened when you tried?'",
    "no_paraphrase": "Restate the problem to prove you heard it: "
    "'So if I've got this right, … — is that correct?'",
    "no_remedy": "Offer a concrete remedy or a choice of two: "
    "'I can send a replacement today or refund you in full — which would you prefer?'",
    "apology_loop": "One sincere apology is enough — then move to action: "
    "'I'm sorry about this. Here's what I'm doing right now.'",
    "no_expectation": "Give the remedy a timeline so they know what happens next: "
    "'The refund will reach your card within 3 to 5 business days.'",
    "remedy_before_heard": "Make the customer feel heard before offering the fix: "
    "'That must have been annoying. Here's what I can do.'",
    "no_ownership": "Take ownership instead of staying neutral: "
    "'That's our mistake, and I'll take care of it myself.'",
    "no_closing": "Close the loop — thank them and commit to a check-back: "
    "'Thank you for your patience; I'll email you on Friday to confirm it arrived.'",
    "no_gratitude": "Thank the customer before you close: "
    "'Thanks for bearing with me while I sorted this out.'",
    "no_follow_up": "Commit to checking back: 'I'll call you tomorrow to make sure it's working.'",
    "many_hints": "You used {n} hints. Before asking for one, run the checklist yourself: "
    "acknowledge, ask, restate, fix with a timeline, thank.",
    "empty": "Have a go — even one line counts: "
    "'Hi, I'm Sam from support. I'm sorry about the trouble; can you tell me what happened?'",
    "empty_next": "Then follow the basic path: acknowledge the feeling, ask what happened, "
    "offer a fix with a timeline, and thank them.",
}

# Stretch tips for a conversation with few gaps, so the debrief always coaches something.
# Keyed, so a move the trainee already made is never suggested to them.
STRETCH_TIPS: tuple[tuple[str, str], ...] = (
    ("sum_up", "Before closing, sum up the fix and the next step in one line: "
     "'So: the replacement ships today, arrives Thursday, and I'll check in Friday.'"),
    ("open_check", "End with an open check so nothing is left unsaid: 'Is there anything else I can help with today?'"),
    ("own_words", "Use the customer's own words once when you restate the problem: "
     "it shows you listened, not just processed it."),
)


def _times(n: int) -> str:
    return "once" if n == 1 else "twice" if n == 2 else f"{n} times"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def praise_note(labels: Sequence[str]) -> str:
    """One sentence on why a line was good, from its two most valuable behaviours.

    Labels come in value order. Solution is dropped next to tactful_no because the
    tactful-no wording already says an alternative was offered.
    """
    picked = [lab for lab in labels if lab in PRAISE]
    if "tactful_no" in picked and "solution" in picked:
        picked.remove("solution")
    parts = [PRAISE[lab] for lab in picked[:2]]
    if not parts:
        return "A solid line."
    return _cap(" and ".join(parts)) + "."


def fault_note(labels: Sequence[str]) -> str:
    """One sentence on why a line hurt: what it did, and the cost of the worst part."""
    picked = [lab for lab in HARM_ORDER if lab in labels]
    if not picked:
        return WEAK_NOTE
    parts = [FAULT[lab] for lab in picked[:2]]
    return f"{_cap(' and '.join(parts))} — {CONSEQUENCE[picked[0]]}."


def overpromise_note(rule: str) -> str:
    """Why a line that offered what policy forbids is among the worst."""
    return f"Promised what policy forbids ({rule}) — the customer will hold you to it."


def overpromise_tip(rules: Sequence[str]) -> str:
    """A debrief tip for offering what policy forbids: a tactful no was the real choice."""
    return (
        f"You offered what policy forbids ({'; '.join(rules)}). The customer now expects it. "
        "Say no with the reason and an alternative you may offer: "
        "'I can't do that, because …, but what I can do is …'"
    )


def poor_tip(label: str, count: int) -> str:
    """A debrief tip for a poor behaviour: what happened, how often, and what to say instead."""
    return f"You {FAULT[label]} {_times(count)}. {INSTEAD[label]}"


def gap_tip(gap: str, n: int = 0) -> str:
    """The tip for a gap; n fills in counts where the text has {n} (e.g. hints used)."""
    return GAP_TIPS[gap].replace("{n}", str(n))


# --- The /hint picker ------------------------------------------------------------------


# Situational hints: short, in the moment, each with a phrase to say next.
HINTS: Mapping[str, str] = {
    "acknowledge_angry": "Acknowledge the feeling before fixing anything: "
    "'I can see why this is so frustrating.'",
    "acknowledge": "Start by acknowledging the problem: 'I'm sorry about the trouble you've had with this.'",
    "ask": "Ask one open question to understand the problem: 'Can you walk me through what happened?'",
    "paraphrase": "They're still furious — show you heard by restating it: "
    "'So if I've got this right, … — is that correct?'",
    "remedy": "You've heard them — now offer a concrete remedy with a timeline: "
    "'Here's what I'll do for you right now: … and you'll have it by …'",
    "timeline": "Tell them when and how the fix happens: 'You'll get a confirmation email within the hour.'",
    "ownership": "Take ownership so they know someone is on it: "
    "'That's on us, and I'll see it through personally.'",
    "escalation": "They're still furious after a real remedy — offer the next level: "
    "'If you'd like, I can bring in my supervisor.'",
    "close": "You're near the end — thank them and commit to a check-back: "
    "'Thank you for your patience; I'll email you tomorrow to confirm it's done.'",
    "thank": "Thank them before you wrap up: 'Thank you for bearing with me on this.'",
    "follow_up": "Commit to a check-back before you wrap up: 'I'll call you Friday to make sure it's working.'",
    "wrap_up": "You're on track — check nothing is left: 'Is there anything else I can help with?'",
}

# Example phrases to attach to a persona author's hint that names the technique but
# gives no wording. Keyed by topic.
EXAMPLES: Mapping[str, str] = {
    "tactful_no": "I can't do that, because …, but what I can do is …",
    "boundary": "I want to help you, but I need us to keep this respectful.",
    "escalation": "If you'd like, I can bring in my supervisor.",
    "acknowledge": "I can see why this is so frustrating.",
    "paraphrase": "So if I've got this right, … — is that correct?",
    "ask": "Can you walk me through what happened?",
    "timeline": "You'll see it within 3 to 5 business days.",
    "ownership": "That's our mistake, and I'll take care of it myself.",
    "remedy": "Here's what I can do for you right now: …",
    "close": "Thank you for your patience; I'll check back tomorrow.",
}

# How to recognise which technique a persona author's hint is about. Checked in this
# order (the first match wins), so the narrow topics come before the broad ones.
_TOPIC_WORDS: tuple[tuple[str, str], ...] = (
    ("tactful_no", r"can[’']?t|cannot|impossible|not possible|say no|declin\w*|refus\w*|policy"),
    ("boundary", r"abus\w*|swear\w*|respect\w*|boundar\w*|insult\w*|language"),
    ("escalation", r"supervisor|manager|escalat\w*|specialist"),
    ("acknowledge", r"acknowledg\w*|feel\w*|frustrat\w*|stress\w*|upset|empath\w*|validat\w*|apolog\w*|sorry"),
    ("paraphrase", r"restat\w*|paraphras\w*|repeat\w* back|summar\w*"),
    ("ask", r"ask\w*|question\w*|find out|clarif\w*"),
    ("timeline", r"timeline|when|how long|next steps?"),
    ("ownership", r"ownership|own it|responsib\w*|our mistake"),
    ("remedy", r"offer\w*|fix\w*|solution|remedy|refund\w*|replace\w*"),
    ("close", r"thank\w*|follow[ -]?up|check back|wrap\w*|clos\w*"),
)
# An author hint that already quotes wording ("Say: 'I hear you'") needs no example;
# an apostrophe inside a word ("She's") is not a quote.
_QUOTED = re.compile(r"(?:^|[\s:(])['\"‘“]\w")
_TOPIC_RES = tuple((topic, re.compile(rf"\b(?:{words})\b", re.IGNORECASE)) for topic, words in _TOPIC_WORDS)


def topic_of(text: str) -> str | None:
    """Which technique a free-text hint is about, or None if it names none we know."""
    for topic, rx in _TOPIC_RES:
        if rx.search(text):
            return topic
    return None


def _has(done: Mapping[str, int], *labels: str) -> bool:
    return any(done.get(lab, 0) > 0 for lab in labels)


def _pick(done: Mapping[str, int], mood: int, last: Sequence[str]) -> tuple[str, str]:
    """The most useful next move as (kind, text); kind is 'correct' or a HINTS key.

    Order: fix what just went wrong, then the standard path (acknowledge, ask, restate
    if still hot, remedy, timeline, own it), then closing. A step already done is
    skipped, so the tip always moves them on.
    """
    for label in HARM_ORDER:
        if label in last:
            return "correct", f"In your last message you {FAULT[label]}. {INSTEAD[label]}"
    acknowledged = _has(done, "empathy", "apology")
    remedied = _has(done, *OFFER_LABELS)
    if not acknowledged:
        key = "acknowledge_angry" if mood >= UPSET else "acknowledge"
        return key, HINTS[key]
    if not remedied:
        if not _has(done, "question", "paraphrase"):
            return "ask", HINTS["ask"]
        if mood >= FURIOUS and not _has(done, "paraphrase"):
            return "paraphrase", HINTS["paraphrase"]
        return "remedy", HINTS["remedy"]
    if _has(done, "solution") and not _has(done, "expectation"):
        return "timeline", HINTS["timeline"]
    if mood >= FURIOUS:
        if not _has(done, "ownership"):
            return "ownership", HINTS["ownership"]
        if not _has(done, "escalation_offer"):
            return "escalation", HINTS["escalation"]
    if mood < UPSET:
        thanked, followed = _has(done, "gratitude"), _has(done, "follow_up")
        if not thanked and not followed:
            return "close", HINTS["close"]
        if not thanked:
            return "thank", HINTS["thank"]
        if not followed:
            return "follow_up", HINTS["follow_up"]
        return "wrap_up", HINTS["wrap_up"]
    if not _has(done, "ownership"):
        return "ownership", HINTS["ownership"]
    return "wrap_up", HINTS["wrap_up"]


def hint_for(
    done: Mapping[str, int],
    mood: int,
    last_labels: Sequence[str],
    state_hint: str | None = None,
) -> str:
    """One concrete coaching tip for the situation right now.

    done: how often each label was shown so far; mood: customer anger 0-100;
    last_labels: the labels of the trainee's latest message; state_hint: the persona
    author's tip for the current state (which knows what the labels cannot, such as a
    demand that can't be met).

    The author's hint knows the scenario, so it leads. It is combined with ours when
    ours adds something: a correction of the last message or a missing acknowledgement
    of an upset customer comes first (that is what will hurt next), and an author hint
    that names a technique without wording gets an example phrase.
    """
    kind, text = _pick(done, mood, last_labels)
    author = (state_hint or "").strip()
    if not author:
        return text
    topic = topic_of(author)
    if kind == "correct" or (kind == "acknowledge_angry" and topic != "acknowledge"):
        return f"{text} Then: {author}"
    if topic and not _QUOTED.search(author):
        return f"{author} Try: '{EXAMPLES[topic]}'"
    return author


# --- The turn-by-turn timeline --------------------------------------------------------

# What a behaviour did to the customer, as a verb phrase after an implied "you"
# ("calmed 18 points: named the customer's feelings and apologised"). {who} is the
# customer as the persona names them.
MOVED: Mapping[str, str] = {
    "greeting": "opened warmly",
    "empathy": "named {who}'s feelings",
    "apology": "apologised",
    "ownership": "took ownership",
    "question": "asked a question",
    "paraphrase": "restated the problem",
    "solution": "offered a fix",
    "expectation": "said what happens next",
    "tactful_no": "said no with an alternative",
    "gratitude": "thanked {who}",
    "follow_up": "promised to check back",
    "escalation_offer": "offered a specialist",
    "boundary": "set a respectful limit",
    "blame": "blamed {who}",
    "defensive": "made excuses",
    "dismissive": "brushed off {who}'s feelings",
    "argue": "argued with {who}",
    "rude": "were rude",
    "stonewall": "refused with no alternative",
}
# The same behaviours as nouns, for what pulled the other way ("the excuses cost 8").
MOVED_NOUN: Mapping[str, str] = {
    "greeting": "the greeting",
    "empathy": "the empathy",
    "apology": "the apology",
    "ownership": "taking ownership",
    "question": "the question",
    "paraphrase": "the restatement",
    "solution": "the fix offered",
    "expectation": "the timeline",
    "tactful_no": "the tactful no",
    "gratitude": "the thanks",
    "follow_up": "the promise to check back",
    "escalation_offer": "the offer of a specialist",
    "boundary": "the limit",
    "blame": "the blame",
    "defensive": "the excuses",
    "dismissive": "brushing off their feelings",
    "argue": "the arguing",
    "rude": "the rudeness",
    "stonewall": "the flat refusal",
}
NOTHING_MOVED = "said nothing {who} could use"
MAX_NAMED_MOVES = 3  # behaviours named per side; more reads as a list, not a reason


def _and(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _points(n: float) -> str:
    n = abs(round(n))
    return f"{n} point" if n == 1 else f"{n} points"


def move_reason(
    delta: int,
    mood_before: int,
    effects: Sequence[tuple[str, float, bool]],
    who: str = "the customer",
) -> str:
    """Why the customer moved on one turn, in the trainee's terms.

    `effects` are (label, points, repeated) from the strongest: what the message's
    behaviours added to anger (negative calms), and whether a good behaviour was
    repeated (and so counted for less). A label outside the vocabulary stands for a
    message with no behaviour. The side that won is named as what you did; the side
    that lost as what it cost or won back, so a mixed message reads honestly.
    """
    def did(label: str, repeated: bool) -> str:
        phrase = MOVED.get(label, NOTHING_MOVED).format(who=who)
        return phrase + " again" if repeated and label in MOVED else phrase

    up = [(lab, p, r) for lab, p, r in effects if p > 0]
    down = [(lab, p, r) for lab, p, r in effects if p < 0]
    total = sum(p for _, p, _ in effects)
    if delta < 0 or (delta == 0 and total < 0):
        main, other, won = down, up, False
    else:
        main, other, won = up, down, True
    main_text = _and([did(lab, r) for lab, _, r in main[:MAX_NAMED_MOVES]]) if main else ""
    other_text = ""
    if other and any(lab in MOVED_NOUN for lab, _, _ in other):
        nouns = _and([MOVED_NOUN[lab] for lab, _, _ in other[:MAX_NAMED_MOVES] if lab in MOVED_NOUN])
        cost = sum(p for _, p, _ in other)
        if round(abs(cost)):
            other_text = f"{nouns} {'won back' if won else 'cost'} {round(abs(cost))}"
    if delta == 0:
        if not main_text:
            neutral = [did(lab, r) for lab, p, r in effects if p == 0 and lab in MOVED]
            if neutral:  # a behaviour the persona weighs at nothing, e.g. a tactful no
                return f"no change: {_and(neutral[:MAX_NAMED_MOVES])}, which did not move {who}"
            return "no change: nothing in the message moved " + who
        if total < 0 and mood_before == 0:
            return f"no change: {main_text}, but {who} was already fully calm"
        if total > 0 and mood_before == 100:
            return f"no change: {main_text}, but {who} was already as angry as can be"
        if other:
            return f"no change: {main_text}, but {_and([MOVED_NOUN.get(lab, lab) for lab, _, _ in other[:2]])} cancelled it out"
        if any(r for _, _, r in main):
            return f"no change: {main_text}, which counts for little by now"
        return f"no change: {main_text}, which did not move {who}"
    head = f"{'calmed' if delta < 0 else 'angered'} {_points(delta)}"
    if not main_text:  # the mood moved against every behaviour: only a persona change does that
        return head
    text = f"{head}: {main_text}"
    if other_text:
        text += f"; {other_text}"
    after = mood_before + delta
    if after in (0, 100) and abs(delta) < abs(round(total)):  # the scale ran out before the move did
        text += f"; {who} could not get {'calmer' if after == 0 else 'angrier'}"
    return text
