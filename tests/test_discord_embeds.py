"""The Discord look, without a connection: Discord's size limits hold for any debrief, and
nothing a trainee typed can come back as a live mention or markdown."""

from __future__ import annotations

from dataclasses import replace

import discord
from hypothesis import given
from hypothesis import strategies as st

from bot.frontends.discord import embeds
from bot.frontends.discord.delivery import typing_delay
from bot.debrief.scoring import DIMENSIONS, Debrief, Quote
from bot.core.events import Ended, HintGiven, Who

LIVE = ("@everyone", "@here", "<@1234567890123456789>", "<@&1234567890123456789>", "<@!1234567890123456789>")


def ending(library, text: str, *, name: str = "Ana", tips: int = 3, score: int = 64) -> Ended:
    quotes = tuple(Quote(i, text, ("apology",), "Named the problem and owned it. " * 3) for i in range(1, 4))
    tips_ = tuple("Ask an open question before you fix it. " * 4 for _ in range(tips))
    dimensions = {d: 50 + i for i, d in enumerate(DIMENSIONS)}
    style_note = "You backed off. " * 5
    debrief = Debrief(score, dimensions, "escalated", "avoiding", style_note, quotes, quotes, tips_, 2, 9, {})
    who = Who("G1", "C1", "U1", name)
    return Ended(7, library.get("double-billing"), "escalated", "ended", debrief, "end", who, "T1")


@given(st.text(min_size=0, max_size=300) | st.sampled_from(LIVE).map(lambda m: f"hi {m}, **bold** `x`"))
def test_shown_text_never_carries_a_live_mention(text: str) -> None:
    out = embeds.shown(text)
    assert not any(m in out for m in LIVE)
    assert len(out) <= 2 * 200 + 1 and "\n" not in out  # bounded, one line (escaping at most doubles it)


def test_shown_keeps_the_words_and_escapes_markdown() -> None:
    assert embeds.shown("I'm **so** sorry @everyone") == "I'm \\*\\*so\\*\\* sorry @\u200beveryone"
    assert embeds.shown("x" * 500, 20) == "x" * 19 + "…"


def test_a_debrief_fits_discords_limits_however_long_the_lines(library) -> None:
    embed = embeds.debrief_embed(ending(library, "I'm sorry " * 400, name="N" * 200, tips=40))
    assert len(embed) <= 6000 and len(embed.title) <= 256 and len(embed.description) <= 4096
    assert all(len(f.value) <= 1024 and len(f.name) <= 256 for f in embed.fields)


def test_a_debrief_shows_score_bars_outcome_style_quotes_and_tips(library) -> None:
    embed = embeds.debrief_embed(ending(library, "@here it's on me, **really**", name="@everyone"))
    fields = {f.name: f.value for f in embed.fields}
    assert embed.title == "Debrief: Dana Whitfield" and embed.colour == embeds.FAIR
    assert embed.description.startswith("@\u200beveryone scored **64/100**.\nEscalated")
    assert "(you ended it)" in embed.description
    assert fields["Conflict style"].startswith("**avoiding**. You backed off.")
    assert fields["Scores"].splitlines()[1] == "empathy         ██████░░░░░░  50"
    assert "> @\u200bhere it's on me, \\*\\*really\\*\\*" in fields["Best lines"]
    assert fields["Lines to rethink"].count("-# turn") == 3 and fields["Tips"].startswith("• Ask an open question")


def test_autocomplete_entries_and_thread_names_fit(library) -> None:
    assert all(len(embeds.persona_choice(p)) <= 100 for p in library.sorted())
    persona = library.get("double-billing")
    expected = "Dana Whitfield ★★☆☆☆ — A three-year subscriber was charged twice for this month's plan."
    assert embeds.persona_choice(persona) == expected
    assert embeds.thread_name("A" * 300, persona).endswith("…") and len(embeds.thread_name("A" * 300, persona)) == 100
    assert embeds.thread_name("", persona) == "Trainee × Dana Whitfield"


def test_the_typing_pause_grows_with_the_line_and_stays_short() -> None:
    assert typing_delay("") == 0.6
    assert typing_delay("x" * 50) == 1.6
    assert typing_delay("x" * 5000) == 3.0


def test_colours_follow_the_score(library) -> None:
    assert embeds.debrief_embed(ending(library, "ok", score=80)).colour == discord.Colour.green()
    assert embeds.debrief_embed(ending(library, "ok", score=49)).colour == discord.Colour.red()


def test_persona_text_at_the_loaders_limit_fits_every_discord_limit(library) -> None:
    """Trainers may write 4,000 characters in any field; Discord refuses a whole message over its limits."""
    persona = replace(library.get("double-billing"), name="N" * 4000, scenario="S" * 4000, brief="B" * 4000)
    brief = embeds.brief_embed(persona)
    assert len(brief) <= 6000 and len(brief.title) <= 256 and len(brief.description) <= 4096
    assert all(len(f.value) <= 1024 for f in brief.fields) and len(brief.footer.text) <= 2048
    debrief = embeds.debrief_embed(replace(ending(library, "ok"), persona=persona))
    assert len(debrief) <= 6000 and len(debrief.title) <= 256
    assert len(embeds.personas_embed([persona] * 3)) <= 6000
    assert len(embeds.customer_line(persona, "x" * 4000)) == 2000
    assert len(embeds.hint_line(HintGiven(1, "h" * 4000, 1))) <= 2000
    assert len(embeds.thread_name("Ana", persona)) == 100 and len(embeds.persona_choice(persona)) == 100

