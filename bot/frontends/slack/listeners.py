"""Bolt listeners: Slack commands, buttons and thread messages in, service calls out.

Every listener acks first (Slack wants an answer within three seconds), then calls the
service, then posts. Posts for one conversation go out in order (a per-thread lock), so a
rate-limited answer never lands after the next one or after the debrief. Failures become
an ephemeral note to the person who acted and never reach anyone else's session.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Awaitable, Callable

from slack_bolt.async_app import AsyncApp, AsyncRespond
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.frontends.chat_commands import Invocation, in_thread_word, leaderboard_args, parse
from bot.frontends.dedupe import SeenIds
from bot.core.errors import AlreadyApplied, HotseatError, NoActiveSession, NotYourSession
from bot.frontends.adapter import InOrder, user_error
from bot.core.service import Ending, HotseatService, SessionTimedOut, Who
from bot.frontends.slack import blocks

log = logging.getLogger(__name__)

Tell = Callable[..., Awaitable[Any]]  # tell(text) or tell(**message), privately

NOT_IN_CHANNEL = {"not_in_channel", "channel_not_found"}
INVITE = (
    "I can't post in this channel yet. Invite me with `/invite @Hotseat` and run the command again, "
    "or practise from Hotseat's Home tab."
)
TYPED_MESSAGES = {None, "thread_broadcast", "file_share"}  # others are edits, joins, bots: never turns
HISTORY_LIMIT = 10
NOT_SHOWN = (
    "Your line was saved, but Slack would not show the customer's answer. Carry on, or check "
    "`/hotseat history`; the conversation itself is intact."
)
NO_SESSION_IN_DM = (
    "You have no practice conversation running here. Pick a customer on Hotseat's Home tab, "
    "or use `/hotseat start` in a channel."
)
START_ONE = "`start` takes one persona id, like `/hotseat start double-billing`; `/hotseat personas` lists them."


class Listeners:
    """The Slack side of Hotseat's commands, and the posting of debriefs where sessions lived."""

    def __init__(self, service: HotseatService, client: AsyncWebClient, *, announce: bool = True) -> None:
        self.service = service
        self.client = client
        self.announce = announce
        self.events = SeenIds()  # Slack retries events it thinks we missed
        self.noted = SeenIds(ttl=24 * 3600)  # (thread, user) pairs already told "not your session"
        self._in_order = InOrder()

    def register(self, app: AsyncApp) -> None:
        app.middleware(self.skip_repeats)
        app.command(blocks.SLASH)(self.on_command)
        app.action(re.compile(rf"^{re.escape(blocks.START)}:"))(self.on_start_button)
        app.action(blocks.HINT)(self.on_thread_button)
        app.action(blocks.END)(self.on_thread_button)
        app.event("message")(self.on_message)
        app.event("app_home_opened")(self.on_home_opened)

    # -- middleware ---------------------------------------------------------------------------
    async def skip_repeats(self, body: dict, next: Callable[[], Awaitable[None]]) -> BoltResponse | None:
        """An event Slack delivers twice (a retry) is acknowledged and applied once."""
        event_id = body.get("event_id")
        if event_id and not self.events.first_time(event_id):
            return BoltResponse(status=200, body="")
        return await next()

    # -- /hotseat ---------------------------------------------------------------------------
    async def on_command(self, ack: Any, command: dict, context: AsyncBoltContext, respond: AsyncRespond) -> None:
        try:
            invocation = parse(command.get("text", ""))
        except HotseatError as e:
            await ack(text=blocks.escape(str(e)))
            return
        if invocation.name == "help":
            await ack(**blocks.help_message())
            return
        await ack()
        who = Who(_workspace(context), command["channel_id"], command["user_id"], command.get("user_name", ""))
        tell = _privately(respond)
        try:
            await self._command(invocation, who, tell)
        except Exception as e:
            await tell(_error_text(e))

    async def _command(self, inv: Invocation, who: Who, tell: Tell) -> None:
        if inv.name == "start" and inv.args:
            if len(inv.args) > 1:
                raise HotseatError(START_ONE)
            await self._start(who, inv.args[0])
        elif inv.name in ("start", "personas"):
            title = "Who would you like to practise with?" if inv.name == "start" else "The customers you can practise with"
            await tell(**blocks.persona_picker(self.service.personas(), title))
        elif inv.name == "hint":
            await tell(blocks.hint_text(await self.service.hint(who)))
        elif inv.name == "end":
            await self.deliver(await self.service.end(who))
        elif inv.name == "history":
            await tell(**blocks.history_message(await self.service.history(who.workspace, who.user, HISTORY_LIMIT)))
        elif inv.name == "leaderboard":
            period, persona = leaderboard_args(inv.args)
            await tell(**blocks.leaderboard_message(await self.service.leaderboard(who.workspace, period, persona)))

    async def _start(self, who: Who, persona_id: str | None) -> None:
        """Start, post the opening in the channel, and make its thread the conversation."""
        opening = await self.service.start(who, persona_id)
        if opening.previous is not None:  # an idle session here ended to make room: its debrief first
            await self.deliver(opening.previous)
        try:
            posted = await self.client.chat_postMessage(channel=who.channel, **blocks.opening_message(opening, who.user_name))
            await self.service.set_thread(opening.session_id, f"{who.channel}/{posted['ts']}")
        except Exception as e:
            await self.service.abandon(opening.session_id)  # nobody can play it: no history row, free to retry
            if slack_error(e) in NOT_IN_CHANNEL:
                raise HotseatError(INVITE) from None
            raise

    # -- buttons ----------------------------------------------------------------------------
    async def on_start_button(self, ack: Any, body: dict, action: dict, context: AsyncBoltContext,
                              respond: AsyncRespond) -> None:
        """A Start button in the picker (starts in that channel) or on App Home (starts in the DM)."""
        await ack()
        user = body["user"]
        in_home = body.get("container", {}).get("type") == "view"
        tell: Tell = (
            (lambda text: self.client.chat_postMessage(channel=user["id"], text=text)) if in_home else _privately(respond)
        )
        try:
            if in_home:
                channel = (await self.client.conversations_open(users=user["id"]))["channel"]["id"]
            else:
                channel = body["container"]["channel_id"]
            await self._start(Who(_workspace(context), channel, user["id"], _name(user)), blocks.persona_of(action["action_id"]))
            if not in_home:
                await respond(delete_original=True)  # the picker has done its job
        except Exception as e:
            await tell(_error_text(e))

    async def on_thread_button(self, ack: Any, body: dict, action: dict, context: AsyncBoltContext,
                               respond: AsyncRespond) -> None:
        """Hint and End on the conversation's opening message, whose ts is the thread."""
        await ack()
        container = body["container"]
        who = Who(_workspace(context), container["channel_id"], body["user"]["id"], _name(body["user"]))
        thread = f"{container['channel_id']}/{container['message_ts']}"
        tell = _privately(respond)
        try:
            if action["action_id"] == blocks.HINT:
                await tell(blocks.hint_text(await self.service.hint(who, thread=thread)))
            else:
                await self.deliver(await self.service.end(who, thread=thread))
        except Exception as e:
            await tell(_error_text(e))

    # -- messages ----------------------------------------------------------------------------
    async def on_message(self, event: dict, context: AsyncBoltContext) -> None:
        """A reply in a practice thread (or, in the DM with Hotseat, any message) is a turn;
        everything else passes by."""
        user, ts, thread_ts = event.get("user"), event.get("ts"), event.get("thread_ts")
        if event.get("bot_id") or event.get("subtype") not in TYPED_MESSAGES or not user or user == context.bot_user_id:
            return
        channel = event["channel"]
        in_thread = bool(thread_ts) and thread_ts != ts
        in_dm = event.get("channel_type") == "im"
        if not (in_thread or in_dm):
            return
        thread = f"{channel}/{thread_ts}" if in_thread and not in_dm else None  # a DM is one conversation
        who = Who(_workspace(context), channel, user)
        answer_in = thread_ts if in_thread else None

        async def tell(text: str) -> None:
            if in_dm:  # the DM is private already, and ephemeral notes there vanish on reload
                await self.client.chat_postMessage(channel=channel, thread_ts=answer_in, text=text)
            else:
                await self.client.chat_postEphemeral(channel=channel, user=user, thread_ts=thread_ts, text=text)

        text = blocks.from_slack(event.get("text") or "")
        try:
            async with self._in_order(_order_key(channel, thread)):
                word = in_thread_word(text)
                if word == "hint":
                    await tell(blocks.hint_text(await self.service.hint(who, thread=thread)))
                elif word == "end":
                    await self._post_ending(await self.service.end(who, thread=thread))
                else:
                    reply = await self.service.reply(who, text, thread=thread, source=ts)
                    shown = await self._post(channel, answer_in, blocks.customer_message(reply.persona, reply.customer, reply.mood))
                    if not shown:
                        await tell(NOT_SHOWN)
                    if reply.ending is not None:
                        await self._post_ending(reply.ending)
        except AlreadyApplied:
            return  # Slack delivered it again (a retry after a restart): it counted once
        except NoActiveSession:
            if in_dm:
                await tell(NO_SESSION_IN_DM)  # the bot's own DM: say how to begin
            # elsewhere: not a practice thread (or one that has ended), so stay out of it
        except NotYourSession as e:
            if self.noted.first_time((thread, user)):
                await tell(blocks.escape(str(e)))
        except SessionTimedOut as e:
            await self.deliver(e.ending)  # first: the debrief must not hang on a note that fails
            await tell(blocks.escape(str(e)))
        except Exception as e:  # an unusable message, or trouble on our side: only its writer hears
            await tell(_error_text(e))

    # -- posting, in each conversation's order ---------------------------------------------------
    async def deliver(self, ending: Ending) -> None:
        """Post a debrief where its session lived, after anything still being posted there."""
        async with self._in_order(_order_key(ending.channel, ending.thread)):
            await self._post_ending(ending)

    async def _post_ending(self, ending: Ending) -> None:
        """The debrief in the thread (top level in a DM); one line tells the channel the score.

        Call with the conversation's order lock held."""
        channel, _, ts = (ending.thread or "").partition("/")
        channel = channel or ending.channel
        in_dm = channel.startswith("D")
        await self._post(channel, None if in_dm else ts or None, blocks.debrief_message(ending), blocks.debrief_text(ending))
        if ts:  # the opening message loses its Hint/End buttons and shows the result
            try:
                await self.client.chat_update(channel=channel, ts=ts, **blocks.finished_opening(ending))
            except Exception as e:
                log.warning("could not close the opening message in %s: %s", channel, e)
        if self.announce and not in_dm:
            await self._post(ending.channel, None, {"text": blocks.finished_text(ending)})

    async def _post(self, channel: str, thread_ts: str | None, message: dict, fallback: str | None = None) -> bool:
        """Post a message; if Slack refuses its blocks, its plain text. False if nothing got through."""
        for attempt in (message, {"text": fallback or message.get("text", "")}):
            try:
                await self.client.chat_postMessage(channel=channel, thread_ts=thread_ts, **attempt)
                return True
            except Exception as e:
                log.warning("chat.postMessage to %s failed: %s", channel, slack_error(e) or e)
        return False

    # -- App Home ---------------------------------------------------------------------------
    async def on_home_opened(self, event: dict, context: AsyncBoltContext) -> None:
        if event.get("tab") != "home":
            return
        try:
            sessions = await self.service.history(_workspace(context), event["user"], HISTORY_LIMIT)
            await self.client.views_publish(user_id=event["user"], view=blocks.home_view(sessions, self.service.personas()))
        except Exception as e:
            user_error(e)  # logs it; the tab keeps its last content


def _order_key(channel: str, thread: str | None) -> str:
    """A DM holds one conversation, wherever in it the trainee writes; elsewhere, its thread."""
    return channel if channel.startswith("D") or not thread else thread


def _workspace(context: AsyncBoltContext) -> str:
    """Leaderboards are per workspace: the one Hotseat is installed in (the enterprise for an
    org-wide install), the same for every payload, even from a channel shared with another team."""
    installed = context.authorize_result
    if installed is not None:
        org = installed.enterprise_id if context.is_enterprise_install else None
        if org or installed.team_id:
            return org or installed.team_id
    return context.team_id or context.enterprise_id or "unknown"


def _name(user: dict) -> str:
    return user.get("username") or user.get("name") or user.get("id", "")


def slack_error(exc: BaseException) -> str | None:
    """Slack's error code ('not_in_channel', ...), or None when the answer was not Slack's JSON
    (a proxy's 502 page, a wrong SLACK_API_URL)."""
    data = getattr(getattr(exc, "response", None), "data", None)
    return data.get("error") if isinstance(data, dict) else None


def _error_text(exc: BaseException) -> str:
    """A failure in words the user can act on, escaped: error messages may quote their input."""
    return blocks.escape(user_error(exc))


def _privately(respond: AsyncRespond) -> Tell:
    """Answer only the person who acted, through the interaction's response_url."""

    async def tell(text: str = "", **message: Any) -> None:
        await respond(text=text, response_type="ephemeral", replace_original=False, **message)

    return tell
