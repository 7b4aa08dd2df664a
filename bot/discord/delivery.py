"""Getting words to Discord: interaction answers, thread posts with a human typing pause,
and the practice thread's life (opened private where allowed, archived at the end).

Every send passes allowed_mentions explicitly, on top of the client default, so text a
trainee typed can never ping @everyone, @here, a role or a user.
"""

from __future__ import annotations

import asyncio
import logging

import discord
from discord.utils import MISSING

log = logging.getLogger(__name__)

NO_PINGS = discord.AllowedMentions.none()
ARCHIVE_AFTER = 1440  # minutes of quiet before Discord hides a thread itself; Hotseat's idle end comes first


def typing_delay(text: str) -> float:
    """How long a person would take to type `text`, roughly: 0.6 s plus 0.02 s a character, at most 3 s."""
    return min(3.0, 0.6 + 0.02 * len(text))


async def answer(
    interaction: discord.Interaction,
    content: str = MISSING,
    *,
    embed: discord.Embed = MISSING,
    ephemeral: bool = True,
) -> None:
    """Answer an interaction whether or not it was deferred; private unless asked otherwise."""
    if interaction.response.is_done():
        await interaction.followup.send(content, embed=embed, ephemeral=ephemeral, allowed_mentions=NO_PINGS)
    else:
        await interaction.response.send_message(content, embed=embed, ephemeral=ephemeral, allowed_mentions=NO_PINGS)


async def post(
    channel: discord.abc.Messageable,
    content: str | None = None,
    *,
    embed: discord.Embed | None = None,
    view: discord.ui.View | None = None,
) -> discord.Message:
    return await channel.send(content, embed=embed, view=view, allowed_mentions=NO_PINGS)


async def speak(channel: discord.abc.Messageable, text: str, *, typing: bool) -> None:
    """Post a customer line, after a typing pause scaled to its length so it reads like a person."""
    if typing:
        async with channel.typing():
            await asyncio.sleep(typing_delay(text))
    await post(channel, text)


async def open_thread(channel: discord.TextChannel, name: str, trainee: discord.abc.Snowflake) -> discord.Thread:
    """A private thread where the server allows one, else a public one; the trainee is added."""
    try:
        thread = await channel.create_thread(
            name=name, type=discord.ChannelType.private_thread, invitable=False, auto_archive_duration=ARCHIVE_AFTER
        )
    except discord.HTTPException as exc:  # Forbidden (no Create Private Threads) or a server refusing them
        log.info("private thread refused in channel %s (%s); opening a public one", channel.id, exc.status)
        thread = await channel.create_thread(
            name=name, type=discord.ChannelType.public_thread, auto_archive_duration=ARCHIVE_AFTER
        )
    await thread.add_user(trainee)
    return thread


async def archive(thread: discord.Thread) -> None:
    """Close a finished practice thread; a refusal is logged, the debrief is already posted."""
    try:
        await thread.edit(archived=True, locked=True)
    except discord.HTTPException as exc:
        log.warning("could not archive thread %s: %s", thread.id, exc.status)
