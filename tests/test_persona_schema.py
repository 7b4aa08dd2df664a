"""personas/schema.json: the editor-facing JSON Schema of the persona format.

Every shipped persona must match it (otherwise trainers see red squiggles on files that
load fine), it must itself be a valid draft 2020-12 schema, it must speak the same
vocabulary as the code, and it must reject the common mistakes a trainer makes.
It is generated from the loader's own tables by bot/persona/schema.py; the last tests
here fail when the committed file is stale, and say how to regenerate it.

Persona files are read with a SafeLoader that keeps mapping keys as the text written.
Plain `yaml.safe_load` follows YAML 1.1 and turns the transition key `on:` into the
boolean True; editors (yaml-language-server, YAML 1.2) and Hotseat's own loader
(bot/persona/yaml_reader.py) read it as "on", and so must this test.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from bot.persona import guards as persona_guards
from bot.persona import loader as persona_loader
from bot.persona import schema as persona_schema
from bot.persona.guards import GUARDS
from bot.persona.loader import PersonaInvalid, load_text
from bot.vocab import LABELS
from bot.core.mood import DEFAULT_WEIGHTS
from bot.vocab import BANDS
from bot.vocab import ENDINGS as OUTCOMES

ROOT = Path(__file__).resolve().parent.parent
PERSONAS = ROOT / "personas"
SCHEMA = json.loads((PERSONAS / "schema.json").read_text(encoding="utf-8"))
PERSONA_FILES = sorted(PERSONAS.glob("*.yaml"))
EDITOR_LINE = "# yaml-language-server: $schema=schema.json"


class _TextKeysLoader(yaml.SafeLoader):
    """yaml.SafeLoader, except that mapping keys stay the text written (`on`, not True)."""


def _mapping_with_text_keys(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict:
    out = {}
    for key_node, value_node in node.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else loader.construct_object(key_node)
        out[key] = loader.construct_object(value_node, deep=True)
    return out


_TextKeysLoader.add_constructor("tag:yaml.org,2002:map", _mapping_with_text_keys)


def load_persona(text: str) -> object:
    return yaml.load(text, Loader=_TextKeysLoader)  # noqa: S506 - a SafeLoader subclass


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    return Draft202012Validator(SCHEMA)


def _errors(validator: Draft202012Validator, doc: object) -> list[str]:
    return [
        f"{e.json_path}: {e.message}"
        for e in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
    ]


# --- the schema itself ---------------------------------------------------------------


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(SCHEMA)


def test_schema_speaks_the_same_vocabulary_as_the_code() -> None:
    defs = SCHEMA["$defs"]
    assert defs["behaviour"]["enum"] == list(LABELS)
    assert set(defs["weights"]["properties"]) == set(DEFAULT_WEIGHTS)
    assert set(defs["reactions"]["properties"]) == set(LABELS)
    assert set(defs["guards"]["properties"]) == set(GUARDS)
    assert set(defs["guards"]["properties"]["count_at_least"]["properties"]) == set(LABELS)
    assert defs["state"]["properties"]["outcome"]["enum"] == list(OUTCOMES)
    assert set(defs["bandedLines"]["properties"]) == set(BANDS)


def _walk(node: object, path: str = "#"):
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{path}/{i}")


def test_every_object_schema_is_closed_and_every_property_documented() -> None:
    """additionalProperties everywhere, and a title and description for editor hover text."""
    for path, node in _walk(SCHEMA):
        if node.get("type") == "object":
            assert "additionalProperties" in node, f"{path} has no additionalProperties"
        props = node.get("properties") if isinstance(node.get("properties"), dict) else {}
        for name, prop in props.items():
            assert prop.get("title") and prop.get("description"), f"{path}/properties/{name} lacks title or description"


# --- the shipped personas --------------------------------------------------------------


def test_personas_are_shipped() -> None:
    assert PERSONA_FILES, "no personas/*.yaml found"


@pytest.mark.parametrize("path", PERSONA_FILES, ids=lambda p: p.name)
def test_shipped_persona_matches_the_schema(path: Path, validator: Draft202012Validator) -> None:
    doc = load_persona(path.read_text(encoding="utf-8"))
    assert _errors(validator, doc) == []


@pytest.mark.parametrize("path", PERSONA_FILES, ids=lambda p: p.name)
def test_shipped_persona_points_editors_at_the_schema(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == EDITOR_LINE


def test_plain_safe_load_would_misread_the_on_key() -> None:
    """Why this file does not use yaml.safe_load as it is: YAML 1.1 reads `on` as True."""
    assert yaml.safe_load("on: [empathy]") == {True: ["empathy"]}
    assert load_persona("on: [empathy]") == {"on": ["empathy"]}


# --- what the schema must reject ---------------------------------------------------------

MINIMAL = """\
id: test-customer
name: Test Customer
scenario: A customer for testing the schema.
brief: A short brief.
difficulty: 2
industry: testing
tags: [test]
mood:
  start: 60
  weights: {empathy: -12, nothing: 4}
facts:
  - topic: order
    asked_by: [order, "order ?number"]
    answer: "It's order 123."
  - topic: date
    asked_by: [when]
    answer:
      calm: "Tuesday."
      furious: ["TUESDAY.", "I said Tuesday."]
reactions:
  empathy: ["Thank you."]
  blame:
    upset: ["It's not my fault."]
start: upset
anywhere:
  - to: left
    if: {turn_at_least: 10}
  - to: left
    if: {count_at_least: {stonewall: 2}, not_shown: [empathy]}
states:
  upset:
    hint: Say sorry.
    lines:
      upset: ["I'm upset."]
      calm: ["I'm fine."]
    transitions:
      - to: done
        on: [apology, empathy]
        if: {mood_below: 50, shown: [question]}
      - to: left
  done:
    outcome: resolved
    lines: ["Thanks."]
  left:
    outcome: customer_left
    lines: ["Bye."]
"""


def _minimal() -> dict:
    return load_persona(MINIMAL)


def test_the_minimal_persona_used_below_is_valid(validator: Draft202012Validator) -> None:
    assert _errors(validator, _minimal()) == []


def _set(doc: dict, path: tuple, value: object) -> None:
    node = doc
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value


def _delete(doc: dict, path: tuple) -> None:
    node = doc
    for part in path[:-1]:
        node = node[part]
    del node[path[-1]]


BROKEN = [
    # (case id, change, where the schema must report it)
    ("unknown top-level key", lambda d: _set(d, ("colour",), "red"), ()),
    ("unknown key in a state", lambda d: _set(d, ("states", "done", "line"), ["x"]), ("states", "done")),
    ("unknown key in a transition", lambda d: _set(d, ("anywhere", 0, "when"), "later"), ("anywhere", 0)),
    ("unknown key in mood", lambda d: _set(d, ("mood", "max"), 100), ("mood",)),
    ("unknown key in a fact", lambda d: _set(d, ("facts", 0, "asked"), ["x"]), ("facts", 0)),
    ("difficulty as text", lambda d: _set(d, ("difficulty",), "hard"), ("difficulty",)),
    ("difficulty out of range", lambda d: _set(d, ("difficulty",), 6), ("difficulty",)),
    ("difficulty as a fraction", lambda d: _set(d, ("difficulty",), 2.5), ("difficulty",)),
    ("unknown behaviour in on", lambda d: _set(d, ("states", "upset", "transitions", 0, "on"), ["shouting"]),
     ("states", "upset", "transitions", 0, "on", 0)),
    ("on as an empty list", lambda d: _set(d, ("states", "upset", "transitions", 0, "on"), []),
     ("states", "upset", "transitions", 0, "on")),
    ("unknown behaviour in reactions", lambda d: _set(d, ("reactions", "sympathy"), ["x"]), ("reactions",)),
    ("unknown behaviour in weights", lambda d: _set(d, ("mood", "weights", "kindness"), -5), ("mood", "weights")),
    ("weight as text", lambda d: _set(d, ("mood", "weights", "empathy"), "a lot"), ("mood", "weights", "empathy")),
    ("unknown behaviour in a shown guard", lambda d: _set(d, ("states", "upset", "transitions", 0, "if", "shown"), ["smiling"]),
     ("states", "upset", "transitions", 0, "if", "shown", 0)),
    ("unknown behaviour in count_at_least", lambda d: _set(d, ("anywhere", 1, "if", "count_at_least"), {"yelling": 2}),
     ("anywhere", 1, "if", "count_at_least")),
    ("count below one", lambda d: _set(d, ("anywhere", 1, "if", "count_at_least"), {"stonewall": 0}),
     ("anywhere", 1, "if", "count_at_least", "stonewall")),
    ("unknown guard", lambda d: _set(d, ("states", "upset", "transitions", 0, "if", "mood_above"), 50),
     ("states", "upset", "transitions", 0, "if")),
    ("bad outcome", lambda d: _set(d, ("states", "done", "outcome"), "won"), ("states", "done", "outcome")),
    ("terminal state with transitions", lambda d: _set(d, ("states", "done", "transitions"), [{"to": "upset"}]),
     ("states", "done", "transitions")),
    ("mood start above 100", lambda d: _set(d, ("mood", "start"), 150), ("mood", "start")),
    ("mood guard below 0", lambda d: _set(d, ("states", "upset", "transitions", 0, "if", "mood_below"), -1),
     ("states", "upset", "transitions", 0, "if", "mood_below")),
    ("turn guard of zero", lambda d: _set(d, ("anywhere", 0, "if", "turn_at_least"), 0),
     ("anywhere", 0, "if", "turn_at_least")),
    ("id with capitals and spaces", lambda d: _set(d, ("id",), "Test Customer"), ("id",)),
    ("id with a trailing dash", lambda d: _set(d, ("id",), "test-"), ("id",)),
    ("missing brief", lambda d: _delete(d, ("brief",)), ()),
    ("missing mood start", lambda d: _delete(d, ("mood", "start")), ("mood",)),
    ("state without lines", lambda d: _delete(d, ("states", "left", "lines")), ("states", "left")),
    ("transition without to", lambda d: _delete(d, ("anywhere", 0, "to")), ("anywhere", 0)),
    ("fact without answer", lambda d: _delete(d, ("facts", 0, "answer")), ("facts", 0)),
    ("empty lines", lambda d: _set(d, ("states", "left", "lines"), []), ("states", "left", "lines")),
    ("state lines as a single string", lambda d: _set(d, ("states", "left", "lines"), "Bye."), ("states", "left", "lines")),
    ("unknown mood band", lambda d: _set(d, ("states", "upset", "lines"), {"angry": ["Grr."]}), ("states", "upset", "lines")),
    ("empty band", lambda d: _set(d, ("states", "upset", "lines"), {"calm": []}), ("states", "upset", "lines")),
    ("blank line", lambda d: _set(d, ("states", "left", "lines"), ["   "]), ("states", "left", "lines")),
    ("answer as a number", lambda d: _set(d, ("facts", 0, "answer"), 123), ("facts", 0, "answer")),
    ("tags as text", lambda d: _set(d, ("tags",), "billing"), ("tags",)),
    ("no states", lambda d: _set(d, ("states",), {}), ("states",)),
    ("state name with a space", lambda d: _set(d, ("states", "very upset"), {"lines": ["x"], "outcome": "resolved"}),
     ("states",)),
    ("top-level $schema key", lambda d: _set(d, ("$schema",), "schema.json"), ()),
]


@pytest.mark.parametrize("change, where", [pytest.param(c, w, id=i) for i, c, w in BROKEN])
def test_schema_rejects_a_broken_persona(change, where: tuple, validator: Draft202012Validator) -> None:
    doc = _minimal()
    change(doc)
    errors = list(validator.iter_errors(doc))
    assert errors, "the schema accepted a broken persona"
    paths = [tuple(e.absolute_path) for e in errors]
    assert any(p[: len(where)] == where for p in paths), f"errors at {paths}, expected one at {where}"



# --- built from the loader's tables ------------------------------------------------------


def test_the_committed_schema_is_what_the_loader_tables_give() -> None:
    committed = (PERSONAS / "schema.json").read_text(encoding="utf-8")
    assert committed == persona_schema.render(), (
        "personas/schema.json is out of date with the loader's tables "
        f"(bot/persona/loader.py, guards.py, bot/vocab.py, bot/core/mood.py); regenerate it with: "
        f"{persona_schema.REGENERATE}"
    )


def test_the_schema_names_exactly_the_keys_the_loader_reads() -> None:
    defs = SCHEMA["$defs"]
    assert list(SCHEMA["properties"]) == list(persona_loader.TOP_KEYS)
    assert SCHEMA["required"] == list(persona_loader.REQUIRED_TOP)
    for part, keys, required in [
        (SCHEMA["properties"]["mood"], persona_loader.MOOD_KEYS, persona_loader.REQUIRED_MOOD),
        (defs["fact"], persona_loader.FACT_KEYS, persona_loader.REQUIRED_FACT),
        (defs["state"], persona_loader.STATE_KEYS, persona_loader.REQUIRED_STATE),
        (defs["transition"], persona_loader.TRANSITION_KEYS, persona_loader.REQUIRED_TRANSITION),
    ]:
        assert list(part["properties"]) == list(keys) and part["required"] == list(required)
    assert defs["text"]["maxLength"] == persona_loader.MAX_TEXT
    assert SCHEMA["properties"]["id"]["pattern"] == persona_loader.ID_RE.pattern


def test_a_changed_loader_table_makes_the_committed_schema_stale(monkeypatch, capsys) -> None:
    monkeypatch.setattr(persona_loader, "MAX_TEXT", persona_loader.MAX_TEXT + 1)
    assert persona_schema.render() != (PERSONAS / "schema.json").read_text(encoding="utf-8")
    assert persona_schema.main(["--check"]) == 1
    assert "out of date" in capsys.readouterr().err


@pytest.mark.parametrize(
    "module, name, value, table",
    [
        ("loader", "TOP_KEYS", persona_loader.TOP_KEYS + ("colour",), "TOP"),
        ("loader", "STATE_KEYS", persona_loader.STATE_KEYS + ("mood",), "STATE"),
        ("schema", "LABELS", LABELS + ("sarcasm",), "BEHAVIOURS"),
        ("guards", "GUARDS", {**GUARDS, "mood_above": GUARDS["mood_below"]}, "GUARDS"),
    ],
)
def test_a_new_name_without_hover_text_stops_the_generator(monkeypatch, module, name, value, table: str) -> None:
    monkeypatch.setattr({"loader": persona_loader, "schema": persona_schema, "guards": persona_guards}[module], name, value)
    with pytest.raises(persona_schema.SchemaOutOfStep, match=f"add it to {table} in bot/persona/schema.py"):
        persona_schema.build()


def test_the_generator_writes_the_same_file_every_time(tmp_path: Path) -> None:
    out = tmp_path / "schema.json"
    assert persona_schema.main(["--out", str(out)]) == 0
    first = out.read_text(encoding="utf-8")
    assert persona_schema.main(["--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == first == persona_schema.render()
    assert first.endswith("}\n") and json.loads(first) == persona_schema.build()
    assert persona_schema.main(["--check", "--out", str(out)]) == 0


@pytest.mark.parametrize("change, where", [pytest.param(c, w, id=i) for i, c, w in BROKEN])
def test_what_the_schema_rejects_the_loader_rejects_too(change, where: tuple) -> None:
    """The editor's red squiggle and `hotseat personas validate` agree on each mistake."""
    doc = _minimal()
    change(doc)
    with pytest.raises(PersonaInvalid):
        load_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), "p.yaml")


def test_the_minimal_persona_loads() -> None:
    assert load_text(MINIMAL).id == "test-customer"
