"""Showing Hotseat's events in Discord: each session in a thread of its own, the customer
typing there, hints and notes privately to whoever acted, the debrief with its buttons.

A port is made per interaction or message. Interactions answer privately (ephemeral);
a message's notes are a reply to it that pings nobody; events nobody asked for (the idle
sweep's debriefs) go to the thread where the session lived.
"""

from __future__ import annotations

import logging

import discord

from bot.core.errors import HotseatError
from bot.core.events import CustomerSaid, Ended, Event, HintGiven, Note, Opened
from bot.frontends.discord import embeds
from bot.frontends.discord.buttons import debrief_view
from bot.frontends.discord.panels import chart_files, with_images
from bot.frontends.port import Place
from bot.frontends.discord.delivery import answer, archive, open_thread, post, reply_to, speak

log = logging.getLogger(__name__)

NO_THREAD = (
    "I couldn't open a practice thread in this channel, so no session was started. "
    "Ask an admin to let Hotseat create threads and send messages in threads here."
)


class NotShown(Exception):
    """Discord refused both the embed and its plain-text fallback, or the channel is gone."""


class DiscordPort:
    """Events from one interaction (`interaction`) or one thread message (`message`); with
    neither, from nobody (the idle sweep). `channel` is where a start opens its thread."""

    def __init__(
        self, client: discord.Client, *, typing: bool, interaction: discord.Interaction | None = None,
        message: discord.Message | None = None, channel: discord.TextChannel | None = None,
        desk: object | None = None,
    ) -> None:
        self.client = client
        self.desk = desk  # a ReportDesk, to draw a debrief's charts; without one, no charts
        self.typing = typing
        self.interaction = interaction
        self.message = message
        self.channel = channel

    async def send(self, event: Event) -> None:
        if isinstance(event, CustomerSaid):
            if self.message is None:
                raise NotShown("an answer with no message to answer")
            await speak(self.message.channel, embeds.customer_line(event.persona, event.customer), typing=self.typing)
        elif isinstance(event, HintGiven):
            await self._private(embeds.hint_line(event), public_in_thread=True)
        elif isinstance(event, Note):
            await self._private(event.text)
        elif isinstance(event, Ended):
            channel = await self._ended(event)
            if self.interaction is not None and event.cause == "end":  # not a start settling an old one
                await answer(self.interaction, f"Session ended. Your debrief is in {channel.mention}.")

    async def _private(self, text: str, *, public_in_thread: bool = False) -> None:
        """To whoever acted: ephemeral for an interaction; in a thread, a hint is posted there
        (the trainee asked for it in their own thread) and a note replies to the message."""
        if self.interaction is not None:
            await answer(self.interaction, text)
        elif self.message is not None:
            if public_in_thread:
                await post(self.message.channel, text)
            else:
                await reply_to(self.message, text)
        else:
            log.info("a note with nobody to tell: %s", text[:200])

    async def open(self, event: Opened, at: Place) -> None:
        """A thread under the channel with the brief and the first line; the trainee is added
        last, so they arrive to a ready conversation. A half-made thread is archived."""
        assert self.interaction is not None and self.channel is not None  # starts come from interactions
        try:
            thread = await open_thread(self.channel, embeds.thread_name(event.who.user_name, event.persona))
        except discord.Forbidden as exc:
            raise HotseatError(NO_THREAD) from exc
        try:
            await at(str(thread.id))
            await post(thread, embed=embeds.brief_embed(event.persona))
            await post(thread, embeds.customer_line(event.persona, event.customer))
            await thread.add_user(self.interaction.user)
        except Exception:
            await archive(thread)
            raise
        await answer(self.interaction, f"Your practice thread with {embeds.name(event.persona)} is ready: {thread.mention}")

    async def _ended(self, event: Ended) -> discord.abc.GuildChannel | discord.Thread:
        """The debrief with its buttons where the session lived (its thread, else its channel),
        its score in a line if Discord refuses the embed; then the thread is archived."""
        channel_id = int(event.thread or event.channel)
        try:
            channel = self.client.get_channel(channel_id) or await self.client.fetch_channel(channel_id)
        except discord.HTTPException as exc:
            raise NotShown(f"no channel {channel_id}") from exc
        drawn = await self._charts(event)
        turns = bool(event.debrief.timeline)
        view = lambda: debrief_view(event.persona.id, event.session_id, turns=turns)  # noqa: E731
        attempts = [
            lambda: post(channel, embed=embeds.debrief_embed(event), view=view()),
            lambda: post(channel, embeds.debrief_text(event)),
        ]
        if drawn:  # charts first; if Discord refuses the upload, the same debrief without them
            attempts.insert(0, lambda: post(
                channel, embeds=with_images(embeds.debrief_embed(event), drawn), files=chart_files(drawn), view=view()
            ))
        for attempt in attempts:
            try:
                await attempt()
                break
            except Exception:
                log.warning("Discord refused a debrief post", exc_info=True)
        else:
            raise NotShown(f"debrief of session {event.session_id}")  # the thread stays open, to be told there
        if isinstance(channel, discord.Thread):
            await archive(channel)
        return channel

    async def _charts(self, event: Ended) -> tuple:
        """The debrief's mood timeline and skill radar; none if drawing fails (logged): the
        debrief itself matters more than its pictures."""
        if self.desk is None:
            return ()
        try:
            return await self.desk.debrief_charts(event)
        except Exception:
            log.warning("could not draw the charts of session %s", event.session_id, exc_info=True)
            return ()
