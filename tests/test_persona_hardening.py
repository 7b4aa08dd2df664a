"""Hostile or broken persona files: a friendly problem naming the file, never a crash or a hang.

Each reproduction of issue 9 (part 2) is a test here. Persona files come from trainers'
editors, shared folders and copy-paste, so the loader treats them as untrusted input:
the bot must start even when one file in the folder is broken in a strange way.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.persona import loader as persona_loader
from bot.persona import yaml_reader as persona_yaml
from bot.persona.library import Library
from bot.persona.loader import PersonaInvalid, load_file, load_text
from test_persona_loader import GOOD as MINIMAL  # the smallest valid persona, plus a fact below

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted((ROOT / "personas").glob("*.yaml"))

GOOD = MINIMAL.replace("start: upset\n", """start: upset
facts:
  - topic: account
    asked_by: [account, "log ?in"]
    answer: "tina@example.com"
""")


@contextlib.contextmanager
def hard_deadline(seconds: float):
    """Abort a hung call (a blocking open, a runaway loop) instead of hanging the suite."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def _expired(signum, frame):  # pragma: no cover - only runs when the code under test hangs
        raise TimeoutError(f"still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, _expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def problems_of(text: str, file: str = "p.yaml") -> list[str]:
    with hard_deadline(10):
        with pytest.raises(PersonaInvalid) as e:
            load_text(text, file)
    return [str(p) for p in e.value.problems]


def timed_problems(text: str) -> tuple[list[str], float]:
    t0 = time.perf_counter()
    msgs = problems_of(text)
    return msgs, time.perf_counter() - t0


# --- numbers the YAML library could not parse --------------------------------------------


@pytest.mark.parametrize("value", ["0x_", "0b_", "-0x_", "+0b_", "9" * 5000, "!!int many", "!!float lots", "!!bool maybe"])
def test_a_number_that_cannot_be_read_is_a_friendly_problem(value: str) -> None:
    (msg,) = problems_of(GOOD.replace("difficulty: 1", f"difficulty: {value}"))
    assert msg.startswith("p.yaml:5: "), msg
    assert "number" in msg or "true or false" in msg
    assert len(msg) < 400, "the message must not echo a 5,000-digit value back"


def test_a_long_number_elsewhere_is_refused_with_its_line() -> None:
    (msg,) = problems_of(GOOD.replace("start: 50", "start: " + "7" * 4500))
    assert msg.startswith("p.yaml:8: ") and "number" in msg


# --- trainer-written patterns --------------------------------------------------------------


@pytest.mark.parametrize("word", ["?", "??", "?refund", "refund??", "a ?? b"])
def test_a_question_mark_with_nothing_before_it_is_explained(word: str) -> None:
    msgs = problems_of(GOOD.replace('asked_by: [account, "log ?in"]', f"asked_by: [account, {word!r}]"))
    assert len(msgs) == 1, msgs
    assert msgs[0].startswith("p.yaml:12: ") and "facts[0].asked_by[1]" in msgs[0] and "'?'" in msgs[0]


def test_asked_by_patterns_still_match_as_documented() -> None:
    text = GOOD.replace('"log ?in"', '"log ?in", "colou?r", "how much", "a.b (c)", "e-?mail"')
    (fact,) = load_text(text).facts
    for said in ["I can't login", "cannot log in", "log  in", "what colour", "what color",
                 "how  much is it", "the a.b (c) thing", "my email", "my e-mail", "both accounts"]:
        assert fact.matcher(said), said
    for said in ["blog", "logo in", "much how", "axb (c)", "discount"]:
        assert not fact.matcher(said), said


def test_special_regex_characters_are_plain_text() -> None:
    text = GOOD.replace('"log ?in"', '"(a+)+$", "[x", "\\\\d"')
    (fact,) = load_text(text).facts
    assert fact.matcher("is (a+)+$ ok") and fact.matcher("[x") and fact.matcher("\\d")
    t0 = time.perf_counter()
    assert not fact.matcher("a" * 4000 + "!")
    assert time.perf_counter() - t0 < 0.5


def test_too_many_optional_letters_are_refused() -> None:
    msgs = problems_of(GOOD.replace('"log ?in"', '"a?a?a?a?a?a?a?a?a?a?aaaaaaaaaa"'))
    assert len(msgs) == 1 and msgs[0].startswith("p.yaml:12: ") and "'?'" in msgs[0]


# --- nesting ---------------------------------------------------------------------------------


def test_a_thousand_nested_brackets_are_refused_not_a_recursion_error() -> None:
    text = GOOD.replace("industry: testing", "industry: testing\ntags: " + "[" * 1000 + "]" * 1000)
    assert len(text) < 3000
    (msg,) = problems_of(text)
    assert msg.startswith("p.yaml:7: ") and "nested" in msg


def test_twenty_thousand_nested_brackets_are_refused_fast() -> None:
    text = "tags: " + "[" * 20000 + "]" * 20000 + "\n"
    assert len(text) > 40_000
    (msg,), took = timed_problems(text)
    assert msg.startswith("p.yaml:1: ") and "nested" in msg
    assert took < 1.0, f"{took:.2f} s"


@pytest.mark.parametrize(
    "deep",
    [
        "tags:\n" + "".join(" " * i + "- \n" for i in range(1, 400)),  # block lists, one a line
        "tags:\n" + "- " * 5000 + "x\n",  # block lists on one line
        "mood:\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, 300)),  # block mappings
        "tags: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n",  # flow mappings
        "tags: " + "[{a: " * 2000 + "\n",  # mixed, unclosed
    ],
)
def test_any_deep_nesting_is_refused_fast(deep: str) -> None:
    msgs, took = timed_problems(deep)
    assert any("nested" in m for m in msgs), msgs
    assert took < 1.0, f"{took:.2f} s"


# --- control characters ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "char, words",
    [("\x00", "NUL"), ("\x1b", "escape"), ("\x9b", "control"), ("\x85", "control"), ("\ufffe", "U+FFFE"), ("\x07", "control")],
)
def test_a_control_character_is_reported_with_its_line_in_plain_words(char: str, words: str) -> None:
    text = GOOD.replace("name: Tina", f"name: Ti{char}na")
    (msg,) = problems_of(text)
    assert msg.startswith("p.yaml:2: "), msg
    assert words in msg and "column 9" in msg
    assert "#x" not in msg and "position" not in msg and "unacceptable" not in msg


def test_a_control_character_in_a_file_is_reported_with_its_line(tmp_path: Path) -> None:
    f = tmp_path / "esc.yaml"
    f.write_bytes(GOOD.replace("brief: Tina", "brief: \x1b[31mTina").encode())
    with pytest.raises(PersonaInvalid) as e:
        load_file(f)
    (p,) = e.value.problems
    assert p.file == str(f) and p.line == 4 and "escape" in p.message


def test_bytes_that_are_not_utf8_name_the_line(tmp_path: Path) -> None:
    f = tmp_path / "latin1.yaml"
    f.write_bytes(GOOD.replace("Tina wants", "Tína wants").encode("latin-1"))
    with pytest.raises(PersonaInvalid) as e:
        load_file(f)
    (p,) = e.value.problems
    assert p.line == 4 and "UTF-8" in p.message


# --- what is read, and how much ------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_is_refused_without_blocking(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(GOOD)
    os.mkfifo(tmp_path / "x.yaml")
    with hard_deadline(5):
        lib = Library.load(tmp_path)
    assert list(lib.personas) == ["tiny"]
    (p,) = lib.problems
    assert p.file == str(tmp_path / "x.yaml") and "named pipe" in p.message


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_link_to_a_device_is_refused_without_reading(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(GOOD)
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    with hard_deadline(5):
        lib = Library.load(tmp_path)
    assert list(lib.personas) == ["tiny"]
    (p,) = lib.problems
    assert p.file == str(tmp_path / "zero.yaml") and "device" in p.message and "/dev/zero" in p.message


def test_a_folder_named_like_a_persona_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(GOOD)
    (tmp_path / "x.yaml").mkdir()
    lib = Library.load(tmp_path)
    assert list(lib.personas) == ["tiny"]
    (p,) = lib.problems
    assert p.file == str(tmp_path / "x.yaml") and "folder" in p.message


def test_a_huge_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    huge = tmp_path / "huge.yaml"
    with open(huge, "wb") as f:
        f.truncate(8 * 1024**3)  # sparse: 8 GB that take no disk
    t0 = time.perf_counter()
    with hard_deadline(5):
        with pytest.raises(PersonaInvalid) as e:
            load_file(huge)
    assert time.perf_counter() - t0 < 1.0
    (p,) = e.value.problems
    assert p.file == str(huge) and "larger than 256 KB" in p.message


def test_a_file_that_grows_past_the_cap_is_not_read_to_the_end(tmp_path: Path, monkeypatch) -> None:
    f = tmp_path / "growing.yaml"
    f.write_text(GOOD)
    f.write_bytes(b"# " + b"x" * (persona_yaml.MAX_BYTES + 10) + b"\n")

    def small(real):  # a file that says it is small but holds more, as /proc files and growing logs do
        return lambda *a, **k: os.stat_result((*real(*a, **k)[:6], 10, *real(*a, **k)[7:10]))

    monkeypatch.setattr(persona_yaml.os, "stat", small(os.stat))
    monkeypatch.setattr(persona_yaml.os, "fstat", small(os.fstat))
    read = []
    real_read = os.read
    monkeypatch.setattr(persona_yaml.os, "read", lambda fd, n: read.append(n) or real_read(fd, n))
    with pytest.raises(PersonaInvalid) as e:
        load_file(f)
    assert "larger than" in e.value.problems[0].message
    assert sum(read) <= persona_yaml.MAX_BYTES + 1


# --- any failure is the file's problem, not the folder's ----------------------------------------


def test_an_unexpected_error_names_the_file_and_the_folder_still_loads(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "good.yaml").write_text(GOOD)
    (tmp_path / "odd.yaml").write_text(GOOD.replace("id: tiny", "id: odd"))
    real = persona_loader._facts

    def explode(r, value, path):
        if r.file.endswith("odd.yaml"):
            raise ZeroDivisionError("boom")
        return real(r, value, path)

    monkeypatch.setattr(persona_loader, "_facts", explode)
    lib = Library.load(tmp_path)
    assert list(lib.personas) == ["tiny"]
    (p,) = lib.problems
    assert p.file == str(tmp_path / "odd.yaml") and "ZeroDivisionError" in p.message


# --- machine-wide checks in linear time --------------------------------------------------------


def big_persona(n: int) -> str:
    """A valid persona with n states in a chain: every state must be checked, none is special."""
    out = [
        "id: big", "name: Bea", "scenario: Many states.", "brief: A long walk.", "difficulty: 3",
        "industry: testing", "mood:", "  start: 50", "start: s0",
        "anywhere:", "  - to: gone", "    on: [rude]",
        "  - to: done", "    on: [solution]", "    if: {shown: [apology]}",  # a way back from anywhere (issue 11)
        "states:",
    ]
    for i in range(n):
        nxt = f"s{i + 1}" if i + 1 < n else "done"
        out.append(f"  s{i}: {{lines: [Wait.], transitions: [{{to: {nxt}, on: [empathy]}}]}}")
    out += ["  done: {outcome: resolved, lines: [Thanks.]}", "  gone: {outcome: customer_left, lines: [Bye.]}"]
    return "\n".join(out) + "\n"


def test_a_persona_with_3000_states_loads_fast() -> None:
    text = big_persona(3000)
    assert 150_000 < len(text) < persona_yaml.MAX_BYTES
    t0 = time.perf_counter()
    with hard_deadline(30):
        p = load_text(text)
    took = time.perf_counter() - t0
    assert len(p.states) == 3002
    assert took < 1.0, f"{took:.2f} s"


def test_graph_problems_in_a_big_machine_are_found_fast_and_stay_short() -> None:
    # Every state points at a missing state: 3,000 problems, each with a short list of names.
    text = big_persona(3000).replace("{to: s", "{to: x")
    msgs, took = timed_problems(text)
    assert took < 2.0, f"{took:.2f} s"
    assert sum("is not a state" in m for m in msgs) == 2999
    assert max(len(m) for m in msgs) < 600


def test_a_state_that_can_never_end_is_still_found() -> None:
    text = GOOD.replace(
        "      - to: gone\n        on: [rude]\n",
        "      - to: gone\n        on: [rude]\n      - to: loop\n        on: [blame]\n",
    ) + '  loop:\n    lines: ["Round and round."]\n    transitions:\n      - to: loop\n'
    msgs = problems_of(text)
    assert any("states.loop: from here the conversation can never end" in m for m in msgs), msgs
    # ... and an `anywhere` way out rescues it (to resolved: every state needs a way back there).
    fixed = text.replace("start: upset\n", "start: upset\nanywhere:\n  - to: done\n    if: {turn_at_least: 20}\n")
    assert load_text(fixed).states["loop"]


def test_thousands_of_misspelt_names_are_reported_fast() -> None:
    # Every one gets a did-you-mean look-up; a file full of them must not slow loading.
    words = [f"empathie{i}" for i in range(3000)]
    text = GOOD.replace("on: [rude]", "on: [" + ", ".join(words) + "]")
    text += "reactions:\n" + "".join(f"  apology{i}: [Hi.]\n" for i in range(3000))
    msgs, took = timed_problems(text)
    assert len(msgs) == 6000 and took < 2.0, f"{took:.2f} s"
    assert "Did you mean 'empathy'?" in msgs[-1] or "Did you mean 'apology'?" in msgs[-1]


# --- both YAML back ends read the same -----------------------------------------------------------


@pytest.mark.skipif(not persona_yaml.HAVE_LIBYAML, reason="libyaml is not installed")
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_libyaml_and_pure_python_read_every_shipped_file_the_same(path: Path, monkeypatch) -> None:
    text = path.read_text(encoding="utf-8")
    fast = persona_yaml.read_document(text)
    monkeypatch.setattr(persona_yaml, "HAVE_LIBYAML", False)
    slow = persona_yaml.read_document(text)
    assert fast.data == slow.data and fast.lines == slow.lines


@pytest.mark.parametrize("libyaml", [True, False], ids=["libyaml", "pure-python"])
def test_both_back_ends_refuse_the_hostile_cases(libyaml: bool, monkeypatch) -> None:
    if libyaml and not persona_yaml.HAVE_LIBYAML:
        pytest.skip("libyaml is not installed")
    monkeypatch.setattr(persona_yaml, "HAVE_LIBYAML", libyaml)
    for text, needle in [
        ("tags: " + "[" * 20000 + "\n", "nested"),
        ("tags:\n" + "".join(" " * i + "- \n" for i in range(1, 200)), "nested"),
        ("a: &x [1]\nb: *x\n", "anchors and aliases"),
        ("difficulty: 0x_\n", "number"),
        ("id: [unclosed\n", "not valid YAML"),
        ("id: a\n---\nid: b\n", "more than one"),
        ("brief: " + "x" * (persona_yaml.MAX_SCALAR + 1) + "\n", "characters"),
    ]:
        msgs, took = timed_problems(text)
        assert any(needle in m for m in msgs), (text[:40], msgs)
        assert took < 1.0


# --- property: mutated shipped files ----------------------------------------------------------

ODD = [
    b"[", b"[" * 600, b"{", b"]", b"}", b"\x00", b"\x1b", b"\xc2\x85", b"\xc2\x9b", b"\xef\xbf\xbe", b"\xff",
    b"0x_", b"0b_", b"-0x_", b"9" * 5000, b"1e999", b".nan", b"1:2:3", b"&a", b"*a", b"!!python/object:os.system",
    b"!!int x", b"!!bool x", b"!!map", b"? ", b"- ", b"\t", b"\r", b"'", b'"', b"|", b">", b"#", b": ", b"---\n",
    b"%YAML 1.1\n", b"?", b"??", b"\\", b"\xf0\x9f", b"2024-01-01", b"~", b"<<: ",
]

mutation = st.one_of(
    st.tuples(st.just("flip"), st.floats(0, 1), st.integers(0, 255)),
    st.tuples(st.just("truncate"), st.floats(0, 1), st.just(0)),
    st.tuples(st.just("insert"), st.floats(0, 1), st.sampled_from(ODD)),
    st.tuples(st.just("value"), st.floats(0, 1), st.sampled_from(ODD)),
    st.tuples(st.just("duplicate"), st.floats(0, 1), st.just(0)),
)


def mutate(raw: bytes, steps: list[tuple]) -> bytes:
    for kind, where, arg in steps:
        at = int(where * len(raw))
        if kind == "flip" and raw:
            at = min(at, len(raw) - 1)
            raw = raw[:at] + bytes([raw[at] ^ (arg or 1)]) + raw[at + 1:]
        elif kind == "truncate":
            raw = raw[:at]
        elif kind == "insert":
            raw = raw[:at] + arg + raw[at:]
        else:
            lines = raw.split(b"\n")
            i = min(int(where * len(lines)), len(lines) - 1)
            if kind == "value" and b": " in lines[i]:
                key, _, _ = lines[i].partition(b": ")
                lines[i] = key + b": " + arg  # an odd value for a real key
            elif kind == "duplicate":
                lines.insert(i, lines[i])  # duplicated keys, list items, states
            raw = b"\n".join(lines)
    return raw


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mutated")


@contextlib.contextmanager
def yaml_back_end(libyaml: bool):
    """Parse with libyaml or with PyYAML's pure-Python parser (what installs without libyaml get)."""
    saved = persona_yaml.HAVE_LIBYAML
    persona_yaml.HAVE_LIBYAML = libyaml and saved
    try:
        yield
    finally:
        persona_yaml.HAVE_LIBYAML = saved


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=st.sampled_from(SHIPPED), steps=st.lists(mutation, min_size=1, max_size=4), libyaml=st.booleans())
def test_mutated_shipped_personas_never_crash_or_hang_the_loader(
    scratch: Path, source: Path, steps: list, libyaml: bool
) -> None:
    raw = mutate(source.read_bytes(), steps)
    path = scratch / source.name
    path.write_bytes(raw)
    t0 = time.perf_counter()
    with hard_deadline(20), yaml_back_end(libyaml):
        try:
            persona = load_file(path)
        except PersonaInvalid as e:
            assert e.problems, "a refused file must say why"
            for p in e.problems:
                assert p.file == str(path), p
                assert p.message and "Traceback" not in p.message and "#x" not in p.message
        else:
            assert persona.id and persona.states
    took = time.perf_counter() - t0
    assert took < 2.0, f"{source.name} took {took:.2f} s after {steps}"
