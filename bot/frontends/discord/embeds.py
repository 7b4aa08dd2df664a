"""How the service's results look in Discord: embeds and short lines, built from data alone.

Nothing here talks to Discord, so the look is tested without a connection. Anything a
user typed (quotes, display names) passes through `shown` first: mentions are broken so
they cannot ping even if a message were sent without allowed_mentions, and markdown is
escaped so a quoted line reads as it was typed.
"""

from __future__ import annotations

import discord

from bot.core.text import clip
from bot.debrief.charts import sparkline
from bot.debrief.timeline import Moment
from bot.frontends.chat_commands import COMMANDS, INTRO, LEAD_COMMANDS, TRAINER_COMMANDS
from bot.vocab import stars
from bot.persona.records import Persona
from bot.frontends.console.render import bar, outcome_line
from bot.debrief.scoring import HINT_COST, Quote
from bot.core.events import Ended, HintGiven
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
    if d.timeline:
        embed.add_field(name=clip(turns_heading(d.timeline), 256), value=turning_points(d.timeline), inline=False)
    return fit_embed(embed)


def turns_heading(moments: tuple[Moment, ...]) -> str:
    return f"Turn by turn (anger {moments[0].mood_before} → {moments[-1].mood_after})"


def turn_line(m: Moment) -> str:
    """`▼ 4  36 → 24  calmed 12 points: took ownership`; turning points marked ▲ or ▼."""
    mark = ("▲" if m.delta > 0 else "▼") if m.turning_point else "·"
    return f"{mark} **{m.index}**  {m.mood_before} → {m.mood_after}  {m.reason}"


def turning_points(moments: tuple[Moment, ...]) -> str:
    """The turns that decided the conversation with their reasons, clipped to one field;
    the full list is behind the debrief's "Turn by turn" button."""
    moods = [moments[0].mood_before, *(m.mood_after for m in moments)]
    points = [turn_line(m) for m in moments if m.turning_point]
    head = f"`{sparkline(moods)}`"
    body = "\n".join(points) if points else "No single turn moved the customer 8 points or more."
    tail = "\n-# Every turn: the Turn by turn button."
    return head + "\n" + clip(body, FIELD_MAX - len(head) - len(tail) - 1) + tail


def turn_by_turn(ended: Ended) -> list[str]:
    """Every turn, one line each, for the private "Turn by turn" answer (split across
    messages by the caller)."""
    moments = ended.debrief.timeline
    if not moments:
        return ["This debrief has no turns to show: the trainee never replied."]
    moods = [moments[0].mood_before, *(m.mood_after for m in moments)]
    head = f"**{turns_heading(moments)}, {name(ended.persona)}** `{sparkline(moods)}`"
    return [head, *(turn_line(m) + (" (turning point)" if m.turning_point else "") for m in moments)]


def embed_size(embed: discord.Embed) -> int:
    footer = embed.footer.text or "" if embed.footer else ""
    return len(embed.title or "") + len(embed.description or "") + len(footer) + sum(
        len(f.name or "") + len(f.value or "") for f in embed.fields
    )


def fit_embed(embed: discord.Embed) -> discord.Embed:
    """Drop fields from the end until the embed is within Discord's 6,000 characters."""
    while embed_size(embed) > EMBED_MAX and embed.fields:
        embed.remove_field(len(embed.fields) - 1)
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


ON_DISCORD = {"personas": "personas list", "personas upload": "personas upload file"}  # Discord's own spelling
# Where Discord's options differ from the typed words (a subcommand cannot also be a group).
USAGE_ON_DISCORD = {
    "leaderboard": "leaderboard [week|month|all] [persona]`, `/hotseat volume [period]`, "
                   "`/hotseat leaderboard-optout`, `/hotseat leaderboard-optin",
    "debrief": "debrief id",
}
LEAD_USAGE_ON_DISCORD = {
    "stats": "stats user", "team": "team [sort] [order] [page]", "export": "export [format] [turns] [since] [until]",
    "drill": "drill state:on|off [time:HH:MM]",
}


def _usage(c, overrides: dict[str, str]) -> str:
    return overrides.get(c.name) or f"{ON_DISCORD.get(c.name, c.name)}{' ' + c.usage if c.usage else ''}"


def help_embed() -> discord.Embed:
    usage = "\n".join(f"`/hotseat {_usage(c, USAGE_ON_DISCORD)}`: {c.summary}" for c in COMMANDS)
    trainers = "\n".join(f"`/hotseat {ON_DISCORD.get(c.name, c.name)}`: {c.summary}" for c in TRAINER_COMMANDS)
    embed = discord.Embed(title="Hotseat", description=INTRO, colour=FAIR)
    embed.add_field(name="Commands", value=clip(usage, FIELD_MAX), inline=False)
    embed.add_field(name="In your practice thread", value="Just reply, or type `hint` or `end` alone.", inline=False)
    embed.add_field(name="For trainers", value=trainers, inline=False)
    leads = "\n".join(f"`/hotseat {_usage(c, LEAD_USAGE_ON_DISCORD)}`: {c.summary}" for c in LEAD_COMMANDS)
    embed.add_field(name="For leads", value=clip(leads, FIELD_MAX), inline=False)
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
