"""Hotseat on Discord: a discord.py AutoShardedBot carrying the `hotseat` cog, run by
`hotseat run discord`."""

from __future__ import annotations

import asyncio
import logging

import discord
from discord.ext import commands

from bot.config import SettingError
from bot.frontends.adapter import FrontEnd
from bot.frontends.conversation import ConversationHandler
from bot.frontends.discord.buttons import DYNAMIC
from bot.frontends.discord.cog import Hotseat, HotseatTree
from bot.frontends.discord.delivery import NO_PINGS, post
from bot.frontends.discord.panels import Drawn, addressed_content, drill_mentions
from bot.frontends.discord.ports import DiscordPort
from bot.frontends.discord.settings import DiscordSettings
from bot.frontends.discord.shards import Sharding
from bot.frontends.panels import Panel
from bot.frontends.port import Port
from bot.frontends.reports import DrillClock

log = logging.getLogger(__name__)


def intents() -> discord.Intents:
    """Servers and their messages; message content is privileged and must be enabled in the portal."""
    wanted = discord.Intents.none()
    wanted.guilds = wanted.guild_messages = wanted.message_content = True
    return wanted


class HotseatBot(commands.AutoShardedBot):
    """Slash commands only: messages are never parsed as prefix commands."""

    def __init__(self, shards: Sharding = Sharding()) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned, intents=intents(), allowed_mentions=NO_PINGS,
            tree_cls=HotseatTree, help_command=None,
            **({} if shards.ids is None else {"shard_ids": list(shards.ids), "shard_count": shards.count}),
        )

    async def setup_hook(self) -> None:
        """Buttons from before a restart keep working."""
        self.add_dynamic_items(*DYNAMIC)

    async def on_message(self, message: discord.Message) -> None:
        """Not `process_commands`: the cog's listener takes thread lines, nothing else is ours."""


class DiscordFrontEnd(FrontEnd):
    name = "discord"

    def __init__(self, settings: DiscordSettings) -> None:
        self.settings = settings
        self.client = HotseatBot(settings.shards)
        self.handler: ConversationHandler | None = None  # the one it serves, once serving
        self.drill_clock: DrillClock | None = None  # posts each due drill of the day, once serving
        self._drills: asyncio.Task | None = None
        self._started = False  # discord.py cannot close a client that never started

    @classmethod
    def from_env(cls, *, shards: str | None = None, shard_count: int | None = None) -> DiscordFrontEnd:
        return cls(DiscordSettings.from_env(shards=shards, shard_count=shard_count))

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.settings.token,)

    @property
    def cog(self) -> Hotseat | None:
        return self.client.get_cog("hotseat")

    async def connect(self) -> str:
        """Log in; sessions are stamped with this application, so two bots sharing a database
        never sweep each other's."""
        self._started = True
        try:
            await self.client.login(self.settings.token)
        except discord.LoginFailure:
            raise SettingError(
                "Discord rejected DISCORD_TOKEN. Reset the bot token in the developer portal and update .env."
            ) from None
        return f"discord:{self.client.application_id}"

    async def serve(self, handler: ConversationHandler) -> None:
        """Commands sync to the dev guild if one is set, else globally; then the gateway."""
        self.handler = handler
        cog = Hotseat(self.client, handler, typing=self.settings.typing, roles=self.settings.roles,
                      shards=self.settings.shards)
        await self.client.add_cog(cog)
        await self._sync()
        self.drill_clock = DrillClock(cog.reports, self.post_drill, self.mine)
        self._drills = asyncio.create_task(self.drill_clock.run(), name="hotseat-drills")
        try:
            await self.client.connect()
        except discord.PrivilegedIntentsRequired:
            raise SettingError(
                "Discord refused the Message Content intent. Enable it under Bot > Privileged Gateway Intents "
                "in the developer portal, then start Hotseat again."
            ) from None
        finally:
            self._stop_drills()

    def mine(self, workspace: str) -> bool:
        """Is this guild one the bot is in (and connected to, on one of this process's shards)?
        Other workspaces' drills are left for the front end that serves them."""
        return (workspace.isdigit() and self.settings.shards.owns(workspace)
                and self.client.get_guild(int(workspace)) is not None)

    async def post_drill(self, workspace: str, channel_id: str, panel: Panel) -> None:
        """The drill in its channel: each trainee named by a real mention, from their id in
        the database, and allowed to ping exactly those trainees."""
        channel = self.client.get_channel(int(channel_id)) or await self.client.fetch_channel(int(channel_id))
        content, ids = addressed_content(panel)
        drawn = Drawn(panel)
        await post(channel, content or None, embed=drawn.embed(), view=drawn.view(),
                   allowed_mentions=drill_mentions(ids))

    def _stop_drills(self) -> None:
        if self._drills is not None:
            self._drills.cancel()
            self._drills = None

    def outbox(self) -> Port:
        cog = self.cog
        return DiscordPort(self.client, typing=False, desk=cog.reports if cog is not None else None)

    async def close(self) -> None:
        self._stop_drills()
        if self._started:
            await self.client.close()

    async def _sync(self) -> None:
        tree, guild_id = self.client.tree, self.settings.guild_id
        if guild_id is None:
            await tree.sync()
            return
        guild = discord.Object(guild_id)
        tree.copy_global_to(guild=guild)
        try:
            await tree.sync(guild=guild)
        except discord.Forbidden:
            raise SettingError(
                f"DISCORD_GUILD_ID={guild_id} is a server the bot is not in (or may not add commands to). "
                "Invite the bot there with the applications.commands scope, or unset DISCORD_GUILD_ID."
            ) from None
