"""personas/schema.json, built from the loader's own tables.

Editors (yaml-language-server, JetBrains) read the JSON Schema to complete keys and
underline mistakes as a trainer types. Written by hand it drifted from what
`hotseat personas validate` accepts; built from the same tables the loader checks
against (its keys, vocab's labels, bands and endings, the guards, the default
weights, the limits), it cannot. Only the hover text lives here, as it is for people.

Regenerate after changing any of those tables:

    python -m bot.persona.schema            # writes personas/schema.json
    python -m bot.persona.schema --check    # exit 1 if the file is out of date

tests/test_persona_schema.py fails, saying so, when the committed file is stale.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from bot.core.mood import DEFAULT_WEIGHTS, NOTHING
from bot.persona import guards, loader, selftest
from bot.vocab import BANDS, ENDINGS, FURIOUS, GOOD, LABELS, OUTCOMES, UPSET

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "personas" / "schema.json"
REGENERATE = "python -m bot.persona.schema"
DRAFT = "https://json-schema.org/draft/2020-12/schema"


# Text the editor asks to keep on one line, as pickers show it so. The loader accepts
# more (files written before the schema existed must keep loading), so this is the
# schema's own rule, not a table of the loader's.
ONE_LINE = ("scenario",)


class SchemaOutOfStep(Exception):
    """A table names something this file has no hover text or shape for."""


# --- hover text: what an editor shows over a key ----------------------------------------
# Descriptions are str.format()ed with the tables' numbers ({lo}, {hi}, {bands}, ...), so a
# literal brace is written {{ }}.

# What "the trainee ..." does to show each behaviour, as in docs/behaviours.md.
BEHAVIOURS = {
    "greeting": "opens warmly, introduces themself, or thanks the customer for getting in touch",
    "empathy": "names or validates the customer's feelings or situation",
    "apology": "apologises sincerely for the problem or the inconvenience",
    "ownership": "takes responsibility, for the company or personally",
    "question": "asks a clarifying or open question about the problem or what the customer needs",
    "paraphrase": "restates the customer's problem to confirm understanding",
    "solution": "offers a concrete remedy, options, or a plan of action",
    "expectation": "gives a timeline or the next steps",
    "tactful_no": "declines a request while explaining why, usually with an alternative",
    "gratitude": "thanks the customer (for patience, for raising it, for their business)",
    "follow_up": "commits to checking back later",
    "escalation_offer": "offers to bring in a supervisor or specialist",
    "boundary": "sets a respectful limit on abusive language while staying willing to help",
    "blame": "puts the fault on the customer",
    "defensive": "makes excuses or pushes responsibility to others or to circumstances",
    "dismissive": "minimises or invalidates the customer's feelings",
    "argue": "contradicts the customer's account or argues with them",
    "rude": "is rude: insults, sarcasm, profanity, condescension or hostility",
    "stonewall": "refuses with no alternative, or shuts the conversation down",
}
NOTHING_HOVER = "a message that shows no behaviour at all (vagueness feels like stonewalling)"

TOP = {  # key: (title, description)
    "id": (
        "Persona id",
        "Unique id, what trainees type to pick this customer (e.g. /hotseat start double-billing). "
        "Lowercase letters, digits and single dashes.",
    ),
    "name": ("Customer name", "The customer's name, e.g. Dana Whitfield."),
    "scenario": ("Scenario", "One line shown in the persona picker: who the customer is and what went wrong."),
    "brief": (
        "Trainee brief",
        "What the trainee reads before the first line: the situation and what the customer wants, "
        "without giving the answer away.",
    ),
    "difficulty": ("Difficulty", "{d_lo} gentle .. {d_hi} hardest."),
    "industry": ("Industry", "The kind of business, e.g. streaming subscription."),
    "tags": ("Tags", "Optional short words for filtering, e.g. [billing, refund]."),
    "mood": ("Mood", "The customer's anger, {mood_lo} calm to {mood_hi} furious: where it starts and how behaviours move it."),
    "facts": ("Facts", "What the customer answers when the trainee asks about it."),
    "reactions": (
        "Reactions",
        "What the customer says when the trainee shows a behaviour, in any state. The customer reacts "
        "to the most telling behaviour of a message (poor ones before good ones).",
    ),
    "wants": (
        "Wants",
        "What the customer came for (e.g. a refund of the duplicate charge), with the words that name it. When the "
        "trainee offers it the customer takes it (`answer`); when the trainee refuses it with nothing else on the "
        "table, the customer meets that as a refusal (`refused`). See docs/personas-offers.md.",
    ),
    "accepts": (
        "Accepts",
        "What the customer would take instead (credit, an exchange, a manager's callback): answered in character, "
        "gladly or haggling, when the trainee offers it, also as the alternative to a refusal.",
    ),
    "rejects": (
        "Rejects",
        "What the customer turns down (a voucher, another callback), with the reason as the `answer`. A line that "
        "offers only these never ends the conversation well.",
    ),
    "policy": (
        "Policy",
        "The agent's side, shown to the trainee in the brief: what they may offer and what policy forbids. "
        "Offering something forbidden is an overpromise: the debrief flags it and the customer holds them to it.",
    ),
    "unsure": (
        "Unsure lines",
        "What the customer says to a question it has no fact for (\"What do you mean?\"). Optional: Hotseat has "
        "default lines per mood band.",
    ),
    "repeated": (
        "Repeated lines",
        "What the customer says when the trainee repeats a line (\"You said that already.\"). Optional: Hotseat has "
        "default lines.",
    ),
    "closing": (
        "Closing",
        "Once the customer accepts (enters a state with outcome resolved) the conversation stays open one more "
        "turn for the trainee's wrap-up, and ends on the customer's goodbye: these `goodbye` lines, or without "
        "this section a plain default one.",
    ),
    "start": ("Start state", "The state of the opening line; must be one of the names under `states`."),
    "anywhere": (
        "Transitions from anywhere",
        "Transitions tried first, from every state, before the state's own (e.g. patience running out, mood too high).",
    ),
    "states": (
        "States",
        "The customer's states by name. A state with `outcome` ends the conversation; the others need a way out.",
    ),
    "tests": (
        "Tests",
        "Cases `hotseat personas test` plays through the real classifier and engine: trainee lines and how the "
        "conversation must end. They never stop the persona loading; see docs/persona-tests.md.",
    ),
}
OFFER = {
    "topic": ("Topic", "A name for it, e.g. refund; the debrief and checks use it."),
    "named_by": (
        "Named by",
        "Words or short phrases that name this offer in the trainee's line, matched like `asked_by` (whole words, "
        "chat shorthand and small typos tolerated; `?` makes the letter before it optional). A line naming it is "
        "an offer when worded or labelled as one, and a refusal when negated (\"I can't refund that\").",
    ),
    "answer": ("Answer", "What the customer says when the trainee offers it: text, a list, or lines per mood band."),
    "refused": (
        "Refused",
        "What the customer says when the trainee says no to it with no alternative. Optional: default lines exist.",
    ),
    "in_state": (
        "Answer in a state",
        "State name: lines that replace `answer` in that state, so the same offer can land differently "
        "(e.g. before the customer feels heard).",
    ),
}
POLICY = {
    "may_offer": ("May offer", "What the agent may offer, one item each, as the trainee's brief shows it."),
    "forbidden": ("Forbidden", "What policy forbids the agent to offer; offering one is flagged in the debrief."),
}
RULE = {
    "rule": ("Rule", "What is forbidden, as the brief shows it, e.g. refunds after 30 days."),
    "named_by": ("Named by", "Words that offer the forbidden thing in the trainee's line, matched like `named_by` of an offer."),
    "held": (
        "Held",
        "What the customer says when the trainee backs out of the forbidden thing they offered. Optional: "
        "default lines exist.",
    ),
}
CLOSING = {
    "goodbye": ("Goodbye", "What the customer says as the conversation closes, after the trainee's wrap-up."),
}

# One persona test case (bot/persona/selftest.py).
TEST_CASE = {
    "name": ("Case name", "A short description, shown with ✓ or ✗, e.g. an excellent agent resolves it."),
    "lines": ("Trainee lines", "The trainee's messages, in order; play stops when the conversation ends."),
    "outcome": ("Expected outcome", "How the conversation must end: one of {outcomes}, or a list of them (any one passes). "
                "Lines running out before an ending is unfinished."),
    "state": ("Expected state", "Optional: the state the conversation must end in."),
    "mood": ("Expected mood", "Optional: the final mood as [low, high], both ends included, e.g. [0, 40]."),
    "says": ("Customer says", "Optional: a phrase the customer's last line must contain (case-insensitive)."),
    "topic": ("Topic", "Optional: the customer's last line must answer the fact or offer with this topic."),
    "seed": ("Seed", "Optional: the customer's random choices (default {seed}, as `hotseat simulate`)."),
    "xfail": ("Known failure", "Optional: why this case fails today; it is reported but not held against the persona."),
}
MOOD = {
    "start": ("Starting mood", "Anger at the first line, {lo} calm to {hi} furious. Bands: {bands}."),
    "weights": (
        "Mood weights",
        "Overrides of the default weights: how much one behaviour moves the anger (negative calms). "
        "A good behaviour repeated counts for less each time. `nothing` is the weight of a message "
        "that shows no behaviour.",
    ),
}
FACT = {
    "topic": ("Topic", "A name for you, e.g. charges."),
    "asked_by": (
        "Asked by",
        "Words or short phrases: the fact is answered when the trainee's message mentions one of them "
        '(case-insensitive, whole words; `?` makes the letter before it optional, as in "log ?in").',
    ),
    "answer": ("Answer", "What the customer says: text, a list, or lines per mood band."),
}
STATE = {
    "lines": (
        "Lines",
        "What the customer says in this state: a list, or lines per mood band. In a terminal state, the closing line.",
    ),
    "hint": ("Hint", "The coaching tip /hint gives the trainee in this state."),
    "example": (
        "Example line",
        "A trainee line that would work in this state; /hint quotes it instead of a generic example, so a hint "
        "never borrows wording from another scenario.",
    ),
    "no_return": (
        "Point of no return",
        "true marks this state as deliberately unrecoverable: `validate` then does not require a way back to resolved from it.",
    ),
    "transitions": ("Transitions", "Tried in order after the `anywhere` list; the first whose `on` and `if` match is taken."),
    "outcome": ("Outcome", "Makes this a terminal state: the conversation ends on entering it."),
}
TRANSITION = {
    "to": ("To", "The state to move to."),
    "on": ("On behaviours", "Taken when any one of these behaviours is in the message. Leave out to match any message."),
    "if": ("If", "Guards that must all hold: {guards}."),
}
GUARDS = {
    "mood_below": "Holds when the mood after this message is below this number ({lo}-{hi}).",
    "mood_at_least": "Holds when the mood after this message is this number or more ({lo}-{hi}).",
    "turn_at_least": "Holds from the trainee's Nth message on (patience). Counts include the message being answered.",
    "turn_below": "Holds while this is earlier than the trainee's Nth message (turn_below: 3 = the first two messages).",
    "shown": "Holds when the trainee has shown every one of these behaviours at least once (this message included).",
    "not_shown": "Holds when the trainee has shown none of these behaviours yet (this message included).",
    "count_at_least": "Holds when each listed behaviour has been shown at least that often, e.g. {{stonewall: 2}}.",
}


# --- building ---------------------------------------------------------------------------


def _hover(table: Mapping[str, Any], name: str, where: str) -> Any:
    try:
        return table[name]
    except KeyError:
        raise SchemaOutOfStep(
            f"{name!r} is in the loader's tables but has no hover text: add it to {where} "
            f"in bot/persona/schema.py, then run {REGENERATE}"
        ) from None


def _covered(names: Iterable[str], table: Mapping[str, Any], where: str) -> None:
    for name in names:
        _hover(table, name, where)


def _ref(name: str) -> dict:
    return {"$ref": f"#/$defs/{name}"}


def _titled(title: str, description: str, body: dict) -> dict:
    return {"title": title, "description": description, **body}


def _obj(properties: dict, required: Iterable[str] = (), **more: Any) -> dict:
    out: dict[str, Any] = {"type": "object", "additionalProperties": False}
    if required:
        out["required"] = list(required)
    out.update(more)
    out["properties"] = properties
    return out


def _keyed(keys: Iterable[str], table: Mapping[str, tuple[str, str]], where: str, shapes: Mapping[str, dict],
           **fmt: Any) -> dict:
    """Properties for `keys`, in the loader's order, each with its hover text and shape."""
    out = {}
    for key in keys:
        title, description = _hover(table, key, where)
        shape = _hover(shapes, key, f"the shapes for {where}")
        out[key] = _titled(title, description.format(**fmt), shape)
    return out


def _bands() -> dict[str, str]:
    """Each mood band's range, as 'lo-hi', from the thresholds the engine uses."""
    lo, hi = guards.MOOD_RANGE
    edges = [lo, UPSET, FURIOUS, hi + 1]
    if len(BANDS) != len(edges) - 1:
        raise SchemaOutOfStep(f"bot/vocab.py has {len(BANDS)} mood bands but 2 thresholds; update _bands()")
    return {band: f"{edges[i]}-{edges[i + 1] - 1}" for i, band in enumerate(BANDS)}


def _guard_param(kind: str) -> dict:
    counts = {
        label: _titled(f"{label} count", f"Times the trainee must have shown {label} (this message included).",
                       {"type": "integer", "minimum": guards.MIN_COUNT})
        for label in LABELS
    }
    shapes: dict[str, Callable[[], dict]] = {
        "mood": lambda: _ref("moodNumber"),
        "turns": lambda: {"type": "integer", "minimum": guards.MIN_TURN},
        "behaviours": lambda: _ref("behaviourList"),
        "counts": lambda: _obj(counts, minProperties=1),
    }
    return _hover(shapes, kind, "the guard parameter shapes (_guard_param)")()


def build() -> dict:
    """The schema as a dict, from the current tables."""
    _covered(LABELS, BEHAVIOURS, "BEHAVIOURS")
    mood_lo, mood_hi = guards.MOOD_RANGE
    w_lo, w_hi = loader.WEIGHT_RANGE
    d_lo, d_hi = loader.DIFFICULTY
    bands = _bands()
    bands_said = ", ".join(f"{b} {r}" for b, r in bands.items())
    bands_brief = ", ".join(f"{b} ({r})" for b, r in bands.items())
    text = {"type": "string", "minLength": 1, "maxLength": loader.MAX_TEXT}

    def handling(label: str) -> str:
        return "good handling" if label in GOOD else "poor handling"

    weights = {}
    for label in DEFAULT_WEIGHTS:
        doing = NOTHING_HOVER if label == NOTHING else f"the trainee {_hover(BEHAVIOURS, label, 'BEHAVIOURS')}"
        when = "for" if label == NOTHING else "when"
        weights[label] = _titled(
            f"{label} weight",
            f"Mood change {when} {doing}. Default {DEFAULT_WEIGHTS[label]:+d}.",
            {"type": "integer", "minimum": w_lo, "maximum": w_hi},
        )

    guard_props = {
        name: _titled(name, _hover(GUARDS, name, "GUARDS").format(lo=mood_lo, hi=mood_hi), _guard_param(spec.param))
        for name, spec in guards.GUARDS.items()
    }

    top_shapes = {
        "id": {"type": "string", "pattern": loader.ID_RE.pattern, "examples": ["double-billing"]},
        "difficulty": {"type": "integer", "minimum": d_lo, "maximum": d_hi},
        "tags": {"type": "array", "items": _titled("Tag", "A short word.", _ref("text"))},
        "mood": _obj(
            _keyed(loader.MOOD_KEYS, MOOD, "MOOD", {"start": _ref("moodNumber"), "weights": _ref("weights")},
                   lo=mood_lo, hi=mood_hi, bands=bands_said),
            loader.REQUIRED_MOOD,
        ),
        "facts": {"type": "array", "items": _ref("fact")},
        "reactions": _ref("reactions"),
        "start": _ref("stateName"),
        "anywhere": {"type": "array", "items": _ref("transition")},
        "states": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": _ref("stateName"),
            "additionalProperties": _ref("state"),
        },
        "tests": {"type": "array", "maxItems": selftest.MAX_CASES, "items": _ref("testCase")},
        "wants": {"type": "array", "items": _ref("offer")},
        "accepts": {"type": "array", "items": _ref("offer")},
        "rejects": {"type": "array", "items": _ref("offer")},
        "policy": _obj(_keyed(loader.POLICY_KEYS, POLICY, "POLICY", {
            "may_offer": {"type": "array", "minItems": 1, "items": _titled("Item", "Something the agent may offer.", _ref("text"))},
            "forbidden": {"type": "array", "minItems": 1, "items": _ref("rule")},
        })),
        "unsure": _ref("lines"),
        "repeated": _ref("lines"),
        "closing": _obj(_keyed(loader.CLOSING_KEYS, CLOSING, "CLOSING", {"goodbye": _ref("answer")}), loader.REQUIRED_CLOSING),
    }
    for key in ("name", "scenario", "brief", "industry"):
        top_shapes[key] = _ref("oneLine" if key in ONE_LINE else "text")

    defs: dict[str, Any] = {
        "text": _titled(
            "Text",
            "Non-empty text (quote it if it starts with a special character such as : { [ * & ! or #).",
            {**text, "pattern": "\\S"},
        ),
        "oneLine": _titled("One line of text", "Non-empty text on a single line.",
                           {**text, "pattern": "^[^\\n]*\\S[^\\n]*\\n?$"}),
        "moodNumber": _titled(
            "Mood", f"Anger from {mood_lo} (calm) to {mood_hi} (furious).",
            {"type": "integer", "minimum": mood_lo, "maximum": mood_hi},
        ),
        "stateName": _titled("State name", "One word: letters, digits, _ or -.",
                             {"type": "string", "pattern": loader.STATE_NAME_RE.pattern}),
        "behaviour": _titled(
            "Behaviour", f"One of the {len(LABELS)} behaviour labels of docs/behaviours.md.",
            {"type": "string", "enum": list(LABELS)},
        ),
        "behaviourList": _titled("Behaviours", "A list of behaviour labels, e.g. [empathy, apology].",
                                 {"type": "array", "minItems": 1, "items": _ref("behaviour")}),
        "weights": _titled(
            "Mood weights",
            "Behaviour (or `nothing`): how many points it moves the anger. Negative calms, positive angers.",
            _obj(weights),
        ),
        "lineList": _titled(
            "Lines", "One or more lines; the customer picks one, never repeating while an unused one remains.",
            {"type": "array", "minItems": 1, "items": _titled("Line", "Something the customer says.", _ref("text"))},
        ),
        "bandedLines": _titled(
            "Lines per mood band",
            f"Lines per mood band: {bands_brief}. A band without lines borrows from the nearest band that has some.",
            _obj({
                band: _titled(f"{band} lines", f"Lines for mood {r}. A band without lines borrows from the nearest band.",
                              _ref("lineList"))
                for band, r in bands.items()
            }, minProperties=1),
        ),
        "lines": _titled("Lines", "A list of lines, or lines per mood band (calm, upset, furious).",
                         {"anyOf": [_ref("lineList"), _ref("bandedLines")]}),
        "answerBand": _titled("Answer lines", "One line, or a list of lines.",
                              {"anyOf": [_ref("text"), _ref("lineList")]}),
        "answer": _titled(
            "Answer", "What the customer says when asked: one line, a list of lines, or lines per mood band.",
            {"anyOf": [
                _ref("text"),
                _ref("lineList"),
                _titled(
                    "Answer per mood band",
                    f"The answer per mood band: {bands_brief}. A band without lines borrows from the nearest band.",
                    _obj({
                        band: _titled(f"{band} answer", f"The answer for mood {r}. One line or a list.", _ref("answerBand"))
                        for band, r in bands.items()
                    }, minProperties=1),
                ),
            ]},
        ),
        "fact": _titled(
            "Fact",
            "Something the customer answers when the trainee asks about it (in a question, a paraphrase, "
            "or a message with '?').",
            _obj(_keyed(loader.FACT_KEYS, FACT, "FACT", {
                "topic": _ref("text"),
                "asked_by": {"type": "array", "minItems": 1,
                             "items": _titled("Word or phrase", "Matched as whole words, case-insensitive.", _ref("text"))},
                "answer": _ref("answer"),
            }), loader.REQUIRED_FACT),
        ),
        "phrases": _titled(
            "Words or phrases", "Matched as whole words, case-insensitive.",
            {"type": "array", "minItems": 1, "items": _titled("Word or phrase", "Matched as whole words, case-insensitive.", _ref("text"))},
        ),
        "offer": _titled(
            "Offer",
            "Something the trainee may offer, and how this customer takes it.",
            _obj(_keyed(loader.OFFER_KEYS, OFFER, "OFFER", {
                "topic": _ref("text"),
                "named_by": _ref("phrases"),
                "answer": _ref("answer"),
                "refused": _ref("answer"),
                "in_state": {"type": "object", "minProperties": 1, "propertyNames": _ref("stateName"),
                             "additionalProperties": _ref("answer")},
            }), loader.REQUIRED_OFFER),
        ),
        "rule": _titled(
            "Forbidden offer",
            "Something policy forbids the agent to offer.",
            _obj(_keyed(loader.RULE_KEYS, RULE, "RULE", {
                "rule": _ref("text"),
                "named_by": _ref("phrases"),
                "held": _ref("answer"),
            }), loader.REQUIRED_RULE),
        ),
        "reactions": _titled(
            "Reactions", "Behaviour: the lines the customer says when the trainee shows it.",
            _obj({
                label: _titled(
                    f"Reaction to {label}",
                    f"What the customer says when the trainee {BEHAVIOURS[label]} ({handling(label)}). "
                    "A list, or lines per mood band.",
                    _ref("lines"),
                )
                for label in LABELS
            }),
        ),
        "guards": _titled("Guards", "Conditions that must all hold for the transition to be taken.", _obj(guard_props)),
        "transition": _titled(
            "Transition",
            "Move to another state when the trainee's message matches `on` and all `if` guards hold. "
            "The first matching transition is taken.",
            _obj(_keyed(loader.TRANSITION_KEYS, TRANSITION, "TRANSITION",
                        {"to": _ref("stateName"), "on": _ref("behaviourList"), "if": _ref("guards")},
                        guards=", ".join(guards.GUARDS)),
                 loader.REQUIRED_TRANSITION),
        ),
        "state": _titled(
            "State",
            "One state of the customer. With `outcome` it ends the conversation and has no transitions; "
            "without, it needs a way out.",
            {
                **_obj(_keyed(loader.STATE_KEYS, STATE, "STATE", {
                    "lines": _ref("lines"),
                    "hint": _ref("text"),
                    "example": _ref("text"),
                    "no_return": {"type": "boolean"},
                    "transitions": {"type": "array", "items": _ref("transition")},
                    "outcome": {"type": "string", "enum": list(ENDINGS)},
                }), loader.REQUIRED_STATE),
                "if": {"required": ["outcome"]},
                "then": {"properties": {"transitions": _titled(
                    "No transitions",
                    "A terminal state (with outcome) ends the conversation, so it cannot have transitions.",
                    {"maxItems": 0},
                )}},
            },
        ),
    }

    outcome = {"type": "string", "enum": list(OUTCOMES)}
    defs["testCase"] = _titled(
        "Test case",
        "Trainee lines and what must come of them; `hotseat personas test` plays it.",
        _obj(_keyed(selftest.CASE_KEYS, TEST_CASE, "TEST_CASE", {
            "name": _ref("text"),
            "lines": {"type": "array", "minItems": 1, "items": _titled("Trainee line", "One message.", _ref("text"))},
            "outcome": {"anyOf": [outcome, {"type": "array", "minItems": 1, "items": outcome}]},
            "state": _ref("stateName"),
            "mood": {"type": "array", "minItems": 2, "maxItems": 2, "items": _ref("moodNumber")},
            "says": _ref("text"),
            "topic": _ref("text"),
            "seed": {"type": "integer", "minimum": 0, "maximum": selftest.MAX_SEED},
            "xfail": _ref("text"),
        }, outcomes=", ".join(OUTCOMES), seed=selftest.DEFAULT_SEED), selftest.REQUIRED_CASE),
    )

    return {
        "$schema": DRAFT,
        "title": "Hotseat persona",
        "description": (
            "One difficult customer for Hotseat, written as YAML. See README.md (Writing a persona) for how a "
            "turn plays. `hotseat personas validate` checks more than this schema can (reachable states, a way "
            "to resolved)."
        ),
        **_obj(_keyed(loader.TOP_KEYS, TOP, "TOP", top_shapes, d_lo=d_lo, d_hi=d_hi, mood_lo=mood_lo, mood_hi=mood_hi), loader.REQUIRED_TOP),
        "$defs": defs,
    }


def render() -> str:
    """The schema file's text: stable across runs, so a stale file shows as a diff."""
    return json.dumps(build(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.persona.schema",
        description="Write personas/schema.json (the editor schema of persona files) from the loader's tables.",
    )
    parser.add_argument("--out", type=Path, default=SCHEMA_PATH, help=f"where to write it (default: {SCHEMA_PATH})")
    parser.add_argument("--check", action="store_true", help="only check that the file is up to date; exit 1 if not")
    args = parser.parse_args(argv)
    try:
        text = render()
    except SchemaOutOfStep as e:
        print(f"schema: {e}", file=sys.stderr)
        return 1
    if args.check:
        try:
            current = args.out.read_text(encoding="utf-8")
        except OSError as e:
            print(f"schema: cannot read {args.out} ({e.strerror or e}); run {REGENERATE}", file=sys.stderr)
            return 1
        if current != text:
            print(f"schema: {args.out} is out of date with the loader's tables; run {REGENERATE}", file=sys.stderr)
            return 1
        print(f"{args.out} is up to date")
        return 0
    try:
        args.out.write_text(text, encoding="utf-8")
    except OSError as e:
        print(f"schema: cannot write {args.out} ({e.strerror or e})", file=sys.stderr)
        return 1
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
