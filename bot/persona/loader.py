"""Turning one persona file into a compiled Persona, or a list of friendly problems.

Every problem names the file, the line and what to do, because the people who write
personas are trainers, not programmers. Checks on the machine as a whole (reachable
states, a way to `resolved`) live in graph.py.

One typo must read as one problem. A misspelt name with a near match is reported with
a did-you-mean and then read as that match, so what only follows from it ("states is
missing", "no transition leads here") is never reported; problems with keys come first,
since they decide how the rest is read, and each group is in line order.

Nothing a trainer writes is handed to `re` as a pattern: `asked_by` phrases are
translated to regex piece by piece, so `?` or `(` can never be a regex error, and the
few optional letters allowed keep matching linear. Any failure while loading one file,
even an unforeseen one, becomes a problem naming that file, so the folder still loads.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from bot.core.mood import DEFAULT_WEIGHTS, NOTHING
from bot.persona import graph as persona_graph
from bot.persona.guards import GUARDS, MOOD_RANGE, GuardParamError
from bot.persona.matching import compile_phrases, words_of
from bot.persona.records import (
    ACCEPT, REJECT, WANT, Fact, Guard, Lines, Offer, Persona, Policy, Rule, State, Transition,
)
from bot.persona.spelling import closest, did_you_mean, not_a_behaviour
from bot.persona.yaml_reader import Document, Problem, YamlProblem, quoted, read_document, read_file
from bot.vocab import BANDS, DIFFICULTY, ENDINGS, LABELS, LABEL_SET

# --- the persona format, as tables ----------------------------------------------------------
# The loader checks files against these, and bot/persona/schema.py writes them into
# personas/schema.json, so the editor and `hotseat personas validate` cannot disagree.
# After changing one, run `python -m bot.persona.schema` (a test says so if you forget).
ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
STATE_NAME_RE = re.compile(r"^[A-Za-z0-9_-]+$")
MAX_TEXT = 4000
MAX_OPTIONAL = 3  # `?` in one asked_by phrase; each doubles the ways it can match
WEIGHT_RANGE = (-100, 100)

# Keys of each part of a file, in the order the README and the schema show them.
TOP_KEYS = (
    "id", "name", "scenario", "brief", "difficulty", "industry", "tags", "mood", "facts",
    "wants", "accepts", "rejects", "policy", "reactions", "unsure", "repeated", "closing",
    "start", "anywhere", "states", "tests",
)
# `tests:` is accepted here and read by bot/persona/selftest.py: a malformed test must not
# take a customer away from trainees, so its problems come from `personas validate`/`test`.
REQUIRED_TOP = ("id", "name", "scenario", "brief", "difficulty", "industry", "mood", "start", "states")
MOOD_KEYS = ("start", "weights")
REQUIRED_MOOD = ("start",)
FACT_KEYS = ("topic", "asked_by", "answer")
REQUIRED_FACT = ("topic", "asked_by", "answer")
OFFER_KEYS = ("topic", "named_by", "answer", "refused", "in_state")
REQUIRED_OFFER = ("topic", "named_by", "answer")
OFFER_KINDS = {"wants": WANT, "accepts": ACCEPT, "rejects": REJECT}  # top key -> what the customer makes of it
POLICY_KEYS = ("may_offer", "forbidden")
RULE_KEYS = ("rule", "named_by", "held")
REQUIRED_RULE = ("rule", "named_by")
CLOSING_KEYS = ("goodbye",)
REQUIRED_CLOSING = ("goodbye",)
STATE_KEYS = ("lines", "hint", "example", "transitions", "outcome", "no_return")
REQUIRED_STATE = ("lines",)
TRANSITION_KEYS = ("to", "on", "if")
REQUIRED_TRANSITION = ("to",)

# What a required key is for, said when it is missing.
_NEEDED = {
    "start": "the customer's anger at the first line (0-100)",  # in mood
    "topic": "a name for you, e.g. charges",
    "asked_by": "the words that make the customer give this fact",
    "answer": "what the customer says",
    "lines": "what the customer says in this state",
    "to": "the state to move to",
    "named_by": "the words that name this offer when the trainee makes it",
    "rule": "what policy forbids, as the trainee's brief shows it",
    "goodbye": "what the customer says as the conversation closes",
}


class PersonaInvalid(Exception):
    """A persona file with problems; `problems` says each one."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def _where(path: tuple) -> str:
    out = ""
    for part in path:
        part = part if isinstance(part, int) or len(str(part)) <= 40 else str(part)[:36] + "..."
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "the file"


class _Reader:
    """Reads one document, collecting problems rather than stopping at the first.

    A misspelt key with a near match (`stats:`, `transiton:`) is reported once and then
    read as the key it was meant to be, so nothing that only follows from the typo
    ("states is missing", every state unreachable) is reported too. Paths in the code
    use the meant keys; `written` maps them back, so each problem names the key and the
    line as written.
    """

    def __init__(self, file: str, doc: Document) -> None:
        self.file = file
        self.doc = doc
        self._found: list[tuple[bool, int, Problem]] = []  # (about a key, order found, problem)
        self.written: dict[tuple, tuple] = {}  # meant path -> path as written
        self.unplaced: dict[tuple, list[str]] = {}  # path -> unknown keys with no near match

    def as_written(self, path: tuple) -> tuple:
        for i in range(len(path), 0, -1):  # deepest first: its parents may be renamed too
            if path[:i] in self.written:
                path = self.written[path[:i]] + path[i:]
        return path

    def line_of(self, path: tuple) -> int | None:
        return self.doc.line_of(self.as_written(path))

    def problem(self, path: tuple, message: str, *, key: bool = False) -> None:
        """`key`: a problem with the file's keys (unknown, missing), which decides how the
        rest is read, so it is listed before the others."""
        problem = Problem(self.file, self.line_of(path), f"{_where(self.as_written(path))}: {message}")
        self._found.append((key, len(self._found), problem))

    @property
    def problems(self) -> list[Problem]:
        """Problems with keys first, then the rest, each group in line order."""
        return [p for _, _, p in sorted(self._found, key=lambda f: (not f[0], f[2].line or 0, f[1]))]

    def mapping(
        self, value: Any, path: tuple, allowed: tuple[str, ...], what: str, required: tuple[str, ...] = ()
    ) -> dict | None:
        """The mapping with each misspelt key read as the allowed key nearest to it (when
        that key is not written too); None, after saying so, if `value` is no mapping."""
        if not isinstance(value, dict):
            self.problem(path, f"must be {what} written as 'key: value' lines")
            return None
        out = {k: v for k, v in value.items() if k in allowed}
        for key, v in value.items():
            if key in allowed:
                continue
            meant = closest(key, allowed)
            self.problem(
                path + (key,),
                f"{quoted(key)} is not a known key here.{did_you_mean(key, allowed)} "
                f"Allowed: {', '.join(sorted(allowed))}.",
                key=True,
            )
            if meant is not None and meant not in out:
                out[meant] = v
                self.written[path + (meant,)] = path + (key,)
            else:
                self.unplaced.setdefault(path, []).append(key)
        for key in required:
            if key not in out:
                why = f", {_NEEDED[key]}" if key in _NEEDED else ""
                self.problem(path, f"needs '{key}:'{why}", key=True)
        return out

    def text(self, value: Any, path: tuple, *, required: bool = True) -> str | None:
        if value is None:
            if required:
                self.problem(path, "is missing; add it as text")
            return None
        if not isinstance(value, str) or not value.strip():
            self.problem(path, "must be non-empty text (put it in quotes if it starts with a special character)")
            return None
        if len(value) > MAX_TEXT:
            self.problem(path, f"is longer than {MAX_TEXT} characters; shorten it")
            return None
        return value.strip()

    def number(self, value: Any, path: tuple, lo: int, hi: int) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(path, f"must be a whole number from {lo} to {hi}")
            return None
        if not lo <= value <= hi:
            self.problem(path, f"is {value}; it must be from {lo} to {hi}")
            return None
        return value

    def label(self, value: Any, path: tuple, extra: tuple[str, ...] = (), where: str = "") -> str | None:
        """A behaviour; a wrong one is reported and read as the nearest label, if one is close."""
        if isinstance(value, str) and (value in LABEL_SET or value in extra):
            return value
        self.problem(path, not_a_behaviour(value, extra, where=where))
        return closest(value, LABELS + extra)

    def label_keys(self, value: dict, path: tuple, extra: tuple[str, ...] = ()) -> list[tuple[str | None, str, Any]]:
        """(behaviour, key as written, value) for a mapping keyed by behaviours; a misspelt
        key is read as the nearest behaviour not written too, or None."""
        known = {k for k in value if k in LABEL_SET or k in extra}
        out: list[tuple[str | None, str, Any]] = []
        for key, v in value.items():
            if key in known:
                out.append((key, key, v))
                continue
            meant = self.label(key, path + (key,), extra)
            if meant is not None and meant not in known:
                known.add(meant)
                self.written[path + (meant,)] = path + (key,)
                out.append((meant, meant, v))
            else:
                out.append((None, key, v))
        return out

    def lines(self, value: Any, path: tuple, key: str, *, allow_single: bool = False) -> Lines | None:
        if allow_single and isinstance(value, str):
            value = [value]
        if isinstance(value, list):
            good = self._line_list(value, path)
            return Lines(key, {b: good for b in ("upset",)}) if good else None
        if isinstance(value, dict):
            written = value
            value = self.mapping(value, path, BANDS, "lines per mood band (calm, upset, furious)")
            by_band: dict[str, tuple[str, ...]] = {}
            for band in BANDS:
                if band in value:  # type: ignore[operator]
                    v = value[band]  # type: ignore[index]
                    if allow_single and isinstance(v, str):
                        v = [v]
                    if not isinstance(v, list):
                        self.problem(path + (band,), "must be a list of lines, each starting with '- '")
                        continue
                    got = self._line_list(v, path + (band,))
                    if got:
                        by_band[band] = got
            if not by_band:
                if not written:  # otherwise what is written there was reported already
                    self.problem(path, "needs at least one line under calm, upset or furious")
                return None
            return Lines(key, by_band)
        self.problem(path, "must be a list of lines, or lines per mood band (calm, upset, furious)")
        return None

    def _line_list(self, items: list, path: tuple) -> tuple[str, ...]:
        if not items:
            self.problem(path, "needs at least one line")
            return ()
        out = []
        for i, item in enumerate(items):
            t = self.text(item, path + (i,))
            if t is not None:
                out.append(t)
        return tuple(out)


def _transition(r: _Reader, value: Any, path: tuple) -> Transition | None:
    value = r.mapping(value, path, TRANSITION_KEYS, "a transition (to, on, if)", required=REQUIRED_TRANSITION)
    if value is None:
        return None
    to = value.get("to")
    if "to" in value and (not isinstance(to, str) or not to):
        r.problem(path + ("to",), "must be the name of a state")
    on: set[str] = set()
    if "on" in value:
        raw = value["on"]
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list) or not raw:
            r.problem(path + ("on",), "must be a list of behaviours, e.g. [empathy, apology]")
        else:
            for i, item in enumerate(raw):
                label = r.label(item, path + ("on", i), where=" To match any message, leave out 'on'.")
                if label:
                    on.add(label)
    guards: list[Guard] = []
    if "if" in value:
        cond = r.mapping(value["if"], path + ("if",), tuple(GUARDS), "guards")
        for name, param in (cond or {}).items():
            spec = GUARDS[name]
            try:
                guards.append(Guard(name, spec.parse(param), spec.check))
            except GuardParamError as e:
                for at, message in e.items:
                    r.problem(path + ("if", name) + at, message)
    if not isinstance(to, str) or not to:
        return None
    line = r.line_of(path + ("to",)) or r.line_of(path) or 0
    return Transition(to=to, on=frozenset(on), guards=tuple(guards), line=line, where=path)


def _transitions(r: _Reader, value: Any, path: tuple) -> tuple[tuple[Transition, ...], bool]:
    """The transitions, and whether every one of them could be read."""
    if value is None:
        return (), True
    if not isinstance(value, list):
        r.problem(path, "must be a list of transitions, each starting with '- to: <state>'")
        return (), False
    out = [_transition(r, item, path + (i,)) for i, item in enumerate(value)]
    return tuple(t for t in out if t is not None), None not in out


_UNIT = re.compile(r"\s+|.", re.DOTALL)


def _phrase_pattern(phrase: str) -> str:
    """One asked_by phrase as a regex: text is literal, spaces match any spacing, and `?`
    makes the letter (or space) before it optional, as in "log ?in".

    Raises ValueError, worded for the trainer, when a `?` has nothing to make optional,
    when there are too many of them, or when the phrase could match nothing at all.
    """
    units: list[list] = []  # [regex, is_space, optional]
    for m in _UNIT.finditer(phrase.lower()):
        unit = m.group()
        if unit == "?":
            if not units:
                raise ValueError(
                    f"{quoted(phrase)} starts with '?', which has no letter before it to make optional; "
                    "'?' makes the letter before it optional (as in 'log ?in'), so remove it"
                )
            if units[-1][2]:
                raise ValueError(
                    f"{quoted(phrase)} has '?' right after another '?'; "
                    "'?' makes the letter before it optional (as in 'log ?in'), so keep one"
                )
            units[-1][2] = True
            continue
        if unit.isspace():
            if units and units[-1][1]:  # "log ? in": the spaces around a `?` are one optional gap
                continue
            units.append([r"\s", True, False])
        else:
            units.append([re.escape(unit), False, False])
    optional = sum(1 for u in units if u[2])
    if optional > MAX_OPTIONAL:
        raise ValueError(
            f"{quoted(phrase)} has {optional} '?'; at most {MAX_OPTIONAL} are allowed in one phrase, "
            "so list the other spellings as separate phrases"
        )
    if all(u[2] for u in units):
        raise ValueError(f"{quoted(phrase)} could match no text at all, since every letter is optional; remove a '?'")
    return "".join(
        (u[0] + ("*" if u[2] else "+")) if u[1] else (u[0] + ("?" if u[2] else "")) for u in units
    )


def _phrases(r: _Reader, value: Any, path: tuple, what: str) -> list[tuple[str, str]]:
    """(phrase, regex) for each readable phrase of an `asked_by` or `named_by` list."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        r.problem(path, f"must list {what}, e.g. [refund, money back]")
        return []
    out = []
    for j, w in enumerate(value):
        t = r.text(w, path + (j,))
        if not t:
            continue
        try:
            out.append((t, _phrase_pattern(t)))
        except ValueError as e:
            r.problem(path + (j,), str(e))
    return out


def _facts(r: _Reader, value: Any, path: tuple) -> tuple[Fact, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        r.problem(path, "must be a list of facts, each starting with '- topic: ...'")
        return ()
    out = []
    for i, item in enumerate(value):
        p = path + (i,)
        item = r.mapping(item, p, FACT_KEYS, "a fact (topic, asked_by, answer)", required=REQUIRED_FACT)
        if item is None:
            continue
        topic = r.text(item.get("topic"), p + ("topic",)) if "topic" in item else None
        pieces = (
            _phrases(r, item["asked_by"], p + ("asked_by",), "the words that make the customer give this fact")
            if "asked_by" in item else []
        )
        answer = r.lines(item["answer"], p + ("answer",), f"fact:{i}", allow_single=True) if "answer" in item else None
        if topic and pieces and answer:
            out.append(Fact(topic, tuple(w for w, _ in pieces), compile_phrases(pieces), answer))
    return tuple(out)


def _offers(r: _Reader, key: str, value: Any, state_names: set[str]) -> tuple[Offer, ...]:
    """One of `wants`, `accepts`, `rejects`: what the customer makes of each offer."""
    if value is None:
        return ()
    path = (key,)
    if not isinstance(value, list):
        r.problem(path, "must be a list of offers, each starting with '- topic: ...'")
        return ()
    out = []
    for i, item in enumerate(value):
        p = path + (i,)
        item = r.mapping(item, p, OFFER_KEYS, "an offer (topic, named_by, answer)", required=REQUIRED_OFFER)
        if item is None:
            continue
        topic = r.text(item.get("topic"), p + ("topic",)) if "topic" in item else None
        pieces = _phrases(r, item["named_by"], p + ("named_by",), "the words that name this offer") if "named_by" in item else []
        answer = r.lines(item["answer"], p + ("answer",), f"{key}:{i}", allow_single=True) if "answer" in item else None
        refused = r.lines(item["refused"], p + ("refused",), f"{key}:{i}:refused", allow_single=True) if "refused" in item else None
        in_state: dict[str, Lines] = {}
        if "in_state" in item:
            raw = item["in_state"]
            if not isinstance(raw, dict) or not raw:
                r.problem(p + ("in_state",), "must map state names to lines, e.g. 'heard: [\"Fine, a refund.\"]'")
            else:
                for name, lines in raw.items():
                    if state_names and name not in state_names:
                        r.problem(p + ("in_state", name), f"{quoted(name)} is not a state.{did_you_mean(name, sorted(state_names))}")
                        continue
                    got = r.lines(lines, p + ("in_state", name), f"{key}:{i}:{name}", allow_single=True)
                    if got:
                        in_state[str(name)] = got
        if topic and pieces and answer:
            out.append(Offer(OFFER_KINDS[key], topic, tuple(w for w, _ in pieces), compile_phrases(pieces),
                             answer, refused, in_state))
    return tuple(out)


def _policy(r: _Reader, value: Any) -> Policy:
    """The agent's side: what the trainee may offer, and what policy forbids."""
    if value is None:
        return Policy()
    value = r.mapping(value, ("policy",), POLICY_KEYS, "the agent's policy (may_offer, forbidden)")
    if value is None:
        return Policy()
    may: list[str] = []
    if "may_offer" in value:
        raw = value["may_offer"]
        if not isinstance(raw, list) or not raw:
            r.problem(("policy", "may_offer"), "must list what the agent may offer, e.g. ['a refund of the duplicate charge']")
        else:
            may = [t for j, item in enumerate(raw) if (t := r.text(item, ("policy", "may_offer", j)))]
    rules: list[Rule] = []
    if "forbidden" in value:
        raw = value["forbidden"]
        if not isinstance(raw, list) or not raw:
            r.problem(("policy", "forbidden"), "must be a list of rules, each starting with '- rule: ...'")
        else:
            for j, item in enumerate(raw):
                p = ("policy", "forbidden", j)
                item = r.mapping(item, p, RULE_KEYS, "a rule (rule, named_by, held)", required=REQUIRED_RULE)
                if item is None:
                    continue
                rule = r.text(item.get("rule"), p + ("rule",)) if "rule" in item else None
                pieces = _phrases(r, item["named_by"], p + ("named_by",), "the words that offer what it forbids") if "named_by" in item else []
                held = r.lines(item["held"], p + ("held",), f"rule:{j}:held", allow_single=True) if "held" in item else None
                if rule and pieces:
                    rules.append(Rule(rule, tuple(w for w, _ in pieces), compile_phrases(pieces), held))
    return Policy(tuple(may), tuple(rules))


def _outcome(r: _Reader, value: Any, path: tuple) -> str | None:
    """The state's outcome. A wrong one is reported and then read as the nearest outcome,
    or as some ending all the same, so the graph checks do not add "stuck here"."""
    if value is None or value in ENDINGS:
        return value
    r.problem(path, f"{quoted(value)} is not an outcome.{did_you_mean(value, ENDINGS)} Use one of {', '.join(ENDINGS)}.")
    return closest(value, ENDINGS) or quoted(value)


def _states(r: _Reader, value: Any, path: tuple) -> tuple[dict[str, State], set[str]]:
    """The states, and the names of those whose way out could not all be read.

    A state that could not be read still gets a name-only entry, so the transitions to
    it are not reported as going nowhere.
    """
    if not isinstance(value, dict) or not value:
        r.problem(path, "must name at least one state, each with its lines and transitions")
        return {}, set()
    states: dict[str, State] = {}
    unread: set[str] = set()
    for name, body in value.items():
        p = path + (name,)
        if not STATE_NAME_RE.fullmatch(name):
            r.problem(p, "a state name must be one word (letters, digits, _ or -)", key=True)
            body = None
        else:
            body = r.mapping(body, p, STATE_KEYS, "a state", required=REQUIRED_STATE)
        if body is None:
            states[name] = State(name, Lines(f"state:{name}", {}))
            unread.add(name)
            continue
        lines = r.lines(body["lines"], p + ("lines",), f"state:{name}") if "lines" in body else None
        outcome = _outcome(r, body.get("outcome"), p + ("outcome",))
        hint = r.text(body.get("hint"), p + ("hint",), required=False)
        example = r.text(body.get("example"), p + ("example",), required=False)
        no_return = body.get("no_return", False)
        if not isinstance(no_return, bool):
            r.problem(p + ("no_return",), "must be true or false")
            no_return = False
        transitions, complete = _transitions(r, body.get("transitions"), p + ("transitions",))
        if not complete or (p in r.unplaced and "transitions" not in body and outcome is None):
            unread.add(name)  # a key nothing is close to may be its transitions under another name
        states[name] = State(name, lines or Lines(f"state:{name}", {}), transitions, outcome, hint, example, no_return)
    return states, unread


def build(doc: Document, file: str, source: Path | None = None) -> Persona:
    """Compile one parsed document; raise PersonaInvalid listing every problem found."""
    r = _Reader(file, doc)
    data = r.mapping(doc.data, (), TOP_KEYS, "a persona")
    if data is None:
        raise PersonaInvalid(r.problems)
    for key in REQUIRED_TOP:
        if key not in data:
            r.problem((), f"the required key '{key}' is missing; see README.md (Writing a persona)", key=True)
    pid = data.get("id")
    if isinstance(pid, str) and not ID_RE.fullmatch(pid):
        r.problem(("id",), f"{quoted(pid)} must be lowercase letters, digits and dashes, e.g. double-billing")
        pid = None
    else:
        pid = r.text(pid, ("id",)) if "id" in data else None
    texts = {key: r.text(data[key], (key,)) if key in data else None for key in ("name", "scenario", "brief", "industry")}
    difficulty = r.number(data["difficulty"], ("difficulty",), *DIFFICULTY) if "difficulty" in data else None
    tags: list[str] = []
    if "tags" in data:
        if not isinstance(data["tags"], list):
            r.problem(("tags",), "must be a list, e.g. [billing, refund]")
        else:
            for i, tag in enumerate(data["tags"]):
                if isinstance(tag, (str, int)) and not isinstance(tag, bool) and str(tag).strip():
                    tags.append(str(tag).strip())
                else:
                    r.problem(("tags", i), "each tag must be a short word")

    weights = dict(DEFAULT_WEIGHTS)
    mood_start = None
    mood = r.mapping(data["mood"], ("mood",), MOOD_KEYS, "mood settings", required=REQUIRED_MOOD) if "mood" in data else None
    if mood is not None:
        if "start" in mood:
            mood_start = r.number(mood["start"], ("mood", "start"), *MOOD_RANGE)
        if "weights" in mood:
            w = mood["weights"]
            if not isinstance(w, dict):
                r.problem(("mood", "weights"), "must map behaviours to numbers, e.g. 'empathy: -12'")
            else:
                for label, key, n in r.label_keys(w, ("mood", "weights"), extra=(NOTHING,)):
                    n_ok = r.number(n, ("mood", "weights", key), *WEIGHT_RANGE)
                    if label is not None and n_ok is not None:
                        weights[label] = n_ok

    reactions: dict[str, Lines] = {}
    if "reactions" in data:
        rx = data["reactions"]
        if not isinstance(rx, dict):
            r.problem(("reactions",), "must map behaviours to lines, e.g. 'empathy: [\"Thank you.\"]'")
        else:
            for label, key, lines in r.label_keys(rx, ("reactions",)):
                got = r.lines(lines, ("reactions", key), f"react:{label}", allow_single=True)
                if label is not None and got:
                    reactions[label] = got

    facts = _facts(r, data.get("facts"), ("facts",))
    state_names = set(data["states"]) if isinstance(data.get("states"), dict) else set()
    offers = tuple(o for key in OFFER_KINDS for o in _offers(r, key, data.get(key), state_names))
    policy = _policy(r, data.get("policy"))
    extra_lines: dict[str, Lines | None] = {}
    for key in ("unsure", "repeated"):
        extra_lines[key] = r.lines(data[key], (key,), key, allow_single=True) if key in data else None
    goodbye = None
    if "closing" in data:
        closing = r.mapping(data["closing"], ("closing",), CLOSING_KEYS, "the closing (goodbye)", required=REQUIRED_CLOSING)
        if closing and "goodbye" in closing:
            goodbye = r.lines(closing["goodbye"], ("closing", "goodbye"), "goodbye", allow_single=True)
    anywhere, anywhere_read = _transitions(r, data.get("anywhere"), ("anywhere",))
    states, unread = _states(r, data["states"], ("states",)) if "states" in data else ({}, set())
    start = data.get("start")
    if "start" in data and (not isinstance(start, str) or not start):
        r.problem(("start",), "must be the name of the first state")
        start = None

    if states and isinstance(start, str):
        if not anywhere_read:
            unread = set(states)  # any state may leave by an `anywhere` transition that could not be read
        persona_graph.problems(states, start, anywhere, r.problem, unread)

    if r.problems:
        raise PersonaInvalid(r.problems)
    brief = texts["brief"]
    if policy.text():
        brief = f"{brief}\n\n{policy.text()}"
    phrases = [w for f in facts for w in f.asked_by] + [w for o in offers for w in o.named_by]
    phrases += [w for rule in policy.forbidden for w in rule.named_by]
    return Persona(
        id=pid, name=texts["name"], scenario=texts["scenario"], brief=brief,  # type: ignore[arg-type]
        difficulty=difficulty, industry=texts["industry"], tags=tuple(tags),  # type: ignore[arg-type]
        mood_start=mood_start, weights=weights, facts=facts, reactions=reactions,  # type: ignore[arg-type]
        start=start, anywhere=anywhere, states=states, source=source,  # type: ignore[arg-type]
        offers=offers, policy=policy, goodbye=goodbye, unsure=extra_lines["unsure"],
        repeated=extra_lines["repeated"], vocab=words_of(phrases),
    )


def _unforeseen(file: str, e: Exception) -> PersonaInvalid:
    """A failure nobody planned for, as a problem with this file rather than a crash of the folder."""
    mark = getattr(e, "problem_mark", None)
    line = mark.line + 1 if isinstance(getattr(mark, "line", None), int) else None
    detail = str(e)
    detail = detail if len(detail) <= 200 else detail[:200] + "..."
    return PersonaInvalid([Problem(
        file, line,
        f"Hotseat could not load this file ({type(e).__name__}: {detail}); look for unusual content "
        "near this line, and report it if the file looks right",
    )])


def load_text(text: str, file: str = "<persona>") -> Persona:
    """Compile persona YAML; every failure is PersonaInvalid naming `file`."""
    try:
        return build(read_document(text), file)
    except PersonaInvalid:
        raise
    except YamlProblem as e:
        raise PersonaInvalid([Problem(file, e.line, e.message)]) from None
    except Exception as e:  # noqa: BLE001 - one file must never stop the folder
        raise _unforeseen(file, e) from e


def load_file(path: Path) -> Persona:
    """Compile one persona file; every failure is PersonaInvalid naming the file."""
    try:
        return build(read_file(path), str(path), source=path)
    except PersonaInvalid:
        raise
    except YamlProblem as e:
        raise PersonaInvalid([Problem(str(path), e.line, e.message)]) from None
    except Exception as e:  # noqa: BLE001 - one file must never stop the folder
        raise _unforeseen(str(path), e) from e
