"""Showing Hotseat's events in Slack: the opening in the channel (its thread becomes the
conversation), answers and debriefs in the thread, and notes only to the person who acted.

If Slack refuses a formatted message (invalid_blocks and the like), its plain text goes
instead; only when nothing gets through does `send` raise, so the handler can say so.
After a debrief, its thread gets the full turn-by-turn list and the two charts (mood
timeline, skill radar); those come after the debrief and never stand in its way: a reply
or an upload Slack refuses is logged and the debrief stays.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Awaitable, Callable

from slack_sdk.web.async_client import AsyncWebClient

from bot.core.errors import HotseatError
from bot.core.events import NO_SESSION, CustomerSaid, Ended, Event, HintGiven, Note, Opened
from bot.frontends.port import Place
from bot.frontends.slack import blocks, panels

if TYPE_CHECKING:  # pragma: no cover
    from bot.frontends.reports import ReportDesk

log = logging.getLogger(__name__)

Tell = Callable[..., Awaitable[Any]]  # tell(text) or tell(**message), privately

NOT_IN_CHANNEL = {"not_in_channel", "channel_not_found"}
INVITE = (
    "I can't post in this channel yet. Invite me with `/invite @Hotseat` and run the command again, "
    "or practise from Hotseat's Home tab."
)
NO_SESSION_IN_DM = (
    "You have no practice conversation running here. Pick a customer on Hotseat's Home tab, "
    "or use `/hotseat start` in a channel."
)


class NotShown(Exception):
    """Slack took neither the formatted message nor its plain text."""


def slack_error(exc: BaseException) -> str | None:
    """Slack's error code ('not_in_channel', ...), or None when the answer was not Slack's JSON
    (a proxy's 502 page, a wrong SLACK_API_URL)."""
    data = getattr(getattr(exc, "response", None), "data", None)
    return data.get("error") if isinstance(data, dict) else None


class SlackPort:
    """Events from one payload. `tell` answers the person who acted privately (None: nobody
    asked, as for the idle sweep); `here` is the (channel, thread_ts) a message came from,
    where the customer answers it; `in_dm` words notes for Hotseat's own DM."""

    def __init__(
        self, client: AsyncWebClient, *, announce: bool, tell: Tell | None = None,
        here: tuple[str, str | None] | None = None, in_dm: bool = False, desk: "ReportDesk | None" = None,
    ) -> None:
        self.client = client
        self.announce = announce
        self.tell = tell
        self.here = here
        self.in_dm = in_dm
        self.desk = desk  # draws the debrief's charts; None: no charts

    async def send(self, event: Event) -> None:
        if isinstance(event, CustomerSaid):
            if self.here is None:  # answers only ever follow a message, which says where it came from
                raise NotShown("no conversation to answer in")
            await self._post(*self.here, blocks.customer_message(event.persona, event.customer, event.mood))
        elif isinstance(event, HintGiven):
            await self._tell(blocks.hint_text(event))
        elif isinstance(event, Note):
            await self._tell(NO_SESSION_IN_DM if self.in_dm and event.why == NO_SESSION else blocks.escape(event.text))
        elif isinstance(event, Ended):
            await self._ended(event)

    async def open(self, event: Opened, at: Place) -> None:
        """The opening in the channel; its ts is the thread the conversation lives in."""
        channel = event.who.channel
        try:
            posted = await self.client.chat_postMessage(channel=channel, **blocks.opening_message(event))
        except Exception as e:
            if slack_error(e) in NOT_IN_CHANNEL:
                raise HotseatError(INVITE) from None
            raise
        await at(f"{channel}/{posted['ts']}")

    async def _ended(self, event: Ended) -> None:
        """The debrief in the thread (top level in a DM); the opening loses its buttons and
        shows the result; one line tells the channel the score."""
        channel, _, ts = (event.thread or "").partition("/")
        channel = channel or event.channel
        in_dm = channel.startswith("D")
        posted = await self._post(channel, None if in_dm else ts or None, blocks.debrief_message(event),
                                  blocks.debrief_text(event))
        root = ts if ts and not in_dm else posted  # the session's thread; in a DM, the debrief's own
        await self._turn_by_turn(channel, root, event)
        if ts:
            try:
                await self.client.chat_update(channel=channel, ts=ts, **blocks.finished_opening(event))
            except Exception as e:
                log.warning("could not close the opening message in %s: %s", channel, e)
        if self.announce and not in_dm:
            try:
                await self._post(event.channel, None, {"text": blocks.finished_text(event)})
            except NotShown:
                log.warning("could not announce the end of session %s", event.session_id)
        await self._charts(channel, root, event)

    async def _turn_by_turn(self, channel: str, root: str | None, event: Ended) -> None:
        for message in panels.turn_by_turn_messages(event):
            try:
                await self._post(channel, root, message)
            except NotShown:
                log.warning("could not post the turn-by-turn list of session %s", event.session_id)
                return

    async def _charts(self, channel: str, root: str | None, event: Ended) -> None:
        """The mood timeline and the skill radar, uploaded under the debrief with alt text."""
        if self.desk is None:
            return
        try:
            drawn = await self.desk.debrief_charts(event)
        except Exception:
            log.exception("could not draw the charts of session %s", event.session_id)
            return
        await panels.upload_charts(self.client, drawn, channel, root)

    async def _tell(self, text: str) -> None:
        if self.tell is None:
            log.info("a note with nobody to tell: %s", text[:200])
            return
        await self.tell(text)

    async def _post(self, channel: str, thread_ts: str | None, message: dict, fallback: str | None = None) -> str | None:
        """Post a message; if Slack refuses its blocks, its plain text. Returns its ts."""
        for attempt in (message, {"text": fallback or message.get("text", "")}):
            try:
                posted = await self.client.chat_postMessage(channel=channel, thread_ts=thread_ts, **attempt)
                return posted.get("ts")
            except Exception as e:
                log.warning("chat.postMessage to %s failed: %s", channel, slack_error(e) or e)
        raise NotShown(channel)
