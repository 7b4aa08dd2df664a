"""One cleaning path for trainee text: broken characters never look like a database
failure, and `hotseat classify` labels what the bot would label, in valid UTF-8 JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from bot.core.errors import BadMessage
from bot.persona.library import Library
from bot.core.service import HotseatService, Who
from bot.store.sqlite import Store
from bot.core.text import REPLACEMENT, clean_message, clean_text
from conftest import begin, said

ROOT = Path(__file__).resolve().parent.parent


def run_classify(stdin: bytes, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", "classify"], input=stdin, capture_output=True, timeout=60, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
    )


def test_a_lone_surrogate_becomes_a_replacement_character() -> None:
    assert clean_message("Hi, I'm so sorry \ud83d") == f"Hi, I'm so sorry {REPLACEMENT}"
    with pytest.raises(BadMessage, match="broken characters"):
        clean_message("\ud83d\udca9\ud83d")  # nothing readable left (a reversed pair is still broken)


def test_noncharacters_and_bidi_controls_are_dropped() -> None:
    assert clean_text("so\u200brry\ufffe \u202efor\u2066 that\uffff") == "sorry for that"


async def test_a_half_emoji_from_chat_is_a_turn_not_a_database_failure(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "h.sqlite3")
    try:
        service = HotseatService(store, Library.load())
        who = Who("local", "C1", "U1", "ana")
        await begin(service, who, "double-billing", seed=1)
        reply = said(await service.reply(who, "Hi Dana, I'm so sorry about the double charge \ud83d"))
        assert reply.turn.trainee.endswith(REPLACEMENT)
        view = await service.current(who)
        [turn] = await store.turns(view.session_id)  # stored, and read back, as valid text
        assert turn.trainee == reply.turn.trainee
    finally:
        await store.close()


@pytest.mark.parametrize("env", [{"PYTHONIOENCODING": "utf-8"}, {"LC_ALL": "C.UTF-8"}, {"LC_ALL": "C"}])
def test_classify_survives_undecodable_bytes_and_prints_valid_json(env: dict[str, str]) -> None:
    out = run_classify(b"I'm so sorry \xff about that\nCould you share your order number?\n\xfe\xfe\n", env)
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.decode("utf-8").splitlines()]  # strict UTF-8, valid JSON
    assert len(rows) == 3
    assert rows[0]["text"] == f"I'm so sorry {REPLACEMENT} about that" and "apology" in rows[0]["labels"]
    assert "question" in rows[1]["labels"]
    assert rows[2]["labels"] == [] and "broken characters" in rows[2]["error"]


def test_classify_cleans_text_the_way_the_bot_does() -> None:
    out = run_classify("I\u2019m so\u200b sorry\u202e for the wait\n".encode(), {})
    [row] = [json.loads(line) for line in out.stdout.decode().splitlines()]
    assert row["text"] == "I\u2019m so sorry for the wait" and "apology" in row["labels"]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec=None, exclude_categories=[]), max_size=200))
def test_cleaned_text_is_always_storable_utf8(text: str) -> None:
    cleaned = clean_text(text)
    cleaned.encode("utf-8")  # never raises: no surrogate survives
    try:
        assert clean_message(text) == cleaned
    except BadMessage as e:
        assert str(e)


ANY_TEXT = st.text(alphabet=st.one_of(st.characters(), st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)),
                   max_size=300)


@settings(max_examples=60, deadline=None)
@given(ANY_TEXT)
def test_reply_to_any_text_is_a_turn_or_a_kind_refusal(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    """Whatever a chat platform hands over, lone surrogates included: the turn is stored
    and answered, or refused with a message for the trainee; never a database error."""
    import asyncio

    async def one() -> None:
        store = await Store.open(tmp_path_factory.mktemp("prop") / "p.sqlite3")
        try:
            service = HotseatService(store, Library.load())
            who = Who("local", "C1", "U1", "ana")
            await begin(service, who, "double-billing", seed=1)
            try:
                reply = said(await service.reply(who, text))
            except BadMessage as e:
                assert str(e)
                return
            reply.turn.trainee.encode("utf-8")
            assert reply.customer
        finally:
            await store.close()

    asyncio.run(one())


@settings(max_examples=200, deadline=None)
@given(ANY_TEXT)
def test_classify_any_text_lone_surrogates_included(text: str) -> None:
    from bot.classifier import classify

    for d in classify(text):
        assert text[d.start:d.end] == d.text


async def test_a_value_the_database_cannot_hold_is_not_called_a_database_failure(tmp_path: Path) -> None:
    """Half an emoji in a display name from a chat platform: the user is told what is wrong
    with the value, never that Hotseat cannot reach its database."""
    from bot.store.sqlite import StoreError

    store = await Store.open(tmp_path / "v.sqlite3")
    try:
        with pytest.raises(BadMessage) as err:
            await store.create_session(workspace="w", channel="c", user="u", user_name="ana \ud83d",
                                       persona_id="double-billing", seed=1, engine={}, now=1.0)
        assert not isinstance(err.value, StoreError) and "broken characters" in str(err.value)
        assert await store.find_active("w", "c", "u") is None  # nothing half-written
    finally:
        await store.close()
