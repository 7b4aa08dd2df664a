"""Trainers get precise, friendly errors, and a bad file never stops the good ones loading."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bot.persona.library import Library
from bot.persona.loader import PersonaInvalid, load_text
from bot.persona import loader as persona_loader

GOOD = textwrap.dedent(
    """\
    id: tiny
    name: Tina
    scenario: A tiny test customer.
    brief: Tina wants her money back.
    difficulty: 1
    industry: testing
    mood:
      start: 50
    start: upset
    states:
      upset:
        lines: ["Where is my money?"]
        transitions:
          - to: done
            on: [solution]
          - to: gone
            on: [rude]
      done:
        outcome: resolved
        lines: ["Thanks."]
      gone:
        outcome: customer_left
        lines: ["Bye."]
    """
)


def problems_of(text: str) -> list[str]:
    with pytest.raises(PersonaInvalid) as e:
        load_text(text, "p.yaml")
    return [str(p) for p in e.value.problems]


def test_a_minimal_persona_loads() -> None:
    p = load_text(GOOD)
    assert p.id == "tiny" and p.start == "upset" and p.states["done"].outcome == "resolved"
    # `on:` is a key, not YAML 1.1's boolean True
    assert p.states["upset"].transitions[0].on == frozenset({"solution"})


def test_unknown_key_names_line_and_suggests_the_right_one() -> None:
    text = GOOD.replace("difficulty: 1", "difficulty: 1\ndificulty: 2")
    (msg,) = problems_of(text)
    assert msg.startswith("p.yaml:6:") and "'dificulty' is not a known key" in msg and "difficulty" in msg


def test_wrong_type_is_explained() -> None:
    (msg,) = problems_of(GOOD.replace("difficulty: 1", "difficulty: hard"))
    assert "p.yaml:5:" in msg and "whole number from 1 to 5" in msg


def test_unknown_behaviour_label_is_reported_with_a_suggestion() -> None:
    (msg,) = problems_of(GOOD.replace("on: [solution]", "on: [sollution]"))
    assert "p.yaml:15:" in msg and "'sollution' is not a behaviour" in msg and "'solution'" in msg


def test_transition_to_an_undefined_state() -> None:
    msgs = problems_of(GOOD.replace("- to: done", "- to: dne"))
    assert any("p.yaml:14:" in m and "'dne' is not a state" in m and "Did you mean 'done'" in m for m in msgs)


def test_unreachable_state_and_no_path_to_resolved() -> None:
    text = GOOD.replace("      - to: done\n        on: [solution]\n", "")
    msgs = problems_of(text)
    assert any("states.done: no transition leads here" in m for m in msgs)
    assert any("no state with 'outcome: resolved' can be reached" in m for m in msgs)


def test_terminal_state_with_transitions() -> None:
    text = GOOD.replace(
        '    lines: ["Thanks."]\n',
        '    lines: ["Thanks."]\n    transitions:\n      - to: upset\n',
    )
    msgs = problems_of(text)
    assert any("states.done" in m and "cannot have transitions" in m for m in msgs)


def test_guard_parameters_are_checked() -> None:
    text = GOOD.replace("on: [rude]", "on: [rude]\n        if: {mood_at_least: 150, shown: [empaty]}")
    msgs = problems_of(text)
    assert any("mood_at_least" in m and "0 to 100" in m for m in msgs)
    assert any("shown" in m and "'empaty'" in m for m in msgs)


@pytest.mark.parametrize(
    "text, needle",
    [
        ("a: &x [1]\nb: *x\n", "anchors and aliases"),
        ("id: !!python/object/apply:os.system ['echo hi']\n", "tag"),
        ("id: [unclosed\n", "not valid YAML"),
        ("- just\n- a list\n", "must be a persona"),
        ("", "must be a persona"),
        ("id: a\nid: b\n", "appears twice"),
    ],
)
def test_hostile_or_malformed_yaml_is_refused_kindly(text: str, needle: str) -> None:
    msgs = problems_of(text)
    assert any(needle in m for m in msgs), msgs


def test_alias_bomb_is_refused_without_expanding() -> None:
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]\n"
        for i in range(8)
    )
    msgs = problems_of(bomb)
    assert any("anchors and aliases" in m for m in msgs)


def test_a_bad_file_never_stops_the_good_ones(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(GOOD)
    (tmp_path / "broken.yaml").write_text("id: [oops\n")
    (tmp_path / "binary.yaml").write_bytes(b"\xff\xfe\x00garbage")
    (tmp_path / "dup.yaml").write_text(GOOD)  # same id again
    lib = Library.load(tmp_path)
    assert list(lib.personas) == ["tiny"]
    files = {Path(p.file).name for p in lib.problems}
    assert {"broken.yaml", "binary.yaml"} <= files
    assert any("already used" in str(p) for p in lib.problems)


def test_every_shipped_persona_loads_and_plays_differently() -> None:
    lib = Library.load()
    assert not lib.problems, "\n".join(map(str, lib.problems))
    assert len(lib.personas) >= 10
    assert {p.difficulty for p in lib.personas.values()} == {1, 2, 3, 4, 5}
    shapes = {
        (p.mood_start, tuple(sorted(p.states)), p.start) for p in lib.personas.values()
    }
    assert len(shapes) == len(lib.personas), "two personas share the same machine"


def test_the_readme_example_is_the_shipped_file_word_for_word() -> None:
    root = Path(__file__).resolve().parent.parent
    readme = (root / "README.md").read_text()
    shipped = (root / "personas" / "double-billing.yaml").read_text()
    assert "```yaml\n" + shipped + "```" in readme


# --- one typo is one problem, and a misspelt name gets a did-you-mean (issue 10) -------------

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = (ROOT / "personas" / "double-billing.yaml").read_text()
# From the loader's own tables, so adding a key to the format does not rewrite these cases.
TOP_ALLOWED = f"Allowed: {', '.join(sorted(persona_loader.TOP_KEYS))}."
STATE_ALLOWED = f"Allowed: {', '.join(sorted(persona_loader.STATE_KEYS))}."


def shipped_with(old: str, new: str) -> str:
    """double-billing.yaml with one change, which must hit the file as it is today."""
    assert old in SHIPPED, old
    return SHIPPED.replace(old, new, 1)


@pytest.mark.parametrize(
    "old, new, first",
    [
        pytest.param(
            "\nstates:\n", "\nstats:\n",
            f"p.yaml:65: stats: 'stats' is not a known key here. Did you mean 'states'? {TOP_ALLOWED}",
            id="states",
        ),
        pytest.param(
            "\nstart: upset", "\nstrat: upset",
            f"p.yaml:55: strat: 'strat' is not a known key here. Did you mean 'start'? {TOP_ALLOWED}",
            id="start",
        ),
        pytest.param(
            "    transitions:\n      - to: heard", "    transition:\n      - to: heard",
            "p.yaml:77: states.upset.transition: 'transition' is not a known key here. "
            f"Did you mean 'transitions'? {STATE_ALLOWED}",
            id="a state's transitions",
        ),
        pytest.param(
            "    lines:\n      upset:\n", "    line:\n      upset:\n",
            f"p.yaml:69: states.upset.line: 'line' is not a known key here. Did you mean 'lines'? {STATE_ALLOWED}",
            id="a state's lines",
        ),
        pytest.param(
            "  start: 70", "  strat: 70",
            "p.yaml:16: mood.strat: 'strat' is not a known key here. Did you mean 'start'? Allowed: start, weights.",
            id="mood start",
        ),
        pytest.param(
            "      - to: wants_timeline ", "      - too: wants_timeline ",
            "p.yaml:109: states.heard.transitions[1].too: 'too' is not a known key here. "
            "Did you mean 'to'? Allowed: if, on, to.",
            id="a transition's to",
        ),
        pytest.param(
            "\n  heard:\n", "\n  herd:\n",
            "p.yaml:77: states.upset.transitions[0].to: 'heard' is not a state (2 transitions go to it, "
            "on lines 77 and 91). Did you mean 'herd'? (Or, if 'herd' is the misspelt one, rename that state "
            "to 'heard'.) Define it under 'states' or use one of: angry, cancels, complaint, herd, resolved, "
            "upset, wants_timeline.",
            id="a state's name",
        ),
        pytest.param(
            "outcome: escalated", "outcome: escalate",
            "p.yaml:133: states.complaint.outcome: 'escalate' is not an outcome. Did you mean 'escalated'? "
            "Use one of resolved, escalated, customer_left.",
            id="an outcome",
        ),
    ],
)
def test_one_misspelt_key_is_one_problem_with_its_fix(old: str, new: str, first: str) -> None:
    msgs = problems_of(shipped_with(old, new))
    assert msgs[0] == first
    assert len(msgs) == 1, "\n".join(msgs)


def test_the_same_typo_in_every_state_is_one_problem_each_in_line_order() -> None:
    msgs = problems_of(SHIPPED.replace("    transitions:\n", "    transiton:\n"))
    assert [m.split(":")[1] for m in msgs] == ["77", "91", "106", "121"], msgs
    assert all("Did you mean 'transitions'?" in m for m in msgs)


def test_a_transition_without_to_adds_no_unreachable_states() -> None:
    text = shipped_with(
        "      - to: wants_timeline         # a fix without one: she asks when\n        on: [solution]\n",
        "      - on: [solution]\n",
    )
    (msg,) = problems_of(text)  # and not "states.wants_timeline: no transition leads here"
    assert msg == "p.yaml:109: states.heard.transitions[1]: needs 'to:', the state to move to", msg


def test_problems_with_keys_come_first_then_the_rest_in_line_order() -> None:
    text = shipped_with("difficulty: 2 ", "difficulty: 9 ")  # line 11
    text = text.replace("    asked_by: [charge, amount, how much, when, date, statement, transaction]",
                        "    asked_by: []", 1)  # line 30, found after the reactions
    text = text.replace("  rude:\n", "  rood:\n", 1)  # line 53
    text = text.replace("\nstart: upset", "\nstrat: upset", 1)  # line 55, a key: it decides what is read
    msgs = problems_of(text)
    assert [int(m.split(":")[1]) for m in msgs] == [55, 11, 30, 53], msgs
    assert msgs[0].startswith("p.yaml:55: strat: 'strat' is not a known key here. Did you mean 'start'?")


@pytest.mark.parametrize(
    "old, new, where, meant",
    [
        ("on: [empathy, apology, ownership, paraphrase]", "on: [empathie, apology, ownership, paraphrase]",
         "states.upset.transitions[0].on[0]", "empathy"),
        ("on: [empathy, apology, ownership]\n        if: {mood_below: 60}",
         "on: [empathy, appology, ownership]\n        if: {mood_below: 60}", "states.angry.transitions[0].on[1]", "apology"),
        ("on: [blame, dismissive, rude, argue, stonewall]", "on: [blame, dismissive, rude, argue, stonewalling]",
         "states.wants_timeline.transitions[1].on[4]", "stonewall"),
        ("on: [expectation, follow_up]", "on: [expectation, Follow Up]",
         "states.wants_timeline.transitions[0].on[1]", "follow_up"),
        ("    empathy: -12 ", "    empathie: -12 ", "mood.weights.empathie", "empathy"),
        ("    blame: 18", "    blame: 18\n    nothng: 5", "mood.weights.nothng", "nothing"),
        ("  apology:\n    - \"Okay.", "  appology:\n    - \"Okay.", "reactions.appology", "apology"),
        ("shown: [expectation]", "shown: [expectaton]", "states.heard.transitions[0].if.shown[0]", "expectation"),
        ("if: {mood_below: 60}", "if: {mood_below: 60, not_shown: [stonewalling]}",
         "states.angry.transitions[0].if.not_shown[0]", "stonewall"),
        ("{stonewall: 2}", "{stonewalling: 2}", "anywhere[1].if.count_at_least.stonewalling", "stonewall"),
        ("{mood_below: 65}", "{mood_belw: 65}", "states.upset.transitions[0].if.mood_belw", "mood_below"),
        ("      furious:\n        - \"You took", "      furius:\n        - \"You took", "states.upset.lines.furius", "furious"),
        ("outcome: customer_left", "outcome: customer_leaves", "states.cancels.outcome", "customer_left"),
        ("      - to: resolved               #", "      - to: resolvd               #",
         "states.heard.transitions[0].to", "resolved"),
        ("\nstart: upset", "\nstart: upst", "start", "upset"),
    ],
    ids=[
        "on", "on-appology", "on-stonewalling", "on-spaced-and-capitalised", "weights", "weights-nothing",
        "reactions", "shown", "not_shown", "count_at_least", "guard-name", "band", "outcome", "to", "start",
    ],
)
def test_every_misspelt_name_gets_a_did_you_mean(old: str, new: str, where: str, meant: str) -> None:
    msgs = problems_of(shipped_with(old, new))
    assert len(msgs) == 1, "\n".join(msgs)
    assert f": {where}: " in msgs[0] and f"Did you mean {meant!r}?" in msgs[0], msgs[0]


def test_guard_parameters_name_the_line_of_each_wrong_item() -> None:
    text = GOOD.replace("on: [rude]", "on: [rude]\n        if:\n          shown:\n            - empathy\n            - empaty")
    (msg,) = problems_of(text)
    assert msg.startswith("p.yaml:21: states.upset.transitions[1].if.shown[1]: 'empaty' is not a behaviour."), msg
    assert "Did you mean 'empathy'?" in msg


@pytest.mark.parametrize(
    "old, new, needle",
    [
        ("on: [solution]", "on: [nothing]", "To match any message, leave out 'on'"),
        ("on: [solution]", "on: solution, question", "write them as a list in brackets: [solution, question]"),
    ],
)
def test_a_near_miss_that_is_no_typo_is_explained(old: str, new: str, needle: str) -> None:
    (msg,) = problems_of(GOOD.replace(old, new))
    assert needle in msg, msg


def test_nothing_is_a_weight_but_not_a_reaction() -> None:
    ok = GOOD.replace("  start: 50\n", "  start: 50\n  weights: {nothing: 5}\n")
    assert load_text(ok).weights["nothing"] == 5
    (msg,) = problems_of(ok + "reactions:\n  nothing: [\"Hello?\"]\n")
    assert "reactions.nothing: 'nothing' is not a behaviour" in msg and "only mood.weights" in msg, msg
