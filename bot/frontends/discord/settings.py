"""The Discord front end's settings, read once from the environment (or .env) at start-up.

Kept apart from the client so tests build the front end from explicit values and the
CLI reports a missing or malformed variable by name before anything connects.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from bot.config import SettingError, env_flag, require
from bot.frontends.roles import Roles


@dataclass(frozen=True, slots=True)
class DiscordSettings:
    token: str
    guild_id: int | None = None  # sync commands to this guild only (instant, for development)
    typing: bool = True  # pause with "typing…" before each customer line, as a person would
    roles: Roles = Roles()  # HOTSEAT_TRAINERS / HOTSEAT_LEADS: who may reload and upload personas

    def __repr__(self) -> str:  # the token never reaches a log line through a repr
        return f"DiscordSettings(guild_id={self.guild_id}, typing={self.typing}, roles={self.roles})"

    @classmethod
    def from_env(cls) -> DiscordSettings:
        token = require(
            "DISCORD_TOKEN",
            "Create a bot in the Discord developer portal (Bot > Reset Token) and put DISCORD_TOKEN=... in .env.",
        )
        return cls(
            token=token, guild_id=_snowflake("DISCORD_GUILD_ID"), typing=env_flag("HOTSEAT_TYPING", True),
            roles=Roles.from_env(),
        )


def _snowflake(name: str) -> int | None:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise SettingError(
            f"{name} must be a numeric Discord id (right-click the server > Copy Server ID); got {raw[:30]!r}."
        )
    return int(raw)
