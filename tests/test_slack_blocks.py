"""Block Kit rendering: what Slack would refuse (too long, too many blocks) or misread (mentions)."""

from __future__ import annotations

import dataclasses
import re

from hypothesis import given, strategies as st

from bot.frontends.chat_commands import COMMANDS
from bot.core.events import Opened, Who
from bot.frontends.slack import blocks

ENTITY = re.compile(r"&(amp|lt|gt);")


@given(st.text())
def test_escaped_text_has_no_markup_and_unescapes_to_itself(text: str) -> None:
    escaped = blocks.escape(text)
    assert "<" not in escaped and ">" not in escaped and "&" not in ENTITY.sub("", escaped)
    assert blocks.unescape(escaped) == text


def _texts(payload: dict) -> list[tuple[str, int]]:
    """Every text object in a message, with the limit Slack sets for its kind."""
    found = []
    for block in payload["blocks"]:
        if block["type"] == "header":
            found.append((block["text"]["text"], blocks.HEADER_LIMIT))
        for obj in [block.get("text"), *block.get("fields", []), *block.get("elements", [])]:
            if isinstance(obj, dict) and obj.get("type") == "mrkdwn":
                found.append((obj["text"], blocks.SECTION_LIMIT))
    return found


def test_long_persona_text_is_cut_to_slacks_limits_without_breaking_an_escape(library) -> None:
    p = library.get("double-billing")
    huge = dataclasses.replace(p, name="<&>" * 100, scenario="a & b " * 1000, brief="<@U1> " * 1000)
    opened = Opened(1, huge, "Fix it <!everyone>", 70, "start", Who("T1", "C1", "U1", "ana"))
    for payload in (blocks.persona_picker([huge]), blocks.opening_message(opened)):
        for text, limit in _texts(payload):
            assert len(text) <= limit
            assert "&" not in ENTITY.sub("", text) and "<@" not in text


def test_the_opening_names_the_trainee_from_the_event_and_escapes_it(library) -> None:
    p = library.get("double-billing")

    def shown(who: Who) -> str:
        return "\n".join(t for t, _ in _texts(blocks.opening_message(Opened(1, p, "Hi", 50, "start", who))))

    assert "Practice for ana:" in shown(Who("T1", "C1", "U1", "ana"))
    assert "Practice for U1:" in shown(Who("T1", "C1", "U1"))  # no display name: the user id
    assert "Practice for ana &lt;@U2&gt; &amp; co:" in shown(Who("T1", "C1", "U1", "ana <@U2> & co"))


def test_a_big_library_still_fits_in_one_message(library) -> None:
    p = library.get("double-billing")
    many = [dataclasses.replace(p, id=f"p{i}") for i in range(45)]
    picker = blocks.persona_picker(many)
    assert len(picker["blocks"]) <= 50
    assert "`p44`" in picker["blocks"][-2]["elements"][0]["text"]  # the rest are named, not lost


def test_help_lists_every_command() -> None:
    text = "\n".join(b["text"]["text"] for b in blocks.help_message()["blocks"] if "text" in b)
    for c in COMMANDS:
        assert f"/hotseat {c.name}" in text


def test_start_buttons_name_their_persona() -> None:
    assert blocks.persona_of(blocks.start_action("late-delivery")) == "late-delivery"
    assert blocks.persona_of(blocks.start_action(None)) is None

