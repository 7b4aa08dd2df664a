"""Bolt listeners: Slack commands, buttons and thread messages in, service calls out.

Every listener acks first (Slack wants an answer within three seconds), then calls the
service, then posts. Failures become an ephemeral note to the person who acted and
never reach anyone else's session.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Awaitable, Callable

from slack_bolt.async_app import AsyncApp, AsyncRespond
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from ..commands import Invocation, in_thread_word, leaderboard_args, parse
from ..dedupe import SeenIds
from ..errors import HotseatError, NoActiveSession, NotYourSession
from ..frontend import user_error
from ..service import Ending, HotseatService, SessionTimedOut, Who
from . import blocks

log = logging.getLogger(__name__)

Deliver = Callable[[Ending], Awaitable[None]]
Tell = Callable[..., Awaitable[Any]]  # tell(text) or tell(**message), privately

NOT_IN_CHANNEL = {"not_in_channel", "channel_not_found"}
INVITE = (
    "I can't post in this channel yet. Invite me with `/invite @Hotseat` and run the command again, "
    "or practise from Hotseat's Home tab."
)
TYPED_MESSAGES = {None, "thread_broadcast", "file_share"}  # others are edits, joins, bots: never turns
HISTORY_LIMIT = 10


class Listeners:
    """The Slack side of Hotseat's commands; `deliver` posts a debrief where its session lived."""

    def __init__(self, service: HotseatService, deliver: Deliver) -> None:
        self.service = service
        self.deliver = deliver
        self.events = SeenIds()  # Slack retries events it thinks we missed
        self.noted = SeenIds(ttl=24 * 3600)  # (thread, user) pairs already told "not your session"

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
    async def on_command(self, ack: Any, command: dict, context: AsyncBoltContext, respond: AsyncRespond,
                         client: AsyncWebClient) -> None:
        try:
            invocation = parse(command.get("text", ""))
        except HotseatError as e:
            await ack(text=str(e))
            return
        if invocation.name == "help":
            await ack(**blocks.help_message())
            return
        await ack()
        who = Who(_workspace(context), command["channel_id"], command["user_id"], command.get("user_name", ""))
        tell = _privately(respond)
        try:
            await self._command(invocation, who, tell, client)
        except Exception as e:
            await tell(user_error(e))

    async def _command(self, inv: Invocation, who: Who, tell: Tell, client: AsyncWebClient) -> None:
        if inv.name == "start" and inv.args:
            await self._start(client, who, inv.args[0])
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

    async def _start(self, client: AsyncWebClient, who: Who, persona_id: str | None) -> None:
        """Start, post the opening in the channel, and make its thread the conversation."""
        opening = await self.service.start(who, persona_id)
        try:
            posted = await client.chat_postMessage(channel=who.channel, **blocks.opening_message(opening, who.user_name))
        except SlackApiError as e:
            await self.service.abandon(opening.session_id)  # nobody saw it: no history row, free to retry
            if e.response.get("error") in NOT_IN_CHANNEL:
                raise HotseatError(INVITE) from None
            raise
        await self.service.set_thread(opening.session_id, f"{who.channel}/{posted['ts']}")

    # -- buttons ----------------------------------------------------------------------------
    async def on_start_button(self, ack: Any, body: dict, action: dict, context: AsyncBoltContext,
                              respond: AsyncRespond, client: AsyncWebClient) -> None:
        """A Start button in the picker (starts in that channel) or on App Home (starts in the DM)."""
        await ack()
        user = body["user"]
        in_home = body.get("container", {}).get("type") == "view"
        tell: Tell = (lambda text: client.chat_postMessage(channel=user["id"], text=text)) if in_home else _privately(respond)
        try:
            if in_home:
                channel = (await client.conversations_open(users=user["id"]))["channel"]["id"]
            else:
                channel = body["container"]["channel_id"]
            who = Who(_workspace(context), channel, user["id"], _name(user))
            await self._start(client, who, blocks.persona_of(action["action_id"]))
            if not in_home:
                await respond(delete_original=True)  # the picker has done its job
        except Exception as e:
            await tell(user_error(e))

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
            await tell(user_error(e))

    # -- thread messages ---------------------------------------------------------------------
    async def on_message(self, event: dict, context: AsyncBoltContext, client: AsyncWebClient) -> None:
        """A reply in a practice thread is the trainee's turn; everything else passes by."""
        thread_ts, user = event.get("thread_ts"), event.get("user")
        if (event.get("bot_id") or event.get("subtype") not in TYPED_MESSAGES or not user
                or not thread_ts or thread_ts == event.get("ts") or user == context.bot_user_id):
            return
        channel = event["channel"]
        thread = f"{channel}/{thread_ts}"
        who = Who(_workspace(context), channel, user)

        async def tell(text: str) -> None:
            await client.chat_postEphemeral(channel=channel, user=user, thread_ts=thread_ts, text=text)

        text = blocks.unescape(event.get("text") or "")
        try:
            word = in_thread_word(text)
            if word == "hint":
                await tell(blocks.hint_text(await self.service.hint(who, thread=thread)))
            elif word == "end":
                await self.deliver(await self.service.end(who, thread=thread))
            else:
                reply = await self.service.reply(who, text, thread=thread)
                await client.chat_postMessage(
                    channel=channel, thread_ts=thread_ts,
                    **blocks.customer_message(reply.persona, reply.customer, reply.mood),
                )
                if reply.ending is not None:
                    await self.deliver(reply.ending)
        except NoActiveSession:
            return  # not a practice thread (or one that has ended): stay out of it
        except NotYourSession as e:
            if self.noted.first_time((thread, user)):
                await tell(str(e))
        except SessionTimedOut as e:
            await tell(str(e))
            await self.deliver(e.ending)
        except Exception as e:  # an unusable message, or trouble on our side: only its writer hears
            await tell(user_error(e))

    # -- App Home ---------------------------------------------------------------------------
    async def on_home_opened(self, event: dict, context: AsyncBoltContext, client: AsyncWebClient) -> None:
        if event.get("tab") != "home":
            return
        try:
            sessions = await self.service.history(_workspace(context), event["user"], HISTORY_LIMIT)
            await client.views_publish(user_id=event["user"], view=blocks.home_view(sessions, self.service.personas()))
        except Exception as e:
            user_error(e)  # logs it; the tab keeps its last content


def _workspace(context: AsyncBoltContext) -> str:
    """Leaderboards are per workspace: the team, or the enterprise for org-wide installs."""
    return context.team_id or context.enterprise_id or ""


def _name(user: dict) -> str:
    return user.get("username") or user.get("name") or user.get("id", "")


def _privately(respond: AsyncRespond) -> Tell:
    """Answer only the person who acted, through the interaction's response_url."""

    async def tell(text: str = "", **message: Any) -> None:
        await respond(text=text, response_type="ephemeral", replace_original=False, **message)

    return tell
