"""Trainers get precise, friendly errors, and a bad file never stops the good ones loading."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bot.persona.library import Library
from bot.persona.loader import PersonaInvalid, load_text

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
