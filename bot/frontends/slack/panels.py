"""Any progress `Panel` drawn as Block Kit, the turn-by-turn debrief, and file uploads.

One function (`panel_message`) draws every panel (stats, team, boards, history, the drill),
so a new view needs no Slack code. Everything a user typed or named is escaped; the only
live markup is the drill's `<@U…>` mentions, built from user ids the database holds, never
from text. Charts and exports go up with `files_upload_v2`; an upload Slack refuses
(missing scope, uploads disabled) is logged and reported as False, never raised, so the
text it belongs to is never lost with it.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Sequence

from slack_sdk.web.async_client import AsyncWebClient

from bot.core.events import Ended
from bot.core.text import pack
from bot.debrief.charts import Chart
from bot.debrief.timeline import Moment
from bot.frontends import panels as neutral
from bot.frontends.panels import Attachment, Button, Panel
from bot.frontends.slack import blocks

log = logging.getLogger(__name__)


def slack_error(exc: BaseException) -> str | None:
    """Slack's error code, as ports.slack_error (kept here: ports imports this module)."""
    data = getattr(getattr(exc, "response", None), "data", None)
    return data.get("error") if isinstance(data, dict) else None

DEBRIEF = "hotseat.debrief"  # action ids "hotseat.debrief:<session id>"
TEAM_PAGE = "hotseat.team"  # action ids "hotseat.team:<column>:<asc|desc>:<page>"
MAX_BLOCKS = 50  # Slack refuses a message with more
MAX_BUTTONS = 25  # elements in one actions block
BUTTON_LABEL = 75
ALT_LIMIT = 1000  # files.getUploadURLExternal refuses longer alt text (alt_txt_too_large)
TABLE_WIDTH = 96  # a code block this wide reads in a desktop message pane without wrapping
TURN_LINE = 400  # one turn's line in the thread, at most

_SLACK_USER = re.compile(r"^[UW][A-Z0-9]+$")  # a member id as the database holds it: no markup can hide in it

Message = dict[str, Any]


# --------------------------------------------------------------------------- panels


def action_of(button: Button) -> str:
    """The Slack action id a panel's button carries; the value rides in the id so every
    button in a message is unique and the listener needs no lookup."""
    if button.action == neutral.START:
        return blocks.start_action(button.value)
    if button.action == neutral.DEBRIEF:
        return f"{DEBRIEF}:{button.value}"
    if button.action == neutral.TEAM_PAGE:
        return f"{TEAM_PAGE}:{button.value}"
    raise ValueError(f"unknown panel action {button.action!r}")


def value_of(action_id: str) -> str:
    return action_id.partition(":")[2]


def mention(user: str) -> str:
    """`<@U123>` for an id the database holds; anything else shown as text, never live."""
    return f"<@{user}>" if _SLACK_USER.match(user or "") else blocks.escape(user or "")


def panel_message(panel: Panel, *, note: str | None = None) -> Message:
    """The panel as {"text", "blocks"}: title, sentences, the addressed lines (mentions),
    the table in monospace (split into sections under Slack's 3000 characters), small
    print, buttons. `note` is one more line of small print (where a chart went)."""
    out: list[dict] = [blocks._header(panel.title)]
    if panel.lines:
        out.extend(_sections("\n".join(blocks.escape(line) for line in panel.lines)))
    if panel.addressed:
        out.extend(_sections("\n".join(f"• {mention(user)}: {blocks.escape(text)}" for user, text in panel.addressed)))
    if panel.table:
        out.extend(_code_sections(neutral.table_text(panel.table, TABLE_WIDTH)))
    small = [blocks.escape(n) for n in panel.notes] + ([blocks.escape(note)] if note else [])
    tail: list[dict] = []
    if small:
        tail.append(blocks._context("\n".join(small)))
    if panel.buttons:
        tail.append({"type": "actions", "elements": [
            blocks._button(b.label[:BUTTON_LABEL], action_of(b)) | {"value": b.value[:2000]}
            for b in panel.buttons[:MAX_BUTTONS]
        ]})
    room = MAX_BLOCKS - len(tail)
    if len(out) > room:
        out = out[: room - 1] + [blocks._context("(cut to fit one Slack message)")]
    text = panel.title + (": " + panel.lines[0] if panel.lines else "")
    return {"text": blocks._fit(blocks.escape(text), blocks.TEXT_LIMIT), "blocks": out + tail}


def _sections(text: str) -> list[dict]:
    """Plain mrkdwn in as many sections as it needs, cut at line ends."""
    return [blocks._section(chunk) for chunk in pack(text.splitlines(), blocks.SECTION_LIMIT)]


def _code_sections(table: str) -> list[dict]:
    fence = 6  # the ``` on both ends
    table = table.replace("```", "ˋˋˋ")  # a name cannot close the block and format the rest (as on Discord)
    return [blocks._section(f"```{blocks.escape(chunk)}```")
            for chunk in pack(table.splitlines(), (blocks.SECTION_LIMIT - fence) // 2)]  # escaping may double it




# --------------------------------------------------------------------------- turn by turn


def turn_by_turn_messages(ended: Ended) -> list[Message]:
    """The whole timeline for the thread: one line per turn, as many messages as it takes
    (each within one section's 3000 characters; a message holds up to 40 such sections)."""
    moments = ended.debrief.timeline
    if not moments:
        return []
    moods = [moments[0].mood_before, *(m.mood_after for m in moments)]
    head = f"*Turn by turn* (anger {moods[0]} → {moods[-1]})"
    lines = [_turn_line(m) for m in moments]
    chunks = pack(lines, blocks.SECTION_LIMIT - len(head) - 1)
    messages: list[Message] = []
    per_message = 40
    for start in range(0, len(chunks), per_message):
        part = chunks[start:start + per_message]
        title = head if start == 0 else head + " (continued)"
        sections = [blocks._section(title + "\n" + part[0])] + [blocks._section(c) for c in part[1:]]
        messages.append({"text": blocks.escape(f"Turn by turn with {ended.persona.name}"), "blocks": sections})
    return messages


def _turn_line(m: Moment) -> str:
    mark = " *(turning point)*" if m.turning_point else ""
    reason = blocks._fit(blocks.escape(m.reason), TURN_LINE)
    bullet = blocks.turn_mark(m.delta) if m.turning_point else "•"
    return f"{bullet} {m.index}. {m.mood_before} → {m.mood_after}: {reason}{mark}"


# --------------------------------------------------------------------------- uploads


async def upload_chart(client: AsyncWebClient, chart: Chart, channel: str, thread_ts: str | None = None) -> bool:
    """One chart into `channel` (a thread of it, given `thread_ts`), with its alt text."""
    return await _upload(client, channel, thread_ts, filename=chart.filename, file=chart.png,
                         title=chart.alt[:250], alt_txt=chart.alt[:ALT_LIMIT])


async def upload_file(client: AsyncWebClient, file: Attachment, channel: str, comment: str | None = None) -> bool:
    return await _upload(client, channel, None, filename=file.filename, file=file.data, title=file.filename,
                         initial_comment=comment)


async def upload_charts(client: AsyncWebClient, charts: Sequence[Chart], channel: str,
                        thread_ts: str | None = None) -> int:
    """Each chart in turn; returns how many Slack took."""
    return sum([await upload_chart(client, c, channel, thread_ts) for c in charts])


async def _upload(client: AsyncWebClient, channel: str, thread_ts: str | None, **file: Any) -> bool:
    try:
        await client.files_upload_v2(channel=channel, thread_ts=thread_ts,
                                     **{k: v for k, v in file.items() if v is not None})
        return True
    except Exception as e:  # noqa: BLE001 - a refused upload must never take its text with it
        log.warning("could not upload %s to %s: %s", file.get("filename"), channel, slack_error(e) or e)
        return False


async def dm_channel(client: AsyncWebClient, user: str) -> str | None:
    """The DM with Hotseat, for what a private answer cannot carry (files)."""
    try:
        return (await client.conversations_open(users=user))["channel"]["id"]
    except Exception as e:  # noqa: BLE001
        log.warning("could not open the DM with %s: %s", user, slack_error(e) or e)
        return None
