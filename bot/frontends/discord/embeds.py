"""How the service's results look in Discord: embeds and short lines, built from data alone.

Nothing here talks to Discord, so the look is tested without a connection. Anything a
user typed (quotes, display names) passes through `shown` first: mentions are broken so
they cannot ping even if a message were sent without allowed_mentions, and markdown is
escaped so a quoted line reads as it was typed.
"""

from __future__ import annotations

import discord

from bot.core.text import clip
from bot.frontends.chat_commands import COMMANDS, INTRO, TRAINER_COMMANDS
from bot.vocab import stars
from bot.persona.records import Persona
from bot.frontends.console.render import bar, outcome_line, session_result
from bot.debrief.scoring import HINT_COST, Quote
from bot.core.events import Ended, HintGiven
from bot.core.service import Leaderboard, PastSession
from bot.frontends.trainer import Report

# Discord's limits; it refuses a whole message (400 Invalid Form Body) that breaks one.
TITLE_MAX, FIELD_MAX, TEXT_MAX, EMBED_MAX, CONTENT_MAX = 256, 1024, 4096, 6000, 2000
CHOICE_MAX = 100  # autocomplete choice names and values, and thread names
NAME_MAX = 100  # a persona's name in lines and titles: trainers may write 4,000 characters
GOOD, FAIR, POOR = discord.Colour.green(), discord.Colour.gold(), discord.Colour.red()


def shown(text: str, limit: int = 200) -> str:
    """User text made inert for display: one line, bounded, no pings, no markdown."""
    text = " ".join((text or "").split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return discord.utils.escape_markdown(discord.utils.escape_mentions(text))


def name(p: Persona) -> str:
    return clip(p.name, NAME_MAX)


def persona_choice(p: Persona) -> str:
    """An autocomplete entry: who, how hard, what happened."""
    return clip(f"{p.name} {stars(p.difficulty)} — {p.scenario}", CHOICE_MAX)


def thread_name(user_name: str, persona: Persona) -> str:
    return clip(f"{user_name or 'Trainee'} × {persona.name}", CHOICE_MAX)


def brief_embed(persona: Persona) -> discord.Embed:
    """The first message in a practice thread: who the customer is and how to play."""
    embed = discord.Embed(title=f"Practice: {name(persona)}", description=clip(persona.brief, TEXT_MAX), colour=FAIR)
    embed.add_field(name="Situation", value=clip(persona.scenario, FIELD_MAX), inline=False)
    embed.add_field(name="Difficulty", value=stars(persona.difficulty))
    embed.set_footer(
        text=f"Hotseat speaks as {name(persona)} in this thread. Reply as you would to a real customer; "
        "type hint for a coaching tip or end to finish and get your debrief."
    )
    return embed


def customer_line(persona: Persona, text: str) -> str:
    """A customer's line, named, as in a support chat transcript; clipped to fit one message."""
    return clip(f"**{name(persona)}:** {text}", CONTENT_MAX)


def hint_line(hint: HintGiven) -> str:
    text = clip(hint.text, CONTENT_MAX - 100)  # a trainer's state hint may run to 4,000 characters
    return f"💡 **Hint:** {text}\n-# Hints used: {hint.hints_used} (each costs {HINT_COST} points)"


def debrief_embed(ended: Ended) -> discord.Embed:
    """Score, per-dimension bars, outcome, conflict style, best and worst lines, tips."""
    d = ended.debrief
    colour = GOOD if d.score >= 75 else FAIR if d.score >= 50 else POOR
    embed = discord.Embed(title=f"Debrief: {name(ended.persona)}", description=_scored(ended), colour=colour)
    embed.add_field(name="Conflict style", value=clip(f"**{d.style}**. {d.style_note}", FIELD_MAX), inline=False)
    width = max(map(len, d.dimensions), default=0)
    bars = "\n".join(f"{dim:<{width}} {bar(value, 12)} {value:3d}" for dim, value in d.dimensions.items())
    if bars:
        embed.add_field(name="Scores", value=f"```\n{bars}\n```", inline=False)
    embed.add_field(name="Turns", value=str(d.turns))
    embed.add_field(name="Hints used", value=str(d.hints_used))
    for title, quotes in (("Best lines", d.best), ("Lines to rethink", d.worst)):
        if quotes:
            embed.add_field(name=title, value=clip("\n".join(map(_quote, quotes)), FIELD_MAX), inline=False)
    if d.tips:
        embed.add_field(name="Tips", value=clip("\n".join(f"• {t}" for t in d.tips), FIELD_MAX), inline=False)
    return embed


def debrief_text(ended: Ended) -> str:
    """The debrief in brief, for when Discord refuses the embed."""
    return f"**Debrief: {name(ended.persona)}**\n{_scored(ended)}"


def _scored(ended: Ended) -> str:
    who = shown(ended.user_name or "You", 80)
    return f"{who} scored **{ended.debrief.score}/100**.\n{outcome_line(ended)}"


def _quote(q: Quote) -> str:
    return f"> {shown(q.text)}\n-# turn {q.turn}: {q.note}"


def personas_embed(personas: list[Persona]) -> discord.Embed:
    embed = discord.Embed(title="Customers you can practise with", colour=FAIR)
    embed.description = clip(
        "\n".join(f"**{name(p)}** {stars(p.difficulty)} `{p.id}`\n{clip(p.scenario, 300)}" for p in personas), TEXT_MAX
    )
    embed.set_footer(text="Start one with /hotseat start and pick a persona.")
    return embed


def history_embed(user_name: str, sessions: list[PastSession]) -> discord.Embed:
    embed = discord.Embed(title=f"Sessions of {shown(user_name, 80)}", colour=FAIR)
    if not sessions:
        embed.description = "No sessions yet. Start one with /hotseat start."
        return embed
    lines = []
    for s in sessions:
        result = session_result(s, "**{score}/100**")
        lines.append(
            f"`#{s.session_id}` <t:{int(s.started_at)}:d> {clip(s.persona_name, NAME_MAX)}: {result} ({s.turns} turns)"
        )
    embed.description = clip("\n".join(lines), TEXT_MAX)
    return embed


def leaderboard_embed(board: Leaderboard) -> discord.Embed:
    scope = f", {board.persona_id}" if board.persona_id else ""
    embed = discord.Embed(title=clip(f"Leaderboard ({board.period}{scope})", TITLE_MAX), colour=GOOD)
    if board.rows:
        embed.description = "\n".join(
            f"**{i}.** {shown(r.user_name or r.user, 40)}: {r.average:.1f} average, "
            f"best {r.best} ({r.sessions} sessions)"
            for i, r in enumerate(board.rows, 1)
        )
    else:
        embed.description = "Nobody qualifies yet. Practise a few sessions to get on the board."
    embed.set_footer(text=f"Ranked by {board.metric}; at least {board.min_sessions} sessions to qualify.")
    return embed


ON_DISCORD = {"personas": "personas list", "personas upload": "personas upload file"}  # Discord's own spelling


def help_embed() -> discord.Embed:
    usage = "\n".join(
        f"`/hotseat {ON_DISCORD.get(c.name, c.name)}{' ' + c.usage if c.usage else ''}`: {c.summary}" for c in COMMANDS
    )
    trainers = "\n".join(f"`/hotseat {ON_DISCORD.get(c.name, c.name)}`: {c.summary}" for c in TRAINER_COMMANDS)
    embed = discord.Embed(title="Hotseat", description=INTRO, colour=FAIR)
    embed.add_field(name="Commands", value=usage, inline=False)
    embed.add_field(name="In your practice thread", value="Just reply, or type `hint` or `end` alone.", inline=False)
    embed.add_field(name="For trainers", value=trainers, inline=False)
    return embed


def report_embed(report: Report) -> discord.Embed:
    """A reload's or an upload's result, problems one a line. The lines quote a trainer's
    file, so each passes through `shown`: a key written as `@everyone` pings nobody."""
    lines = [f"• {shown(line, 400)}" for line in report.lines]
    if report.more:
        lines.append(f"…and {report.more} more.")
    embed = discord.Embed(
        title="Personas: done" if report.ok else "Personas: problems",
        description=clip("\n".join([shown(report.headline, 1500), *lines]), TEXT_MAX),
        colour=GOOD if report.ok else POOR,
    )
    return embed
