"""Persona tests (bot/persona/selftest.py): trainers' cases are read with friendly, line-numbered
problems, played exactly as the service would play the same lines, and judged per expectation;
and every shipped persona passes its own cases, so CI catches a persona edit that breaks one."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from bot import cli
from bot.core import engine
from bot.core.events import CustomerSaid, Ended
from bot.core.service import HotseatService, Who
from bot.persona import selftest
from bot.persona.library import Library
from bot.persona.loader import load_text
from bot.persona.selftest import Case, CasesInvalid, check_cases, failures, load_cases, load_cases_text, run_cases
from bot.store.sqlite import Store
from conftest import begin

ROOT = Path(__file__).resolve().parent.parent
PERSONAS = ROOT / "personas"
CASES_DIR = ROOT / "tests" / "data" / "persona_tests"

# A tiny persona whose every path is one line away: an apology calms her, a solution
# after that resolves it, rudeness makes her leave, an offer of a manager escalates.
TINY = textwrap.dedent(
    """\
    id: tiny
    name: Tina
    scenario: A tiny test customer.
    brief: Tina wants her money back.
    difficulty: 1
    industry: testing
    mood:
      start: 60
    facts:
      - topic: money
        asked_by: [amount, how much]
        answer: "It was forty pounds exactly."
    start: upset
    states:
      upset:
        lines: ["Where is my money?"]
        transitions:
          - to: heard
            on: [apology, empathy]
          - to: gone
            on: [rude]
          - to: boss
            on: [escalation_offer]
      heard:
        lines: ["Fine. What will you do?"]
        transitions:
          - to: done
            on: [solution]
          - to: gone
            on: [rude]
      done:
        outcome: resolved
        lines: ["Thanks, that sorts it."]
      gone:
        outcome: customer_left
        lines: ["Bye."]
      boss:
        outcome: escalated
        lines: ["Put them on."]
    """
)
SORRY = "I'm so sorry about this, that must be really frustrating."
FIX = "I've refunded the forty pounds to your card just now."
RUDE = "Stop whining, you idiot."


@pytest.fixture(scope="module")
def tiny():
    return load_text(TINY, "tiny.yaml")


def cases(yaml_text: str) -> list[Case]:
    return load_cases_text(textwrap.dedent(yaml_text), "cases.yaml")


def problems(yaml_text: str) -> list[str]:
    with pytest.raises(CasesInvalid) as e:
        cases(yaml_text)
    return [str(p) for p in e.value.problems]


def one(tiny, **fields) -> selftest.CaseResult:
    fields.setdefault("outcomes", ("resolved",))
    (result,) = run_cases(tiny, [Case(name="c", **fields)])
    return result


# -- the runner ------------------------------------------------------------------------------


def test_a_passing_case_reports_its_transcript(tiny) -> None:
    r = one(tiny, lines=(SORRY, FIX), state="done", says="sorts it")
    assert r.status == "pass" and r.passed and r.ok and not r.why
    assert (r.outcome, r.state) == ("resolved", "done")
    assert r.opening == "Where is my money?"
    assert [t.state for t in r.turns] == ["heard", "done"]
    assert "apology" in r.turns[0].labels and "solution" in r.turns[1].labels
    assert r.turns[-1].customer == r.last_line == "Thanks, that sorts it."


def test_a_failing_case_says_why_for_every_unmet_expectation(tiny) -> None:
    r = one(tiny, lines=(RUDE,), state="done", mood=(0, 10), says="thanks", topic="money")
    assert r.status == "fail" and not r.ok and failures([r]) == [r]
    assert r.outcome == "customer_left" and r.state == "gone"
    assert any(w.startswith("outcome: expected resolved, got customer_left") for w in r.why)
    assert any(w.startswith("state: expected done, got gone") for w in r.why)
    assert any(w.startswith("mood: expected 0-10, got") for w in r.why)
    assert any(w.startswith("says:") for w in r.why) and any(w.startswith("topic:") for w in r.why)
    assert len(r.why) == 5


def test_outcome_may_be_a_list_and_lines_running_out_is_unfinished(tiny) -> None:
    assert one(tiny, lines=(RUDE,), outcomes=("escalated", "customer_left")).passed
    r = one(tiny, lines=(SORRY,), outcomes=("unfinished",), state="heard")
    assert r.passed and r.outcome == "unfinished"


def test_mood_range_includes_both_ends(tiny) -> None:
    mood = one(tiny, lines=(SORRY,), outcomes=("unfinished",)).mood
    assert one(tiny, lines=(SORRY,), outcomes=("unfinished",), mood=(mood, mood)).passed
    assert not one(tiny, lines=(SORRY,), outcomes=("unfinished",), mood=(mood + 1, 100)).passed


def test_says_ignores_case_and_spacing_and_topic_matches_the_facts_answer(tiny) -> None:
    line = "Could you tell me how much it was?"
    r = one(tiny, lines=(line,), outcomes=("unfinished",), says="FORTY   pounds", topic="money")
    assert r.passed, r.why
    assert "It was forty pounds exactly." in r.last_line


def test_play_stops_when_the_conversation_ends_and_counts_what_was_left(tiny) -> None:
    r = one(tiny, lines=(SORRY, FIX, "Anything else?", "Bye now."))
    # the acceptance (FIX) waits for the wrap-up; the goodbye that answers it ends the conversation
    assert r.passed and len(r.turns) == 3 and r.unplayed == 1
    assert r.turns[1].customer == "Thanks, that sorts it." and r.turns[2].customer in engine.DEFAULT_GOODBYE.all()


def test_an_acceptance_on_the_capped_turn_still_resolves(tiny) -> None:
    r = run_cases(tiny, [Case("capped", (SORRY, FIX, "Anything else?"), ("resolved",))], max_turns=2)[0]
    assert r.passed and r.outcome == "resolved" and len(r.turns) == 2 and r.unplayed == 1


def test_the_service_turn_cap_ends_a_long_case_as_unfinished(tiny) -> None:
    assert selftest._service_turn_cap() == 40  # README: a session reaching 40 turns ends as unfinished
    lines = tuple(f"Let me check that for you ({i})." for i in range(6))
    r = run_cases(tiny, [Case("long", lines, ("unfinished",))], max_turns=3)[0]
    assert r.passed and len(r.turns) == 3 and r.unplayed == 3


def test_a_seed_makes_a_case_reproducible(tiny) -> None:
    persona = Library.load(PERSONAS / "double-billing.yaml").get("double-billing")
    a = one(persona, lines=("Hello.", SORRY), outcomes=("unfinished",), seed=7)
    b = one(persona, lines=("Hello.", SORRY), outcomes=("unfinished",), seed=7)
    assert a.to_dict() == b.to_dict() and a.case.seed == 7


def test_xfail_is_reported_but_not_held_against_the_persona_and_xpass_says_so(tiny) -> None:
    known = one(tiny, lines=(RUDE,), xfail="the engine cannot do this yet")
    assert known.status == "xfail" and known.ok and not known.passed and failures([known]) == []
    fixed = one(tiny, lines=(SORRY, FIX), xfail="was broken")
    assert fixed.status == "xpass" and fixed.ok and fixed.passed


def test_names_the_persona_lacks_fail_the_case_with_a_did_you_mean(tiny) -> None:
    c = Case("typo", (SORRY,), ("unfinished",), state="herd", topic="mony", file="cases.yaml", line=3,
             lines_at={"state": 5, "topic": 6})
    got = [str(p) for p in check_cases(tiny, [c])]
    assert got[0].startswith("cases.yaml:5: tests: case 'typo': state 'herd' is not a state of tiny.")
    assert "Did you mean 'heard'?" in got[0]
    assert got[1].startswith("cases.yaml:6:") and "Did you mean 'money'?" in got[1]
    r = run_cases(tiny, [c])[0]
    assert r.status == "fail" and any("Did you mean 'heard'" in w for w in r.why)


def test_a_state_that_contradicts_the_outcome_is_a_problem(tiny) -> None:
    c = Case("contradiction", (RUDE,), ("resolved",), state="gone", file="c.yaml", line=2)
    (p,) = check_cases(tiny, [c])
    assert "ends the conversation as customer_left, but outcome says resolved" in p.message


@pytest.mark.parametrize(("kind", "cut"), [("excellent", None), ("excellent", 6), ("robotic", None), ("hostile", None)])
async def test_the_runner_plays_exactly_as_the_service_does(tmp_path: Path, kind: str, cut: int | None) -> None:
    """If the service's reply path changes (cleaning, the closing phase, the turn cap), this says so.
    The cut excellent script stops just after the customer accepts, during the wrap-up."""
    lib = Library.load(PERSONAS)
    lines = [x for x in (ROOT / f"tests/data/scripts/double-billing/{kind}.txt").read_text().splitlines() if x]
    lines = ["  Hello\u200b there.  ", *lines][:cut]  # cleaned the same way
    store = await Store.open(tmp_path / "s.sqlite3")
    try:
        service = HotseatService(store, lib)
        who = Who("local", "C1", "U1", "trainee")
        opened = await begin(service, who, "double-billing", seed=3)
        said, ending = [], None
        for line in lines:
            events = await service.reply(who, line)
            said += [e for e in events if isinstance(e, CustomerSaid)]
            ending = next((e for e in events if isinstance(e, Ended)), None)
            if ending is not None:
                break
        if ending is None:  # the lines ran out: the trainee ends it
            ending = next(e for e in await service.end(who) if isinstance(e, Ended))
        outcome = ending.outcome
    finally:
        await store.close()
    (r,) = run_cases(lib.get("double-billing"), [Case("same", tuple(lines), ("resolved",), seed=3)])
    assert r.opening == opened[0].customer
    assert [(t.trainee, set(t.labels), t.customer, t.state, t.mood) for t in r.turns] == [
        (e.turn.trainee, set(e.turn.labels), e.customer, e.state, e.mood) for e in said
    ]
    assert r.outcome == outcome


# -- reading cases ---------------------------------------------------------------------------


def test_a_cases_file_reads_every_field() -> None:
    (c,) = cases(
        """\
        tests:
          - name: all of it
            lines: ["Hello.", "Sorry."]
            outcome: [escalated, customer_left]
            state: gone
            mood: [40, 100]
            says: bye
            topic: money
            seed: 4
            xfail: not yet
        """
    )
    assert c == Case("all of it", ("Hello.", "Sorry."), ("escalated", "customer_left"), "gone", (40, 100), "bye",
                     "money", 4, "not yet", "cases.yaml", 2)
    assert c.where("mood") == "cases.yaml:6"


def test_a_persona_file_reads_only_its_tests_and_still_loads(tmp_path: Path) -> None:
    text = TINY + "tests:\n  - name: ok\n    lines: [\"Sorry.\"]\n    outcome: unfinished\n"
    assert load_text(text).id == "tiny"
    path = tmp_path / "tiny.yaml"
    path.write_text(text)
    (c,) = load_cases(path)
    assert c.name == "ok" and c.line == 41 and c.seed == selftest.DEFAULT_SEED
    assert load_cases_text(TINY) == []  # no tests: no cases, no problem


def test_malformed_tests_never_stop_the_persona_loading() -> None:
    text = TINY + "tests:\n  - name: broken\n    lines: [Hi]\n    outcom: resolved\n"
    assert load_text(text).id == "tiny"
    (msg,) = [str(p) for p in pytest.raises(CasesInvalid, load_cases_text, text, "p.yaml").value.problems]
    assert msg.startswith("p.yaml:43:") and "'outcom' is not a known key" in msg and "Did you mean 'outcome'?" in msg


@pytest.mark.parametrize(
    ("body", "line", "words"),
    [
        ("  - lines: [Hi]\n    outcome: resolved\n", 2, "needs 'name:'"),
        ("  - name: a\n    outcome: resolved\n", 2, "needs 'lines:', the trainee's messages"),
        ("  - name: a\n    lines: [Hi]\n", 2, "needs 'outcome:', how the conversation must end"),
        ("  - name: a\n    lines: [Hi]\n    outcome: resolvd\n", 4, "Did you mean 'resolved'?"),
        ("  - name: a\n    lines: [Hi]\n    outcome: [resolved, lft]\n", 4, "'lft' is not an outcome"),
        ("  - name: a\n    lines: Hi\n    outcome: resolved\n", 3, "must be a list of the trainee's messages"),
        ("  - name: a\n    lines: [Hi, \"  \"]\n    outcome: resolved\n", 3, "That message is empty"),
        ("  - name: a\n    lines: [Hi, 42]\n    outcome: resolved\n", 3, "must be text"),
        ("  - name: a\n    lines: [Hi]\n    outcome: resolved\n    mood: 40\n", 5, "must be a range; write it as [low, high]"),
        ("  - name: a\n    lines: [Hi]\n    outcome: resolved\n    mood: {below: 40}\n", 5, "must be a range"),
        ("  - name: a\n    lines: [Hi]\n    outcome: resolved\n    mood: [50, 10]\n", 5, "low end above its high end"),
        ("  - name: a\n    lines: [Hi]\n    outcome: resolved\n    mood: [0, 140]\n", 5, "is 140; it must be from 0 to 100"),
        ("  - name: a\n    lines: [Hi]\n    outcome: resolved\n    seed: -1\n", 5, "is -1; it must be from 0"),
        ("  - name: a\n    lines: [Hi]\n    outcome: resolved\n    state: two words\n", 5, "must be the name of one"),
        ("  - name: a\n    lines: [Hi]\n    outcome: resolved\n    says: \"\"\n", 5, "must be non-empty text"),
        ("  - name: a\n    lines: [Hi]\n    outcome: resolved\n  - name: a\n    lines: [Hi]\n    outcome: resolved\n",
         5, "'a' is already the name of case 1"),
        ("  - just a line\n", 2, "must be a test case (name, lines, outcome, ...) written as 'key: value' lines"),
    ],
)
def test_malformed_cases_name_the_line_and_the_fix(body: str, line: int, words: str) -> None:
    got = problems("tests:\n" + body)
    assert any(p.startswith(f"cases.yaml:{line}:") and words in p for p in got), got


def test_too_many_lines_for_the_turn_cap_is_a_problem() -> None:
    lines = "".join(f"      - line {i}\n" for i in range(45))
    (p,) = problems(f"tests:\n  - name: a\n    outcome: unfinished\n    lines:\n{lines}")
    assert "has 45 lines, but a conversation ends after 40 turns; the last 5 would never be played" in p


def test_a_cases_file_must_hold_tests_alone() -> None:
    first, *_ = problems("test:\n  - name: a\n")
    assert first.startswith("cases.yaml:2: test: 'test' is not a known key here.") and "Did you mean 'tests'?" in first
    (p,) = problems("# nothing but a comment\n{}\n")
    assert "needs 'tests:'" in p
    (p,) = problems("tests: {name: a}\n")
    assert p.startswith("cases.yaml:1: tests: must be a list of test cases")


def test_yaml_errors_and_unreadable_files_are_problems_not_crashes(tmp_path: Path) -> None:
    (p,) = problems("tests:\n  - name: a\n    lines: [Hi\n")
    assert p.startswith("cases.yaml:") and "not valid YAML" in p
    with pytest.raises(CasesInvalid) as e:
        load_cases(tmp_path / "missing.yaml")
    assert "cannot read the file" in str(e.value)


def test_every_problem_is_reported_at_once() -> None:
    got = problems("tests:\n  - name: a\n    lines: []\n    outcome: won\n  - nme: b\n    lines: [Hi]\n    outcome: resolved\n")
    assert len(got) == 3, got  # empty lines, bad outcome, unknown key 'nme' (then read as name): nothing that follows
    assert got[0].startswith("cases.yaml:5:")  # problems with keys first, as the loader orders them


# -- the command -----------------------------------------------------------------------------


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(["personas", "test", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_cli_prints_pass_and_fail_with_the_failures_transcript(tmp_path: Path, capsys) -> None:
    persona = write(tmp_path, "tiny.yaml", TINY + textwrap.dedent(f"""\
        tests:
          - name: an apology and a fix resolve it
            lines: ["{SORRY}", "{FIX}"]
            outcome: resolved
          - name: rudeness resolves it (wrong on purpose)
            lines: ["{RUDE}"]
            outcome: resolved
            mood: [0, 30]
        """))
    code, out, _ = run_cli(capsys, str(persona))
    assert code == 1
    assert "  ✓ an apology and a fix resolve it\n" in out
    assert f"  ✗ rudeness resolves it (wrong on purpose)  ({persona}:44)" in out
    assert "outcome: expected resolved, got customer_left" in out and "mood: expected 0-30, got" in out
    assert "transcript (seed 0):" in out and "Tina: Where is my money?" in out
    assert f"1. you> {RUDE}" in out and "labels: " in out and "rude" in out
    assert "Tina: Bye." in out and "state: gone" in out and "anger" in out
    assert out.rstrip().endswith("2 case(s): 1 passed, 1 failed, 0 known failure(s).")


def test_cli_exit_0_when_all_pass_and_json_for_machines(tmp_path: Path, capsys) -> None:
    persona = write(tmp_path, "tiny.yaml", TINY)
    cases_file = write(tmp_path, "tiny-cases.yaml", f"""\
        tests:
          - name: resolves
            lines: ["{SORRY}", "{FIX}"]
            outcome: resolved
          - name: known gap
            lines: ["{SORRY}"]
            outcome: resolved
            xfail: the engine cannot yet
        """)
    code, out, _ = run_cli(capsys, str(persona), "--cases", str(cases_file))
    assert code == 0 and "○ known gap  (known failure: the engine cannot yet)" in out
    code, out, _ = run_cli(capsys, str(persona), "--cases", str(cases_file), "--json")
    data = json.loads(out)
    assert code == 0 and data["ok"] is True
    assert data["summary"] == {"cases": 2, "pass": 1, "fail": 0, "xfail": 1, "xpass": 0}
    (report,) = data["personas"]
    assert report["id"] == "tiny" and report["cases_file"] == str(cases_file) and report["problems"] == []
    first = report["results"][0]
    assert first["status"] == "pass" and first["outcome"] == "resolved" and first["line"] == 2
    assert set(first["turns"][0]) == {"trainee", "labels", "customer", "state", "mood"}


def test_cli_finds_the_persona_a_cases_file_is_named_after(tmp_path: Path, capsys) -> None:
    write(tmp_path, "tiny.yaml", TINY)
    (tmp_path / "cases").mkdir()
    cases_file = write(tmp_path / "cases", "tiny.yaml", f'tests:\n  - name: a\n    lines: ["{RUDE}"]\n    outcome: customer_left\n')
    code, out, _ = run_cli(capsys, "--personas", str(tmp_path), "--cases", str(cases_file))
    assert code == 0 and out.startswith("tiny (") and "✓ a" in out


def test_cli_exit_2_when_nothing_can_be_tested(tmp_path: Path, capsys) -> None:
    persona = write(tmp_path, "tiny.yaml", TINY)
    bad_cases = write(tmp_path, "bad.yaml", "tests:\n  - name: a\n    lines: [Hi]\n    outcom: resolved\n")
    code, out, err = run_cli(capsys, str(persona), "--cases", str(bad_cases))
    assert code == 2 and f"{bad_cases}:4:" in err and "Did you mean 'outcome'?" in err and "cannot be run" in err
    code, _, err = run_cli(capsys, str(persona), "--cases", str(tmp_path / "missing.yaml"))
    assert code == 2 and "cannot read the file" in err
    broken = write(tmp_path, "broken.yaml", TINY.replace("to: heard", "to: herd", 1))
    code, out, err = run_cli(capsys, str(broken))
    assert code == 2 and "'herd' is not a state" in err and "cannot be tested" in out


def test_cli_unknown_persona_is_exit_1(capsys) -> None:
    code, _, err = run_cli(capsys, "nobody-at-all")
    assert code == 1 and "neither a persona id nor a file" in err


def test_validate_reports_malformed_tests_but_the_persona_still_loads(tmp_path: Path, capsys) -> None:
    bad = write(tmp_path, "tiny.yaml", TINY + "tests:\n  - name: a\n    lines: [Hi]\n    outcome: resolvd\n")
    assert Library.load(bad).get("tiny").id == "tiny"
    code = cli.main(["personas", "validate", str(bad)])
    out = capsys.readouterr()
    assert code == 1 and f"{bad}:43: tests[0].outcome: 'resolvd' is not an outcome. Did you mean 'resolved'?" in out.err
    assert "0 persona(s) valid, 1 file(s) with problems." in out.out


# -- the shipped personas --------------------------------------------------------------------


LIBRARY = Library.load(PERSONAS)


def _shipped() -> list[tuple[str, Case]]:
    """Inline cases and the separate cases files; a file that cannot be read is left to
    test_shipped_cases_are_well_formed, so one typo does not stop collection."""
    sources = [(p.id, p.source) for p in LIBRARY.sorted()] + [(f.stem, f) for f in sorted(CASES_DIR.glob("*.yaml"))]
    out = []
    for pid, path in sources:
        try:
            out += [(pid, c) for c in load_cases(path)]
        except CasesInvalid:
            pass
    return out


SHIPPED = _shipped()


def test_shipped_cases_are_well_formed() -> None:
    found: list[str] = []  # the personas themselves are the loader tests' business
    for path in [p.source for p in LIBRARY.sorted()] + sorted(CASES_DIR.glob("*.yaml")):
        try:
            load_cases(path)
        except CasesInvalid as e:
            found += [str(p) for p in e.problems]
    found += [str(p) for pid, c in SHIPPED if pid in LIBRARY.personas for p in check_cases(LIBRARY.get(pid), [c])]
    assert not found, "\n".join(found)


def test_every_cases_file_names_a_shipped_persona() -> None:
    stray = [f.name for f in CASES_DIR.glob("*.yaml") if f.stem not in LIBRARY.personas]
    assert not stray, f"tests/data/persona_tests/ files with no persona of that id: {stray}"


@pytest.mark.parametrize("persona_id", sorted(LIBRARY.personas))
def test_every_shipped_persona_has_at_least_four_cases(persona_id: str) -> None:
    n = sum(1 for pid, _ in SHIPPED if pid == persona_id)
    assert n >= 4, f"{persona_id} has {n} test case(s); every shipped persona needs at least 4 (issue 11)"


@pytest.mark.parametrize(
    ("persona_id", "case"),
    [pytest.param(pid, c, id=f"{pid}: {c.name}",
                  marks=[pytest.mark.xfail(reason=c.xfail, strict=False)] if c.xfail else [])
     for pid, c in SHIPPED],
)
def test_shipped_persona_passes_its_case(persona_id: str, case: Case) -> None:
    (r,) = run_cases(LIBRARY.get(persona_id), [case])
    assert r.passed, f"{case.where()}: {'; '.join(r.why)}\n" + "\n".join(
        f"  you> {t.trainee}\n    [{', '.join(t.labels)}] {t.customer} ({t.state}, {t.mood})" for t in r.turns)


# -- the editor schema -----------------------------------------------------------------------


def _case_validator():
    from jsonschema import Draft202012Validator

    schema = json.loads((PERSONAS / "schema.json").read_text(encoding="utf-8"))
    return schema, Draft202012Validator({"$defs": schema["$defs"], "$ref": "#/$defs/testCase"})


def test_the_schema_describes_exactly_the_case_keys_selftest_reads() -> None:
    schema, _ = _case_validator()
    case = schema["$defs"]["testCase"]
    assert list(case["properties"]) == list(selftest.CASE_KEYS) and case["required"] == list(selftest.REQUIRED_CASE)
    assert schema["properties"]["tests"]["items"] == {"$ref": "#/$defs/testCase"}


def test_the_schema_accepts_the_shipped_cases_and_refuses_a_wrong_one() -> None:
    _, validator = _case_validator()
    for pid, case in SHIPPED:
        raw = case.to_dict()
        raw = {k: v for k, v in raw.items() if k in selftest.CASE_KEYS and v is not None}
        assert not list(validator.iter_errors(raw)), (pid, case.name)
    assert list(validator.iter_errors({"name": "x", "lines": ["Hi"], "outcome": "solved", "mood": [0, 140]}))


def test_topic_also_matches_an_offers_answer(tiny) -> None:
    text = TINY + 'rejects:\n  - topic: voucher\n    named_by: [voucher]\n    answer: ["A voucher? I want my money."]\n'
    persona = load_text(text, "offers.yaml")
    r = one(persona, lines=("I can give you a voucher for next time.",), outcomes=("unfinished",), topic="voucher")
    assert r.passed, (r.why, r.last_line)
    assert not one(persona, lines=(SORRY,), outcomes=("unfinished",), topic="voucher").passed
