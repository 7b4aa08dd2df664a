"""Turning one persona file into a compiled Persona, or a list of friendly problems.

Every problem names the file, the line and what to do, because the people who write
personas are trainers, not programmers. Checks on the machine as a whole (reachable
states, a way to `resolved`) live in persona_graph.py.

Nothing a trainer writes is handed to `re` as a pattern: `asked_by` phrases are
translated to regex piece by piece, so `?` or `(` can never be a regex error, and the
few optional letters allowed keep matching linear. Any failure while loading one file,
even an unforeseen one, becomes a problem naming that file, so the folder still loads.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

from bot.persona import graph as persona_graph
from bot.persona.guards import GUARDS, GuardParamError
from bot.vocab import LABEL_SET, LABELS
from bot.core.mood import DEFAULT_WEIGHTS, NOTHING
from bot.vocab import BANDS
from bot.vocab import ENDINGS
from bot.persona.records import Fact, Guard, Lines, Persona, State, Transition
from bot.persona.yaml_reader import Document, Problem, YamlProblem, quoted, read_document, read_file

ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
MAX_TEXT = 4000
MAX_OPTIONAL = 3  # `?` in one asked_by phrase; each doubles the ways it can match

TOP_KEYS = {
    "id", "name", "scenario", "brief", "difficulty", "industry", "tags", "mood", "facts",
    "reactions", "start", "anywhere", "states",
}
REQUIRED_TOP = ("id", "name", "scenario", "brief", "difficulty", "industry", "mood", "start", "states")


class PersonaInvalid(Exception):
    """A persona file with problems; `problems` says each one."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def _suggest(word: Any, options: Any) -> str:
    if not isinstance(word, str) or len(word) > 100:
        return ""
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" Did you mean {close[0]!r}?" if close else ""


def _where(path: tuple) -> str:
    out = ""
    for part in path:
        part = part if isinstance(part, int) or len(str(part)) <= 40 else str(part)[:36] + "..."
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "the file"


class _Reader:
    def __init__(self, file: str, doc: Document) -> None:
        self.file = file
        self.doc = doc
        self.problems: list[Problem] = []

    def problem(self, path: tuple, message: str) -> None:
        self.problems.append(Problem(self.file, self.doc.line_of(path), f"{_where(path)}: {message}"))

    def mapping(self, value: Any, path: tuple, allowed: set[str], what: str) -> dict | None:
        if not isinstance(value, dict):
            self.problem(path, f"must be {what} written as 'key: value' lines")
            return None
        for key in value:
            if not isinstance(key, str) or key not in allowed:
                self.problem(
                    path + (key,),
                    f"{quoted(key)} is not a known key here.{_suggest(key, allowed)} Allowed: {', '.join(sorted(allowed))}.",
                )
        return value

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

    def label(self, value: Any, path: tuple, extra: tuple[str, ...] = ()) -> str | None:
        if not isinstance(value, str) or (value not in LABEL_SET and value not in extra):
            self.problem(
                path,
                f"{quoted(value)} is not a behaviour.{_suggest(value, LABELS + extra)} "
                "Use one of the 19 labels in docs/behaviours.md.",
            )
            return None
        return value

    def lines(self, value: Any, path: tuple, key: str, *, allow_single: bool = False) -> Lines | None:
        if allow_single and isinstance(value, str):
            value = [value]
        if isinstance(value, list):
            good = self._line_list(value, path)
            return Lines(key, {b: good for b in ("upset",)}) if good else None
        if isinstance(value, dict):
            self.mapping(value, path, set(BANDS), "lines per mood band (calm, upset, furious)")
            by_band: dict[str, tuple[str, ...]] = {}
            for band in BANDS:
                if band in value:
                    v = value[band]
                    if allow_single and isinstance(v, str):
                        v = [v]
                    if not isinstance(v, list):
                        self.problem(path + (band,), "must be a list of lines, each starting with '- '")
                        continue
                    got = self._line_list(v, path + (band,))
                    if got:
                        by_band[band] = got
            if not by_band:
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
    if r.mapping(value, path, {"to", "on", "if"}, "a transition (to, on, if)") is None:
        return None
    to = value.get("to")
    if not isinstance(to, str) or not to:
        r.problem(path + ("to",), "every transition needs 'to: <state name>'")
        return None
    on: set[str] = set()
    if "on" in value:
        raw = value["on"]
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list) or not raw:
            r.problem(path + ("on",), "must be a list of behaviours, e.g. [empathy, apology]")
        else:
            for i, item in enumerate(raw):
                label = r.label(item, path + ("on", i))
                if label:
                    on.add(label)
    guards: list[Guard] = []
    if "if" in value:
        cond = r.mapping(value["if"], path + ("if",), set(GUARDS), "guards")
        for name, param in (cond or {}).items():
            if name not in GUARDS:
                continue
            parse, check = GUARDS[name]
            try:
                guards.append(Guard(name, parse(param), check))
            except GuardParamError as e:
                r.problem(path + ("if", name), f"{e}")
    return Transition(to=to, on=frozenset(on), guards=tuple(guards), line=r.doc.line_of(path) or 0)


def _transitions(r: _Reader, value: Any, path: tuple) -> tuple[Transition, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        r.problem(path, "must be a list of transitions, each starting with '- to: <state>'")
        return ()
    out = [_transition(r, item, path + (i,)) for i, item in enumerate(value)]
    return tuple(t for t in out if t is not None)


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


def _fact_matcher(patterns: list[str]):
    # Plurals and -ed/-ing forms count too: "charge" is asked by "charges", "charged".
    return re.compile(r"(?<!\w)(?:" + "|".join(patterns) + r")(?:s|es|d|ed|ing)?(?!\w)", re.IGNORECASE).search


def _facts(r: _Reader, value: Any, path: tuple) -> tuple[Fact, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        r.problem(path, "must be a list of facts, each starting with '- topic: ...'")
        return ()
    out = []
    for i, item in enumerate(value):
        p = path + (i,)
        if r.mapping(item, p, {"topic", "asked_by", "answer"}, "a fact (topic, asked_by, answer)") is None:
            continue
        topic = r.text(item.get("topic"), p + ("topic",))
        asked = item.get("asked_by")
        if isinstance(asked, str):
            asked = [asked]
        words: list[str] = []
        patterns: list[str] = []
        if not isinstance(asked, list) or not asked:
            r.problem(p + ("asked_by",), "must list the words that make the customer give this fact")
        else:
            for j, w in enumerate(asked):
                t = r.text(w, p + ("asked_by", j))
                if not t:
                    continue
                try:
                    patterns.append(_phrase_pattern(t))
                except ValueError as e:
                    r.problem(p + ("asked_by", j), str(e))
                    continue
                words.append(t)
        if "answer" not in item:
            r.problem(p + ("answer",), "is missing; write what the customer says")
            continue
        answer = r.lines(item["answer"], p + ("answer",), f"fact:{i}", allow_single=True)
        if topic and words and answer:
            out.append(Fact(topic, tuple(words), _fact_matcher(patterns), answer))
    return tuple(out)


def _states(r: _Reader, value: Any, path: tuple) -> dict[str, State]:
    if not isinstance(value, dict) or not value:
        r.problem(path, "must name at least one state, each with its lines and transitions")
        return {}
    states: dict[str, State] = {}
    for name, body in value.items():
        p = path + (name,)
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_-]+", name):
            r.problem(p, "a state name must be one word (letters, digits, _ or -)")
            continue
        if r.mapping(body, p, {"lines", "transitions", "outcome", "hint"}, "a state") is None:
            continue
        if "lines" not in body:
            r.problem(p, "needs 'lines:', what the customer says in this state")
        lines = r.lines(body.get("lines"), p + ("lines",), f"state:{name}") if "lines" in body else None
        outcome = body.get("outcome")
        if outcome is not None and outcome not in ENDINGS:
            r.problem(p + ("outcome",), f"{quoted(outcome)} is not an outcome; use one of {', '.join(ENDINGS)}")
            outcome = None
        hint = r.text(body.get("hint"), p + ("hint",), required=False)
        transitions = _transitions(r, body.get("transitions"), p + ("transitions",))
        states[name] = State(name, lines or Lines(f"state:{name}", {}), transitions, outcome, hint)
    return states


def build(doc: Document, file: str, source: Path | None = None) -> Persona:
    """Compile one parsed document; raise PersonaInvalid listing every problem found."""
    r = _Reader(file, doc)
    data = doc.data
    if r.mapping(data, (), TOP_KEYS, "a persona") is None:
        raise PersonaInvalid(r.problems)
    for key in REQUIRED_TOP:
        if key not in data:
            r.problem((), f"the required key '{key}' is missing; see README.md (Writing a persona)")
    pid = data.get("id")
    if isinstance(pid, str) and not ID_RE.fullmatch(pid):
        r.problem(("id",), f"{quoted(pid)} must be lowercase letters, digits and dashes, e.g. double-billing")
        pid = None
    else:
        pid = r.text(pid, ("id",)) if "id" in data else None
    name = r.text(data.get("name"), ("name",)) if "name" in data else None
    scenario = r.text(data.get("scenario"), ("scenario",)) if "scenario" in data else None
    brief = r.text(data.get("brief"), ("brief",)) if "brief" in data else None
    industry = r.text(data.get("industry"), ("industry",)) if "industry" in data else None
    difficulty = r.number(data.get("difficulty"), ("difficulty",), 1, 5) if "difficulty" in data else None
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
    if "mood" in data and r.mapping(data["mood"], ("mood",), {"start", "weights"}, "mood settings") is not None:
        mood = data["mood"]
        if "start" not in mood:
            r.problem(("mood",), "needs 'start:', the customer's anger at the first line (0-100)")
        else:
            mood_start = r.number(mood["start"], ("mood", "start"), 0, 100)
        if "weights" in mood:
            w = mood["weights"]
            if not isinstance(w, dict):
                r.problem(("mood", "weights"), "must map behaviours to numbers, e.g. 'empathy: -12'")
            else:
                for label, n in w.items():
                    if r.label(label, ("mood", "weights", label), extra=(NOTHING,)):
                        n_ok = r.number(n, ("mood", "weights", label), -100, 100)
                        if n_ok is not None:
                            weights[label] = n_ok

    reactions: dict[str, Lines] = {}
    if "reactions" in data:
        rx = data["reactions"]
        if not isinstance(rx, dict):
            r.problem(("reactions",), "must map behaviours to lines, e.g. 'empathy: [\"Thank you.\"]'")
        else:
            for label, lines in rx.items():
                if r.label(label, ("reactions", label)):
                    got = r.lines(lines, ("reactions", label), f"react:{label}", allow_single=True)
                    if got:
                        reactions[label] = got

    facts = _facts(r, data.get("facts"), ("facts",))
    anywhere = _transitions(r, data.get("anywhere"), ("anywhere",))
    states = _states(r, data.get("states"), ("states",)) if "states" in data else {}
    start = data.get("start")
    if "start" in data and (not isinstance(start, str) or not start):
        r.problem(("start",), "must be the name of the first state")
        start = None

    if states and isinstance(start, str):
        r.problems.extend(persona_graph.problems(states, start, anywhere, file, doc))

    if r.problems:
        raise PersonaInvalid(r.problems)
    return Persona(
        id=pid, name=name, scenario=scenario, brief=brief, difficulty=difficulty,  # type: ignore[arg-type]
        industry=industry, tags=tuple(tags), mood_start=mood_start,  # type: ignore[arg-type]
        weights=weights, facts=facts, reactions=reactions, start=start,
        anywhere=anywhere, states=states, source=source,
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
