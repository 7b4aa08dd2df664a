"""What a trainee does in Discord, as service calls: start a session in its own thread, play
it by writing in the thread, ask for hints, end it and read the debrief.

The slash commands, the debrief buttons and the message listener all land here. Each
entry point turns any failure into a short, private answer (ephemeral for interactions,
a reply in the thread for messages), so one session's trouble never reaches another's.
Everything posted in a thread goes under that thread's lock, so it reads in order.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from typing import Awaitable, Callable, Concatenate, ParamSpec

import discord

from bot.frontends.chat_commands import in_thread_word
from bot.frontends.dedupe import SeenIds
from bot.core.errors import AlreadyApplied, HotseatError, NoActiveSession, NotYourSession
from bot.frontends.adapter import InOrder, user_error
from bot.core.service import PERIODS, Ending, HotseatService, SessionTimedOut, Who

from bot.frontends.discord import embeds
from bot.frontends.discord.buttons import debrief_view
from bot.frontends.discord.delivery import answer, archive, open_thread, post, reply_to, speak

log = logging.getLogger(__name__)
P = ParamSpec("P")

START_HERE = "Start a practice session from a text channel of a server; I'll open a thread for it there."
SERVER_ONLY = "Hotseat's commands work in a server's channels, where your sessions and leaderboard live."
STALE = "That command changed since Discord last loaded it. Wait a minute or reload Discord, then try again."
NO_THREAD = (
    "I couldn't open a practice thread in this channel, so no session was started. "
    "Ask an admin to let Hotseat create threads and send messages in threads here."
)
LINE_LOST = (
    "Your line was recorded, but I couldn't post the customer's answer here. "
    "/hotseat history shows where your session stands."
)
HINT_LOST = "Your hint was recorded (it counts in your debrief), but I couldn't post it here."
DEBRIEF_LOST = (
    "Your session has ended and was scored, but I couldn't post the debrief. /hotseat history shows your score."
)


class NotShown(HotseatError):
    """The service applied the step but Discord refused to show its result: never say 'not applied'."""


def guarded(
    handler: Callable[Concatenate[Practice, discord.Interaction, P], Awaitable[None]],
) -> Callable[Concatenate[Practice, discord.Interaction, P], Awaitable[None]]:
    """Run an interaction handler; whatever fails, the user gets a private, friendly answer."""

    @functools.wraps(handler)
    async def run(self: Practice, interaction: discord.Interaction, *args: P.args, **kwargs: P.kwargs) -> None:
        try:
            await handler(self, interaction, *args, **kwargs)
        except Exception as exc:
            try:
                await answer(interaction, user_error(exc))
            except discord.HTTPException:  # the interaction expired or Discord is down: nothing left to tell
                log.warning("could not report an error to an interaction")

    return run


def trainee(user: discord.abc.User, guild_id: int | None, channel_id: int | None) -> Who:
    return Who(str(guild_id), str(channel_id), str(user.id), user.display_name)


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


async def posted(what: Awaitable[object]) -> bool:
    """Whether a post went through; a refusal is logged, and the service's step stands either way."""
    try:
        await what
        return True
    except Exception:
        log.warning("Discord refused a post", exc_info=True)
        return False


class Practice:
    def __init__(self, service: HotseatService, client: discord.Client, *, typing: bool = True) -> None:
        self.service = service
        self.client = client
        self.typing = typing
        self.seen = SeenIds()
        self._in_order = InOrder()  # per thread: answers post in the order lines came

    # -- starting ---------------------------------------------------------------------
    @guarded
    async def start(self, interaction: discord.Interaction, persona_id: str | None) -> None:
        await self._open(interaction, interaction.channel, persona_id)

    @guarded
    async def again(self, interaction: discord.Interaction, persona_id: str, *, other: bool) -> None:
        """A debrief button: the same customer again, or a random other one, in a new thread."""
        channel = interaction.channel
        parent = channel.parent if isinstance(channel, discord.Thread) else channel
        if other:
            await self._open(interaction, parent, None, avoid=persona_id)
        else:
            await self._open(interaction, parent, persona_id)

    async def _open(
        self, interaction: discord.Interaction, channel: object, persona_id: str | None, *, avoid: str | None = None
    ) -> None:
        """A new session in its own thread under `channel`, which must be a server's text channel.

        If the trainee cannot be shown its opening, the session is abandoned (no phantom in
        history, free to retry) and a half-made thread is archived.
        """
        if interaction.guild_id is None or not isinstance(channel, discord.TextChannel):
            raise HotseatError(START_HERE)
        await interaction.response.defer(ephemeral=True, thinking=True)
        who = trainee(interaction.user, interaction.guild_id, channel.id)
        opening = await self.service.start(who, persona_id, avoid=avoid)
        if opening.previous is not None:  # an idle session here ended to make room: its debrief first
            with contextlib.suppress(NotShown):
                await self.deliver(opening.previous)
        thread = None
        async with contextlib.AsyncExitStack() as held:
            try:
                thread = await open_thread(channel, embeds.thread_name(who.user_name, opening.persona))
                await held.enter_async_context(self._in_order(thread.id))  # a quick first line waits for all this
                await thread.add_user(interaction.user)
                await self.service.set_thread(opening.session_id, str(thread.id))
                await post(thread, embed=embeds.brief_embed(opening.persona))
                await post(thread, embeds.customer_line(opening.persona, opening.customer))
            except Exception as exc:
                log.warning("could not open session %s in channel %s: %r", opening.session_id, channel.id, exc)
                if thread is not None:
                    await archive(thread)
                await self.service.abandon(opening.session_id)
                if thread is None and isinstance(exc, discord.Forbidden):
                    raise HotseatError(NO_THREAD) from exc
                raise
        ready = f"Your practice thread with {embeds.name(opening.persona)} is ready: {thread.mention}"
        await answer(interaction, ready)

    # -- the conversation, in its thread ----------------------------------------------------
    async def on_message(self, message: discord.Message) -> None:
        """A line in a thread Hotseat opened is a trainee's turn; everything else is not ours."""
        thread = message.channel
        me = self.client.user
        if (
            message.author.bot
            or message.is_system()
            or message.guild is None
            or not isinstance(thread, discord.Thread)
            or me is None
            or thread.owner_id != me.id
            or not self.seen.first_time(("message", message.id))
        ):
            return
        who = trainee(message.author, message.guild.id, thread.parent_id)
        try:
            async with self._in_order(thread.id):
                await self._turn(thread, who, message)
        except AlreadyApplied:  # a replay of a message that already counted (after a restart)
            pass
        except NoActiveSession:  # a thread whose session ended: nothing to say
            pass
        except NotYourSession as exc:
            if self.seen.first_time(("intruder", thread.id, message.author.id)):
                await self._reply(message, str(exc))
        except Exception as exc:
            await self._reply(message, user_error(exc))

    async def _turn(self, thread: discord.Thread, who: Who, message: discord.Message) -> None:
        """One message: the service call, then its posts; a refused post is told as such, not as a failure."""
        key = str(thread.id)
        word = in_thread_word(message.content)
        if word == "hint":
            hint = await self.service.hint(who, thread=key)
            if not await posted(post(thread, embeds.hint_line(hint))):
                raise NotShown(HINT_LOST)
        elif word == "end":
            await self.finish(thread, await self.service.end(who, thread=key))
        else:
            try:
                reply = await self.service.reply(who, message.content, thread=key, source=str(message.id))
            except SessionTimedOut as exc:
                await posted(post(thread, str(exc)))
                await self.finish(thread, exc.ending)
                return
            shown = await posted(speak(thread, embeds.customer_line(reply.persona, reply.customer), typing=self.typing))
            if reply.ending is not None:
                await self.finish(thread, reply.ending)  # the debrief says how it ended, shown line or not
            elif not shown:
                raise NotShown(LINE_LOST)

    async def _reply(self, message: discord.Message, text: str) -> None:
        try:
            await reply_to(message, text)
        except discord.HTTPException:
            log.warning("could not answer a message in thread %s", message.channel.id)

    # -- hints and endings ---------------------------------------------------------------
    @guarded
    async def hint(self, interaction: discord.Interaction) -> None:
        who, key = where(interaction)
        await interaction.response.defer(ephemeral=True)  # a slow database must not lose a hint that costs points
        await answer(interaction, embeds.hint_line(await self.service.hint(who, thread=key)))

    @guarded
    async def end(self, interaction: discord.Interaction) -> None:
        who, key = where(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        channel = await self.deliver(await self.service.end(who, thread=key))
        await answer(interaction, f"Session ended. Your debrief is in {channel.mention}.")

    async def deliver(self, ending: Ending) -> discord.abc.GuildChannel | discord.Thread:
        """Post a debrief where its session lived (its thread; the channel if it never got one).

        It waits for the thread's lock, so a customer line still being typed there comes first.
        """
        channel_id = int(ending.thread or ending.channel)
        async with self._in_order(channel_id):
            try:
                channel = self.client.get_channel(channel_id) or await self.client.fetch_channel(channel_id)
            except discord.HTTPException as exc:
                log.warning("no channel %s for the debrief of session %s: %s", channel_id, ending.session_id, exc)
                raise NotShown(DEBRIEF_LOST) from exc
            await self.finish(channel, ending)
        return channel

    async def finish(self, channel: discord.abc.Messageable, ending: Ending) -> None:
        """The debrief with its buttons (its score in a line if Discord refuses that), then the thread archived."""
        embed, view = embeds.debrief_embed(ending), debrief_view(ending.persona.id)
        if not (
            await posted(post(channel, embed=embed, view=view))
            or await posted(post(channel, embeds.debrief_text(ending)))
        ):
            raise NotShown(DEBRIEF_LOST)  # the thread stays open, so the trainee can be told there
        if isinstance(channel, discord.Thread):
            await archive(channel)

    # -- lists -------------------------------------------------------------------------
    @guarded
    async def personas(self, interaction: discord.Interaction) -> None:
        await answer(interaction, embed=embeds.personas_embed(self.service.personas()))

    @guarded
    async def history(self, interaction: discord.Interaction) -> None:
        who, _ = where(interaction)
        await interaction.response.defer(ephemeral=True)
        sessions = await self.service.history(who.workspace, who.user, 10)
        await answer(interaction, embed=embeds.history_embed(who.user_name, sessions))

    @guarded
    async def leaderboard(self, interaction: discord.Interaction, period: str, persona_id: str | None) -> None:
        """The board is public, and once deferred so is every answer: options are checked first."""
        who, _ = where(interaction)
        if period not in PERIODS:  # outside the command's choices: Discord still has an old version of it
            raise HotseatError(STALE)
        if persona_id:
            self.service.library.get(persona_id)  # an unknown one is told privately
        await interaction.response.defer(ephemeral=False)
        board = await self.service.leaderboard(who.workspace, period, persona_id)
        await answer(interaction, embed=embeds.leaderboard_embed(board), ephemeral=False)

    @guarded
    async def help(self, interaction: discord.Interaction) -> None:
        await answer(interaction, embed=embeds.help_embed())
