"""The Discord front end's settings, read once from the environment (or .env) at start-up.

Kept apart from the client so tests build the front end from explicit values and the
CLI reports a missing or malformed variable by name before anything connects.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from bot.config import SettingError, env_flag, require
from bot.frontends.discord.shards import Sharding
from bot.frontends.roles import Roles


@dataclass(frozen=True, slots=True)
class DiscordSettings:
    token: str
    guild_id: int | None = None  # sync commands to this guild only (instant, for development)
    typing: bool = True  # pause with "typing…" before each customer line, as a person would
    roles: Roles = Roles()  # HOTSEAT_TRAINERS / HOTSEAT_LEADS: who may reload and upload personas
    shards: Sharding = Sharding()  # the gateway shards this process serves (default: all)

    def __repr__(self) -> str:  # the token never reaches a log line through a repr
        return (f"DiscordSettings(guild_id={self.guild_id}, typing={self.typing}, roles={self.roles}, "
                f"shards={self.shards.describe()})")

    @classmethod
    def from_env(cls, *, shards: str | None = None, shard_count: int | None = None) -> DiscordSettings:
        """`shards`/`shard_count` (the CLI's --shards/--shard-count) win over HOTSEAT_DISCORD_SHARDS
        and HOTSEAT_DISCORD_SHARD_COUNT."""
        token = require(
            "DISCORD_TOKEN",
            "Create a bot in the Discord developer portal (Bot > Reset Token) and put DISCORD_TOKEN=... in .env.",
        )
        return cls(
            token=token, guild_id=_snowflake("DISCORD_GUILD_ID"), typing=env_flag("HOTSEAT_TYPING", True),
            roles=Roles.from_env(), shards=Sharding.of(
                shards if shards is not None else os.environ.get("HOTSEAT_DISCORD_SHARDS", "").strip() or None,
                shard_count if shard_count is not None else _count("HOTSEAT_DISCORD_SHARD_COUNT"),
            ),
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


def _count(name: str) -> int | None:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise SettingError(f"{name} must be a whole number of shards; got {raw[:30]!r}.")
    return int(raw)
