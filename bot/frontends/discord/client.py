"""Hotseat on Discord: a discord.py AutoShardedClient with the `/hotseat` command tree, the
debrief buttons and the thread listener, run by `hotseat run discord`."""

from __future__ import annotations

import logging

import discord

from bot.config import SettingError
from bot.frontends.adapter import FrontEnd
from bot.core.service import Ending, HotseatService

from bot.frontends.discord.buttons import PracticeAgain
from bot.frontends.discord.cog import HotseatCommands, HotseatTree
from bot.frontends.discord.delivery import NO_PINGS
from bot.frontends.discord.practice import Practice
from bot.frontends.discord.settings import DiscordSettings

log = logging.getLogger(__name__)


def intents() -> discord.Intents:
    """Servers and their messages; message content is privileged and must be enabled in the portal."""
    wanted = discord.Intents.none()
    wanted.guilds = wanted.guild_messages = wanted.message_content = True
    return wanted


class HotseatClient(discord.AutoShardedClient):
    def __init__(self, guild_id: int | None) -> None:
        super().__init__(intents=intents(), allowed_mentions=NO_PINGS)
        self.guild_id = guild_id
        self.tree = HotseatTree(self)
        self.practice: Practice  # set by DiscordFrontEnd before the client starts

    async def setup_hook(self) -> None:
        """Buttons from before a restart keep working; commands sync to the dev guild, else globally.

        Sessions are stamped with this application, so two bots sharing a database never
        sweep each other's.
        """
        self.practice.service.platform = f"discord:{self.application_id}"
        self.add_dynamic_items(PracticeAgain)
        if self.guild_id is None:
            await self.tree.sync()
            return
        guild = discord.Object(self.guild_id)
        self.tree.copy_global_to(guild=guild)
        try:
            await self.tree.sync(guild=guild)
        except discord.Forbidden:
            raise SettingError(
                f"DISCORD_GUILD_ID={self.guild_id} is a server the bot is not in (or may not add commands to). "
                "Invite the bot there with the applications.commands scope, or unset DISCORD_GUILD_ID."
            ) from None

    async def on_message(self, message: discord.Message) -> None:
        await self.practice.on_message(message)


class DiscordFrontEnd(FrontEnd):
    name = "discord"

    def __init__(
        self, service: HotseatService, token: str, *, guild_id: int | None = None, typing: bool = True
    ) -> None:
        super().__init__(service)
        self.settings = DiscordSettings(token, guild_id, typing)
        self.client = HotseatClient(guild_id)
        self.practice = self.client.practice = Practice(service, self.client, typing=typing)
        self.client.tree.add_command(HotseatCommands(self.practice))
        self._started = False  # discord.py cannot close a client that never started

    @classmethod
    def from_env(cls, service: HotseatService) -> DiscordFrontEnd:
        s = DiscordSettings.from_env()
        return cls(service, s.token, guild_id=s.guild_id, typing=s.typing)

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.settings.token,)

    async def serve(self) -> None:
        self._started = True
        try:
            await self.client.start(self.settings.token)
        except discord.LoginFailure:
            raise SettingError(
                "Discord rejected DISCORD_TOKEN. Reset the bot token in the developer portal and update .env."
            ) from None
        except discord.PrivilegedIntentsRequired:
            raise SettingError(
                "Discord refused the Message Content intent. Enable it under Bot > Privileged Gateway Intents "
                "in the developer portal, then start Hotseat again."
            ) from None

    async def deliver_ending(self, ending: Ending) -> None:
        await self.practice.deliver(ending)

    async def close(self) -> None:
        if self._started:
            await self.client.close()
