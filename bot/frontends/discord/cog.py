"""The `/hotseat` command group and the thread listener, as one GroupCog: typed options,
persona autocomplete, and each payload handed straight to the ConversationHandler.

Descriptions come from chat_commands.COMMANDS so Discord, Slack and help never disagree.
`personas` is a subgroup (`list`, and for trainers `reload` and `upload`): Discord cannot
have a command and a group of one name, and an upload needs its own attachment option.
"""

from __future__ import annotations

import logging
from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.errors import HotseatError
from bot.core.events import Who
from bot.core.service import PERIODS
from bot.frontends.chat_commands import COMMANDS, TRAINER_COMMANDS
from bot.frontends.conversation import ConversationHandler
from bot.frontends.discord import embeds
from bot.frontends.discord.delivery import answer
from bot.frontends.discord.ports import DiscordPort
from bot.frontends.notes import user_error
from bot.frontends.roles import Role, Roles
from bot.frontends.trainer import NOT_TRAINER_RELOAD, PersonaDesk, require
from bot.persona.records import Persona

log = logging.getLogger(__name__)
SUMMARY = {c.name: c.summary for c in (*COMMANDS, *TRAINER_COMMANDS)}
NOT_DOWNLOADED = "I could not download that attachment from Discord. Please try again in a moment."
MAX_CHOICES = 25  # Discord shows at most 25 autocomplete entries
START_HERE = "Start a practice session from a text channel of a server; I'll open a thread for it there."
SERVER_ONLY = "Hotseat's commands work in a server's channels, where your sessions and leaderboard live."
STALE = "That command changed since Discord last loaded it. Wait a minute or reload Discord, then try again."


def persona_choices(personas: list[Persona], typed: str) -> list[app_commands.Choice[str]]:
    """Personas whose id, name or situation contains what was typed so far, easiest first.

    An id longer than Discord allows for a choice value can still be typed in full.
    """
    typed = typed.strip().lower()
    hits = [p for p in personas if len(p.id) <= embeds.CHOICE_MAX and typed in f"{p.id} {p.name} {p.scenario}".lower()]
    return [app_commands.Choice(name=embeds.persona_choice(p), value=p.id) for p in hits[:MAX_CHOICES]]


def trainee(user: discord.abc.User, guild_id: int | None, channel_id: int | None) -> Who:
    return Who(str(guild_id), str(channel_id), str(user.id), user.display_name)


def role_of(roles: Roles, interaction: discord.Interaction) -> Role:
    """By the user's id or any of their roles in this server."""
    user = interaction.user
    return roles.role_of(str(user.id), [str(r.id) for r in getattr(user, "roles", ())])


def where(interaction: discord.Interaction) -> tuple[Who, str | None]:
    """The trainee, and the thread key when the command was used in a practice thread.

    In a thread Hotseat did not open, a command means the user's session in its channel.
    """
    if interaction.guild_id is None:
        raise HotseatError(SERVER_ONLY)
    channel = interaction.channel
    if isinstance(channel, discord.Thread):
        me = interaction.client.user
        key = str(channel.id) if me is not None and channel.owner_id == me.id else None
        return trainee(interaction.user, interaction.guild_id, channel.parent_id), key
    return trainee(interaction.user, interaction.guild_id, interaction.channel_id), None


@app_commands.guild_only()
class Hotseat(
    commands.GroupCog, name="hotseat", group_name="hotseat",
    group_description="Practise conflict handling with a difficult customer.",
):
    personas_group = app_commands.Group(name="personas", description=SUMMARY["personas"])

    def __init__(
        self, bot: discord.Client, handler: ConversationHandler, *, typing: bool = True, roles: Roles = Roles()
    ) -> None:
        self.bot = bot
        self.handler = handler
        self.service = handler.service  # for the read-only lists: personas, history, leaderboard
        self.typing = typing
        self.roles = roles
        self.desk = PersonaDesk(handler.service)
        super().__init__()

    def port(self, interaction: discord.Interaction | None = None, **where: object) -> DiscordPort:
        return DiscordPort(self.bot, typing=self.typing, interaction=interaction, **where)

    # -- starting ---------------------------------------------------------------------
    @app_commands.command(name="start", description=SUMMARY["start"])
    @app_commands.describe(persona="The customer to practise with; leave empty for a random one.")
    async def start(self, interaction: discord.Interaction, persona: str | None = None) -> None:
        await self.open(interaction, interaction.channel, persona)

    async def again(self, interaction: discord.Interaction, persona_id: str, *, other: bool) -> None:
        """A debrief button: the same customer again, or a random other one, in a new thread."""
        channel = interaction.channel
        parent = channel.parent if isinstance(channel, discord.Thread) else channel
        if other:
            await self.open(interaction, parent, None, avoid=persona_id)
        else:
            await self.open(interaction, parent, persona_id)

    async def open(
        self, interaction: discord.Interaction, channel: object, persona_id: str | None, *, avoid: str | None = None
    ) -> None:
        """A new session in its own thread under `channel`, which must be a server's text channel."""
        if interaction.guild_id is None or not isinstance(channel, discord.TextChannel):
            await answer(interaction, START_HERE)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        who = trainee(interaction.user, interaction.guild_id, channel.id)
        await self.handler.start(who, self.port(interaction, channel=channel), persona_id, avoid=avoid)

    # -- the conversation, in its thread ----------------------------------------------------
    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """A line in a thread Hotseat opened goes to the handler; everything else is not ours."""
        thread = message.channel
        me = message.guild.me if message.guild is not None else None
        if (
            message.author.bot
            or message.is_system()
            or me is None
            or not isinstance(thread, discord.Thread)
            or thread.owner_id != me.id
        ):
            return
        who = trainee(message.author, message.guild.id, thread.parent_id)
        port = self.port(message=message)
        await self.handler.message(who, message.content, port, thread=str(thread.id), source=str(message.id))

    @app_commands.command(name="hint", description=SUMMARY["hint"])
    async def hint(self, interaction: discord.Interaction) -> None:
        who, key = where(interaction)
        await interaction.response.defer(ephemeral=True)  # a slow database must not lose a hint that costs points
        await self.handler.hint(who, self.port(interaction), thread=key)

    @app_commands.command(name="end", description=SUMMARY["end"])
    async def end(self, interaction: discord.Interaction) -> None:
        who, key = where(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.handler.end(who, self.port(interaction), thread=key)

    # -- lists -------------------------------------------------------------------------
    @personas_group.command(name="list", description=SUMMARY["personas"])
    async def personas(self, interaction: discord.Interaction) -> None:
        await answer(interaction, embed=embeds.personas_embed(self.service.personas()))

    # -- for trainers ------------------------------------------------------------------------
    @personas_group.command(name="reload", description=SUMMARY["personas reload"])
    async def reload(self, interaction: discord.Interaction) -> None:
        role = role_of(self.roles, interaction)
        require(role, NOT_TRAINER_RELOAD)  # refused at once, privately
        await interaction.response.defer(ephemeral=True, thinking=True)
        await answer(interaction, embed=embeds.report_embed(await self.desk.reload(role)))

    @personas_group.command(name="upload", description=SUMMARY["personas upload"])
    @app_commands.describe(file="The persona's .yaml file; it is checked and its tests run before it goes live.")
    async def upload(self, interaction: discord.Interaction, file: discord.Attachment) -> None:
        """Role, name and size are checked on Discord's description of the file, before a
        byte of it is downloaded."""
        role = role_of(self.roles, interaction)
        self.desk.check_upload(role, file.filename, file.size)
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            data = await file.read()
        except discord.HTTPException:
            log.warning("could not download attachment %s", file.id, exc_info=True)
            raise HotseatError(NOT_DOWNLOADED) from None
        await answer(interaction, embed=embeds.report_embed(await self.desk.upload(role, file.filename, data)))

    @app_commands.command(name="history", description=SUMMARY["history"])
    async def history(self, interaction: discord.Interaction) -> None:
        who, _ = where(interaction)
        await interaction.response.defer(ephemeral=True)
        sessions = await self.service.history(who.workspace, who.user, 10)
        await answer(interaction, embed=embeds.history_embed(who.user_name, sessions))

    @app_commands.command(name="leaderboard", description=SUMMARY["leaderboard"])
    @app_commands.describe(period="How far back to look (default: this week).", persona="Only this customer.")
    async def leaderboard(
        self,
        interaction: discord.Interaction,
        period: Literal["week", "month", "all"] = "week",
        persona: str | None = None,
    ) -> None:
        """The board is public, and once deferred so is every answer: options are checked first."""
        who, _ = where(interaction)
        if period not in PERIODS:  # outside the command's choices: Discord still has an old version of it
            raise HotseatError(STALE)
        if persona:
            self.service.library.get(persona)  # an unknown one is told privately
        await interaction.response.defer(ephemeral=False)
        board = await self.service.leaderboard(who.workspace, period, persona)
        await answer(interaction, embed=embeds.leaderboard_embed(board), ephemeral=False)

    @app_commands.command(name="help", description=SUMMARY["help"])
    async def help(self, interaction: discord.Interaction) -> None:
        await answer(interaction, embed=embeds.help_embed())

    @start.autocomplete("persona")
    @leaderboard.autocomplete("persona")
    async def _personas(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return persona_choices(self.service.personas(), current)


class HotseatTree(app_commands.CommandTree):
    """A command tree whose errors still reach the user, privately, in plain words."""

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        stale = isinstance(error, (app_commands.CommandNotFound, app_commands.CommandSignatureMismatch))
        try:
            await answer(interaction, STALE if stale else user_error(getattr(error, "original", error)))
        except discord.HTTPException:  # the interaction expired or Discord is down: nothing left to tell
            log.warning("could not report a command error to an interaction")
