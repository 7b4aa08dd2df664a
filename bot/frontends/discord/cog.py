"""The `/hotseat` slash command group: typed options, persona autocomplete, and a tree whose
last-resort error handler still answers privately.

Descriptions come from bot.commands.COMMANDS so Discord, Slack and help never disagree;
each command hands straight over to Practice.
"""

from __future__ import annotations

import logging
from typing import Literal

import discord
from discord import app_commands

from bot.frontends.chat_commands import COMMANDS
from bot.frontends.adapter import user_error
from bot.persona.records import Persona

from bot.frontends.discord.delivery import answer
from bot.frontends.discord.embeds import CHOICE_MAX, persona_choice
from bot.frontends.discord.practice import STALE, Practice

log = logging.getLogger(__name__)
SUMMARY = {c.name: c.summary for c in COMMANDS}
MAX_CHOICES = 25  # Discord shows at most 25 autocomplete entries


def persona_choices(personas: list[Persona], typed: str) -> list[app_commands.Choice[str]]:
    """Personas whose id, name or situation contains what was typed so far, easiest first.

    An id longer than Discord allows for a choice value can still be typed in full.
    """
    typed = typed.strip().lower()
    hits = [p for p in personas if len(p.id) <= CHOICE_MAX and typed in f"{p.id} {p.name} {p.scenario}".lower()]
    return [app_commands.Choice(name=persona_choice(p), value=p.id) for p in hits[:MAX_CHOICES]]


class HotseatCommands(app_commands.Group):
    def __init__(self, practice: Practice) -> None:
        super().__init__(
            name="hotseat", description="Practise conflict handling with a difficult customer.", guild_only=True
        )
        self.practice = practice

    @app_commands.command(name="start", description=SUMMARY["start"])
    @app_commands.describe(persona="The customer to practise with; leave empty for a random one.")
    async def start(self, interaction: discord.Interaction, persona: str | None = None) -> None:
        await self.practice.start(interaction, persona)

    @app_commands.command(name="personas", description=SUMMARY["personas"])
    async def personas(self, interaction: discord.Interaction) -> None:
        await self.practice.personas(interaction)

    @app_commands.command(name="hint", description=SUMMARY["hint"])
    async def hint(self, interaction: discord.Interaction) -> None:
        await self.practice.hint(interaction)

    @app_commands.command(name="end", description=SUMMARY["end"])
    async def end(self, interaction: discord.Interaction) -> None:
        await self.practice.end(interaction)

    @app_commands.command(name="history", description=SUMMARY["history"])
    async def history(self, interaction: discord.Interaction) -> None:
        await self.practice.history(interaction)

    @app_commands.command(name="leaderboard", description=SUMMARY["leaderboard"])
    @app_commands.describe(period="How far back to look (default: this week).", persona="Only this customer.")
    async def leaderboard(
        self,
        interaction: discord.Interaction,
        period: Literal["week", "month", "all"] = "week",
        persona: str | None = None,
    ) -> None:
        await self.practice.leaderboard(interaction, period, persona)

    @app_commands.command(name="help", description=SUMMARY["help"])
    async def help(self, interaction: discord.Interaction) -> None:
        await self.practice.help(interaction)

    @start.autocomplete("persona")
    @leaderboard.autocomplete("persona")
    async def _personas(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return persona_choices(self.practice.service.personas(), current)


class HotseatTree(app_commands.CommandTree):
    """A command tree whose unexpected errors still reach the user, privately, in plain words."""

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        stale = isinstance(error, (app_commands.CommandNotFound, app_commands.CommandSignatureMismatch))
        try:
            await answer(interaction, STALE if stale else user_error(getattr(error, "original", error)))
        except discord.HTTPException:  # the interaction expired or Discord is down: nothing left to tell
            log.warning("could not report a command error to an interaction")
