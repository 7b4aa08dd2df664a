"""Getting words to Discord: interaction answers, thread posts with a human typing pause,
and the practice thread's life (opened private where allowed, archived at the end).

Every send passes allowed_mentions explicitly, on top of the client default, so text a
trainee typed can never ping @everyone, @here, a role or a user; and every content is
clipped to Discord's 2,000 characters, since persona text may run to 4,000.
"""

from __future__ import annotations

import asyncio
import logging

import discord
from discord.utils import MISSING

from bot.core.text import clip
from bot.frontends.discord.embeds import CONTENT_MAX

log = logging.getLogger(__name__)

NO_PINGS = discord.AllowedMentions.none()
ARCHIVE_AFTER = 1440  # minutes of quiet before Discord hides a thread itself; Hotseat's idle end comes first


def typing_delay(text: str) -> float:
    """How long a person would take to type `text`, roughly: 0.6 s plus 0.02 s a character, at most 3 s."""
    return min(3.0, 0.6 + 0.02 * len(text))


def fit(content: str | None) -> str | None:
    return content and clip(content, CONTENT_MAX)


async def answer(
    interaction: discord.Interaction,
    content: str = MISSING,
    *,
    embed: discord.Embed = MISSING,
    embeds: list[discord.Embed] | None = None,
    view: discord.ui.View | None = None,
    files: list[discord.File] | None = None,
    ephemeral: bool = True,
) -> None:
    """Answer an interaction whether or not it was deferred; private unless asked otherwise.
    Files are attachments (charts, an export) that embeds may show as `attachment://name`."""
    content = fit(content)  # MISSING stays MISSING: it is falsy
    extra: dict = {}
    if embeds:
        extra["embeds"] = embeds
    elif embed is not MISSING:
        extra["embed"] = embed
    if view is not None:
        extra["view"] = view
    if files:
        extra["files"] = files
    if interaction.response.is_done():
        await interaction.followup.send(content, ephemeral=ephemeral, allowed_mentions=NO_PINGS, **extra)
    else:
        await interaction.response.send_message(content, ephemeral=ephemeral, allowed_mentions=NO_PINGS, **extra)


async def post(
    channel: discord.abc.Messageable,
    content: str | None = None,
    *,
    embed: discord.Embed | None = None,
    embeds: list[discord.Embed] | None = None,
    view: discord.ui.View | None = None,
    files: list[discord.File] | None = None,
    allowed_mentions: discord.AllowedMentions = NO_PINGS,
) -> discord.Message:
    extra: dict = {"embeds": embeds} if embeds else {"embed": embed}
    if files:
        extra["files"] = files
    return await channel.send(fit(content), view=view, allowed_mentions=allowed_mentions, **extra)


async def reply_to(message: discord.Message, text: str) -> None:
    """A short answer to one message that pings nobody, not even its author."""
    await message.reply(fit(text), mention_author=False, allowed_mentions=NO_PINGS)


async def speak(channel: discord.abc.Messageable, text: str, *, typing: bool) -> None:
    """Post a customer line, after a typing pause scaled to its length so it reads like a person."""
    if typing:
        async with channel.typing():
            await asyncio.sleep(typing_delay(text))
    await post(channel, text)


async def open_thread(channel: discord.TextChannel, name: str) -> discord.Thread:
    """A private thread where the server allows one, else a public one.

    Only a refusal (403, or 400 from a server without private threads) earns the public
    fallback; an outage or rate limit would fail the same way twice.
    """
    try:
        return await channel.create_thread(
            name=name, type=discord.ChannelType.private_thread, invitable=False, auto_archive_duration=ARCHIVE_AFTER
        )
    except discord.HTTPException as exc:
        if exc.status not in (400, 403):
            raise
        log.info("private thread refused in channel %s (%s); opening a public one", channel.id, exc.status)
    return await channel.create_thread(
        name=name, type=discord.ChannelType.public_thread, auto_archive_duration=ARCHIVE_AFTER
    )


async def archive(thread: discord.Thread) -> None:
    """Close a finished practice thread, locked if Hotseat may (Manage Threads), else just archived.

    A refusal is logged, never raised: the debrief is already posted.
    """
    for changes in ({"archived": True, "locked": True}, {"archived": True}):
        try:
            await thread.edit(**changes)
            return
        except discord.Forbidden:
            log.info("may not %s thread %s", " and ".join(changes), thread.id)
        except discord.HTTPException as exc:
            log.warning("could not archive thread %s: %s", thread.id, exc.status)
            return
