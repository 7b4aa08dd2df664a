"""Persona tests: a trainer's own check that the customer they wrote behaves as meant.

A trainer who edits a persona cannot see what the classifier makes of a line, nor
which transition a mood number unlocks; the only honest check is to play lines
through the same path the bot uses and compare where the conversation ends up with
what they expected. Cases live under `tests:` in the persona file, or in a separate
file holding only `tests:` (for personas someone else owns), and read like this:

    tests:
      - name: an excellent agent resolves it
        lines:
          - "I'm so sorry you were charged twice."
          - "I've refunded the $17.99; you'll see it within 3 to 5 days."
        outcome: resolved            # or a list: [escalated, customer_left]
        state: resolved              # optional: the state it ends in
        mood: [0, 40]                # optional: final mood, both ends included
        says: "thank you"            # optional: a phrase the customer's last line contains
        topic: charges               # optional: the last line answers this fact or offer
        seed: 1                      # optional, default 0 (as `hotseat simulate`)
        xfail: "why it fails today"  # optional: a known failure, not held against the persona

The public API is small on purpose, because chat uploads call it to refuse a persona
whose tests fail and must not break when the internals move:

    load_cases(path) / load_cases_text(text, file) -> list[Case]   (raise CasesInvalid)
    check_cases(persona, cases) -> list[Problem]                   (names that do not exist)
    run_cases(persona, cases) -> list[CaseResult]                  (never raises for a case)
    failures(results) -> list[CaseResult]                          (what should stop an upload)

A malformed `tests:` section never stops the persona from loading in the bot (the loader
only accepts the key; a broken test must not take a customer away from trainees), but
`hotseat personas validate` and `hotseat personas test` report it, with lines.
"""

from __future__ import annotations

import inspect
from functools import cache
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

from bot.core import engine
from bot.core.errors import BadMessage
from bot.core.text import clean_message
from bot.persona import loader
from bot.persona.guards import MOOD_RANGE
from bot.persona.records import Persona
from bot.persona.spelling import did_you_mean
from bot.persona.yaml_reader import Document, Problem, YamlProblem, quoted, read_document, read_file
from bot.vocab import OUTCOMES

# --- the format, as tables (bot/persona/schema.py writes them into personas/schema.json) ----
KEY = "tests"
CASE_KEYS = ("name", "lines", "outcome", "state", "mood", "says", "topic", "seed", "xfail")
REQUIRED_CASE = ("name", "lines", "outcome")
MAX_CASES = 100  # uploads are untrusted: running cases costs classifier time
MAX_SEED = 2**31 - 1
DEFAULT_SEED = 0  # as `hotseat simulate`, so a case and a simulate run of its lines agree

_NEEDED = {
    "name": "a short description such as 'an excellent agent resolves it'",
    "lines": "the trainee's messages, in order, each starting with '- '",
    "outcome": f"how the conversation must end: one of {', '.join(OUTCOMES)}",
}


@cache
def _service_turn_cap() -> int:
    """The service's own default, read rather than copied, so a case ends where a session would."""
    from bot.core.service import HotseatService

    cap = inspect.signature(HotseatService.__init__).parameters["max_turns"].default
    return cap if isinstance(cap, int) and cap > 0 else 40


# --- records ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Case:
    """One expectation a trainer wrote: these lines end like this."""

    name: str
    lines: tuple[str, ...]
    outcomes: tuple[str, ...]  # any one of them passes
    state: str | None = None
    mood: tuple[int, int] | None = None  # both ends included
    says: str | None = None
    topic: str | None = None
    seed: int = DEFAULT_SEED
    xfail: str | None = None  # the known reason it fails today
    file: str = ""
    line: int | None = None  # of the case's first key
    lines_at: dict[str, int] = field(default_factory=dict, compare=False)  # key -> line, for reports

    def where(self, key: str | None = None) -> str:
        line = self.lines_at.get(key, self.line) if key else self.line
        return f"{self.file}:{line}" if line else self.file

    def to_dict(self) -> dict:
        return {
            "name": self.name, "lines": list(self.lines), "outcome": list(self.outcomes), "state": self.state,
            "mood": list(self.mood) if self.mood else None, "says": self.says, "topic": self.topic,
            "seed": self.seed, "xfail": self.xfail, "file": self.file, "line": self.line,
        }


@dataclass(frozen=True, slots=True)
class PlayedTurn:
    """One exchange as the trainer needs it to see why a case failed."""

    trainee: str
    labels: tuple[str, ...]
    customer: str
    state: str
    mood: int

    def to_dict(self) -> dict:
        return {"trainee": self.trainee, "labels": list(self.labels), "customer": self.customer,
                "state": self.state, "mood": self.mood}


@dataclass(frozen=True, slots=True)
class CaseResult:
    """How one case went. `status` is pass, fail, xfail (failed as its `xfail` said) or xpass
    (passed despite `xfail`: the limitation is gone, so the mark can go too)."""

    case: Case
    status: str
    why: tuple[str, ...]  # each unmet expectation in words; empty when all held
    opening: str
    turns: tuple[PlayedTurn, ...]
    outcome: str
    state: str
    mood: int
    unplayed: int = 0  # lines left over when the conversation ended before them

    @property
    def passed(self) -> bool:
        """Every expectation held."""
        return not self.why

    @property
    def ok(self) -> bool:
        """False only for a failure that should stop an upload (an expected failure is not one)."""
        return self.status != "fail"

    @property
    def last_line(self) -> str:
        return self.turns[-1].customer if self.turns else self.opening

    def to_dict(self) -> dict:
        return {
            "name": self.case.name, "status": self.status, "passed": self.passed, "why": list(self.why),
            "xfail": self.case.xfail, "file": self.case.file, "line": self.case.line, "seed": self.case.seed,
            "outcome": self.outcome, "state": self.state, "mood": self.mood, "unplayed": self.unplayed,
            "opening": self.opening, "turns": [t.to_dict() for t in self.turns],
        }


class CasesInvalid(Exception):
    """A tests section that cannot be read as cases; `problems` names each with its line.
    `cases` holds those that could be read, so their names can still be checked."""

    def __init__(self, problems: list[Problem], cases: Sequence[Case] = ()) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems
        self.cases = list(cases)


# --- reading ----------------------------------------------------------------------------------


def _is_persona(data: object) -> bool:
    return isinstance(data, dict) and any(k in data for k in ("id", "states", "start"))


def _case(r: loader._Reader, value: Any, path: tuple) -> Case | None:
    item = r.mapping(value, path, CASE_KEYS, "a test case (name, lines, outcome, ...)")
    if item is None:
        return None
    for key in REQUIRED_CASE:
        if key not in item:
            r.problem(path, f"needs '{key}:', {_NEEDED[key]}", key=True)
    ok = True
    name = r.text(item["name"], path + ("name",)) if "name" in item else None

    lines: list[str] = []
    if "lines" in item:
        raw = item["lines"]
        if not isinstance(raw, list):
            r.problem(path + ("lines",), "must be a list of the trainee's messages, each starting with '- '")
            ok = False
        elif not raw:
            r.problem(path + ("lines",), "needs at least one trainee message")
            ok = False
        else:
            cap = _service_turn_cap()
            for i, line in enumerate(raw):
                if not isinstance(line, str):
                    r.problem(path + ("lines", i), "must be text (put it in quotes)")
                    ok = False
                    continue
                try:
                    lines.append(clean_message(line))
                except BadMessage as e:
                    r.problem(path + ("lines", i), str(e))
                    ok = False
            if len(raw) > cap:
                r.problem(path + ("lines",), f"has {len(raw)} lines, but a conversation ends after {cap} turns; "
                                             f"the last {len(raw) - cap} would never be played, so remove them")
                ok = False

    outcomes: list[str] = []
    if "outcome" in item:
        raw = item["outcome"]
        values = raw if isinstance(raw, list) else [raw]
        if not values:
            r.problem(path + ("outcome",), f"needs at least one of {', '.join(OUTCOMES)}")
            ok = False
        for i, v in enumerate(values):
            at = path + ("outcome",) + ((i,) if isinstance(raw, list) else ())
            if v in OUTCOMES:
                outcomes.append(v)
            else:
                r.problem(at, f"{quoted(v)} is not an outcome.{did_you_mean(v, OUTCOMES)} "
                              f"Use one of {', '.join(OUTCOMES)}, or a list of them.")
                ok = False

    state = None
    if "state" in item:
        state = item["state"]
        if not isinstance(state, str) or not loader.STATE_NAME_RE.fullmatch(state):
            r.problem(path + ("state",), "must be the name of one of the persona's states")
            ok = False

    mood = None
    if "mood" in item:
        raw = item["mood"]
        lo, hi = MOOD_RANGE
        example = f"write it as [low, high] with both ends included, e.g. [{lo}, 40] or [70, {hi}]"
        if not isinstance(raw, list) or len(raw) != 2:
            r.problem(path + ("mood",), f"must be a range; {example}")
            ok = False
        else:
            got = [r.number(v, path + ("mood", i), lo, hi) for i, v in enumerate(raw)]
            if None in got:
                ok = False
            elif got[0] > got[1]:  # type: ignore[operator]
                r.problem(path + ("mood",), f"[{got[0]}, {got[1]}] has its low end above its high end; {example}")
                ok = False
            else:
                mood = (got[0], got[1])

    says = r.text(item["says"], path + ("says",)) if "says" in item else None
    topic = r.text(item["topic"], path + ("topic",)) if "topic" in item else None
    xfail = r.text(item["xfail"], path + ("xfail",)) if "xfail" in item else None
    if ("says" in item and says is None) or ("topic" in item and topic is None) or ("xfail" in item and xfail is None):
        ok = False
    seed = DEFAULT_SEED
    if "seed" in item:
        got_seed = r.number(item["seed"], path + ("seed",), 0, MAX_SEED)
        if got_seed is None:
            ok = False
        else:
            seed = got_seed

    if not ok or name is None or not lines or not outcomes:
        return None
    at = {k: line for k in CASE_KEYS if k in item and (line := r.line_of(path + (k,)))}
    return Case(name=name, lines=tuple(lines), outcomes=tuple(outcomes), state=state, mood=mood, says=says,
                topic=topic, seed=seed, xfail=xfail, file=r.file, line=r.line_of(path), lines_at=at)


def cases_of(doc: Document, file: str) -> list[Case]:
    """The cases of a parsed persona or cases file; raise CasesInvalid listing every problem.

    In a persona file only `tests:` is read (the loader checks the rest); a file that is
    not a persona must hold `tests:` alone, so a misspelt `test:` is caught there too.
    """
    r = loader._Reader(file, doc)
    if _is_persona(doc.data):
        value = doc.data.get(KEY)  # type: ignore[union-attr]
    else:
        data = r.mapping(doc.data, (), (KEY,), "a file of persona tests, holding 'tests:'")
        if data is None or KEY not in data:
            if data is not None and not r.problems:
                r.problem((), "needs 'tests:', a list of test cases; see docs/persona-tests.md", key=True)
            raise CasesInvalid(r.problems)
        value = data[KEY]
    if value is None:
        return []
    if not isinstance(value, list):
        r.problem((KEY,), "must be a list of test cases, each starting with '- name: ...'")
        raise CasesInvalid(r.problems)
    if len(value) > MAX_CASES:
        r.problem((KEY,), f"has {len(value)} cases; at most {MAX_CASES} are allowed in one file")
        raise CasesInvalid(r.problems)
    cases = [_case(r, item, (KEY, i)) for i, item in enumerate(value)]
    seen: dict[str, int] = {}
    for i, case in enumerate(cases):
        if case is None:
            continue
        if case.name in seen:
            r.problem((KEY, i, "name"), f"{quoted(case.name)} is already the name of case {seen[case.name] + 1}; "
                                        "give each case its own name, so reports can tell them apart")
        seen.setdefault(case.name, i)
    read = [c for c in cases if c is not None]
    if r.problems:
        raise CasesInvalid(r.problems, read)
    return read


def _read(read, file: str) -> list[Case]:
    try:
        return cases_of(read(), file)
    except CasesInvalid:
        raise
    except YamlProblem as e:
        raise CasesInvalid([Problem(file, e.line, e.message)]) from None
    except Exception as e:  # noqa: BLE001 - an upload must be refused in words, never crash the bot
        detail = f"{type(e).__name__}: {e}"[:200]
        raise CasesInvalid([Problem(file, None, f"Hotseat could not read the tests in this file ({detail})")]) from e


def load_cases(path: Path) -> list[Case]:
    """The cases in a persona file's `tests:` or in a file holding only `tests:`.

    Raise CasesInvalid (with file and line in each problem) when the file cannot be read
    or a case is malformed; an absent or empty `tests:` is no cases, not an error.
    """
    return _read(lambda: read_file(path), str(path))


def load_cases_text(text: str, file: str = "<tests>") -> list[Case]:
    """As load_cases, for YAML already in memory (a persona uploaded in chat)."""
    return _read(lambda: read_document(text), file)


# --- checking against the persona -------------------------------------------------------------


def _topic_lines(persona: Persona) -> dict[str, list[str]]:
    """Every line that answers a topic: a fact's answers, an offer's answers (in any state)
    and its refusal. A case names the topic, not a line, so rewording a line keeps it passing."""
    out: dict[str, list[str]] = {}
    for fact in persona.facts:
        out.setdefault(fact.topic, []).extend(fact.answer.all())
    for offer in persona.offers:
        said = out.setdefault(offer.topic, [])
        for lines in (offer.answer, offer.refused, *offer.in_state.values()):
            if lines is not None:
                said.extend(lines.all())
    return out


def _case_problems(persona: Persona, case: Case) -> list[tuple[int | None, str]]:
    """(line, message) for each name the case uses that the persona lacks."""
    out = []
    if case.state is not None:
        state = persona.states.get(case.state)
        at = case.lines_at.get("state", case.line)
        if state is None:
            out.append((at, f"state {quoted(case.state)} is not a state of {persona.id}."
                            f"{did_you_mean(case.state, persona.states)} States: {', '.join(persona.states)}."))
        elif state.outcome is not None and state.outcome not in case.outcomes:
            out.append((at, f"state {case.state!r} ends the conversation as {state.outcome}, "
                            f"but outcome says {' or '.join(case.outcomes)}; one of them is wrong"))
    if case.topic is not None:
        topics = _topic_lines(persona)
        if case.topic not in topics:
            known = ", ".join(topics) or "none: the persona has no facts or offers"
            out.append((case.lines_at.get("topic", case.line),
                        f"topic {quoted(case.topic)} is not the topic of a fact or offer of {persona.id}."
                        f"{did_you_mean(case.topic, topics)} Topics: {known}."))
    return out


def check_cases(persona: Persona, cases: Iterable[Case]) -> list[Problem]:
    """Names a case uses that the persona lacks (a state, a fact topic), or a state that
    contradicts the expected outcome: said before anything is played, since such a case
    could only fail, and for a reason the transcript would not show."""
    return [Problem(case.file, line, f"{KEY}: case {case.name!r}: {message}")
            for case in cases for line, message in _case_problems(persona, case)]


# --- playing ----------------------------------------------------------------------------------


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def _play(persona: Persona, case: Case, max_turns: int):
    """The lines through the service's pure path: clean, classify, step, and stop where a
    session would stop (HotseatService.reply: an outcome, or the turn cap as `unfinished`,
    or as resolved when the customer accepted on that very turn). Lines running out is the
    trainee typing `end`: the outcome reached so far (a customer who accepted and is
    waiting for the wrap-up has resolved it), else `unfinished`."""
    from bot.classifier import classify

    conv, opening = engine.begin(persona, case.seed)
    turns: list[PlayedTurn] = []
    for i, line in enumerate(case.lines):
        text = clean_message(line)
        labels = frozenset(d.label for d in classify(text))
        step = engine.step(persona, conv, labels, text)
        conv = step.conversation
        turns.append(PlayedTurn(text, tuple(sorted(labels)), step.customer, step.state, step.mood))
        if conv.outcome is not None:
            return opening, turns, conv.outcome, conv, len(case.lines) - i - 1
        if conv.turn >= max_turns:  # an acceptance on the capped turn stands, as in the service
            return opening, turns, conv.pending or "unfinished", conv, len(case.lines) - i - 1
    return opening, turns, conv.pending or "unfinished", conv, 0


def _unmet(persona: Persona, case: Case, outcome: str, state: str, mood: int, last: str) -> list[str]:
    why = []
    if outcome not in case.outcomes:
        why.append(f"outcome: expected {' or '.join(case.outcomes)}, got {outcome}")
    if case.state is not None and state != case.state:
        why.append(f"state: expected {case.state}, got {state}")
    if case.mood is not None and not case.mood[0] <= mood <= case.mood[1]:
        why.append(f"mood: expected {case.mood[0]}-{case.mood[1]}, got {mood}")
    if case.says is not None and _norm(case.says) not in _norm(last):
        why.append(f"says: expected the customer's last line to contain {case.says!r}")
    if case.topic is not None:
        answers = [_norm(a) for a in _topic_lines(persona).get(case.topic, [])]
        if not any(a and a in _norm(last) for a in answers):
            why.append(f"topic: expected the customer's last line to answer {case.topic!r}")
    return why


def run_case(persona: Persona, case: Case, *, max_turns: int | None = None) -> CaseResult:
    """Play one case; every way it can go wrong comes back as a failing result, not an exception."""
    cap = max_turns or _service_turn_cap()
    why = [message for _, message in _case_problems(persona, case)]
    try:
        opening, turns, outcome, conv, unplayed = _play(persona, case, cap)
    except Exception as e:  # noqa: BLE001 - one broken case must not hide the others' results
        why.append(f"could not be played ({type(e).__name__}: {str(e)[:200]})")
        return CaseResult(case, "xfail" if case.xfail else "fail", tuple(why), "", (), "unfinished",
                          persona.start, persona.mood_start)
    last = turns[-1].customer if turns else opening
    why += _unmet(persona, case, outcome, conv.state, conv.mood, last)
    if case.xfail:
        status = "xfail" if why else "xpass"
    else:
        status = "fail" if why else "pass"
    return CaseResult(case, status, tuple(why), opening, tuple(turns), outcome, conv.state, conv.mood, unplayed)


def run_cases(persona: Persona, cases: Sequence[Case], *, max_turns: int | None = None) -> list[CaseResult]:
    """Play each case against the persona, in order, exactly as a trainee's lines would be
    played by the service (same cleaning, classifier, engine and turn cap); one result a case."""
    cap = max_turns or _service_turn_cap()
    return [run_case(persona, case, max_turns=cap) for case in cases]


def failures(results: Iterable[CaseResult]) -> list[CaseResult]:
    """The results that should stop an upload: failed, and not marked `xfail`."""
    return [r for r in results if not r.ok]


def tests_problems(persona: Persona) -> list[Problem]:
    """Problems with a loaded persona's own `tests:` section: malformed cases, or names the
    persona lacks. What `hotseat personas validate` adds to the loader's problems, since
    the loader lets a persona with broken tests load."""
    if persona.source is None:
        return []
    try:
        cases = load_cases(persona.source)
    except CasesInvalid as e:
        return sorted(e.problems + check_cases(persona, e.cases), key=lambda p: p.line or 0)
    return check_cases(persona, cases)
