"""Any progress `Panel` drawn for Discord: an embed, its charts as attachments, and a View.

One function per platform draws every Panel (stats, team, boards, history, the drill), so
a new view is written once in bot/frontends/panels.py. Panel text is plain: names come
from users, so each line passes through `plain` (no pings, no markdown) except what the
Panel quotes as a command in backticks; the table goes in a code block, where markdown
does nothing. Everything is clipped to Discord's embed limits (description 4096, fields
1024, footer 2048, 6000 in all), so a trainee with 1,000 sessions still gets an answer.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import discord

from bot.core.text import clip, pack
from bot.debrief.charts import Chart
from bot.frontends import panels as neutral
from bot.frontends.discord import buttons
from bot.frontends.discord.embeds import CONTENT_MAX, EMBED_MAX, FAIR, TEXT_MAX, TITLE_MAX

FOOTER_MAX = 2048
CODE = "```"


def plain(text: str) -> str:
    """Panel text made inert: mentions broken, markdown escaped, except `quoted` commands."""
    parts = (text or "").split("`")
    if len(parts) % 2 == 0:  # an odd backtick: quote nothing
        parts = [text or ""]
    out = []
    for i, part in enumerate(parts):
        part = discord.utils.escape_mentions(part)
        out.append(f"`{part}`" if i % 2 else discord.utils.escape_markdown(part))
    return "".join(out)


def code_block(text: str, limit: int) -> str:
    """`text` in a code block of at most `limit` characters, whole lines dropped from the end."""
    lines = text.replace(CODE, "ˋˋˋ").split("\n")  # a name cannot close the block

    def block(rows: list[str]) -> str:
        return f"{CODE}\n" + "\n".join(rows) + f"\n{CODE}"

    if len(block(lines)) <= limit:
        return block(lines)
    while lines and len(block([*lines, "…"])) > limit:
        lines.pop()
    return block([*lines, "…"]) if lines else ""


def chart_files(charts: tuple[Chart, ...]) -> list[discord.File]:
    """Fresh files each time: discord.py closes a File once it is sent (or refused)."""
    return [discord.File(io.BytesIO(c.png), filename=c.filename, description=clip(c.alt, 1024)) for c in charts]


def with_images(first: discord.Embed, charts: tuple[Chart, ...]) -> list[discord.Embed]:
    """`first` showing the first chart, and one small embed for each further chart."""
    if not charts:
        return [first]
    first.set_image(url=f"attachment://{charts[0].filename}")
    out = [first]
    for c in charts[1:]:
        extra = discord.Embed(colour=first.colour)
        extra.set_image(url=f"attachment://{c.filename}")
        out.append(extra)
    return out


@dataclass
class Drawn:
    """A panel ready to send; `files()` and `embeds(charts=False)` build what a retry without
    the uploads sends."""

    panel: neutral.Panel
    asker: str | None = None  # who may page a team panel

    def embed(self) -> discord.Embed:
        return panel_embed(self.panel)

    def embeds(self, *, charts: bool = True) -> list[discord.Embed]:
        return with_images(self.embed(), self.panel.charts) if charts else [self.embed()]

    def files(self) -> list[discord.File]:
        out = chart_files(self.panel.charts)
        if self.panel.file is not None:
            f = self.panel.file
            out.append(discord.File(io.BytesIO(f.data), filename=f.filename))
        return out

    def view(self) -> discord.ui.View | None:
        return panel_view(self.panel, self.asker)


TABLE_WIDTH = 60  # characters of a code block an embed shows unwrapped on a desktop


def wide(panel: neutral.Panel) -> bool:
    """Would the table lose cells to fit a code block? (history's eleven columns do)"""
    return len(neutral.table_text(panel.table, 10_000).split("\n", 1)[0]) > TABLE_WIDTH


def table_lines(panel: neutral.Panel, limit: int) -> str:
    """A wide table as one line a row: the first cell bold, then `header value` pairs."""
    header, *rows = panel.table
    out: list[str] = []
    size = 0
    for row in rows:
        pairs = " · ".join(f"{plain(h)} {plain(v)}" for h, v in zip(header[1:], row[1:]) if v not in ("", "-"))
        mark = "#" if header[0] == "#" else ""
        line = f"**{mark}{plain(row[0])}** {pairs}" if row else ""
        if size + len(line) + 2 > limit:
            out.append("…")
            break
        out.append(line)
        size += len(line) + 1
    return "\n".join(out)


def panel_embed(panel: neutral.Panel) -> discord.Embed:
    embed = discord.Embed(title=clip(plain(panel.title), TITLE_MAX), colour=FAIR)
    text = "\n".join(plain(line) for line in panel.lines)
    text = clip(text, TEXT_MAX - 200) if panel.table else clip(text, TEXT_MAX)
    if panel.table:
        room = min(TEXT_MAX - len(text) - 1, EMBED_MAX - 600 - len(text))
        table = table_lines(panel, room) if wide(panel) else code_block(panel.table_text(TABLE_WIDTH), room)
        text = f"{text}\n{table}" if text else table
    if text:
        embed.description = text
    if panel.notes:
        embed.set_footer(text=clip(" ".join(panel.notes), FOOTER_MAX))
    return embed


def panel_view(panel: neutral.Panel, asker: str | None = None) -> discord.ui.View | None:
    items: list[discord.ui.Item] = []
    for b in panel.buttons:
        item = button(b, asker)
        if item is not None:
            items.append(item)
    if not items:
        return None
    view = discord.ui.View(timeout=None)
    for item in items[:25]:
        view.add_item(item)
    return view


def button(b: neutral.Button, asker: str | None) -> discord.ui.Item | None:
    label = clip(b.label, buttons.LABEL_MAX)
    if b.action == neutral.START:
        return buttons.PracticeAgain("again", b.value, label=label) if len(b.value) <= buttons.ID_MAX else None
    if b.action == neutral.DEBRIEF:
        return buttons.ViewDebrief(b.value, label=label)
    if b.action == neutral.TEAM_PAGE and asker is not None:
        return buttons.TeamPage(b.value, asker, label=label)
    return None


def addressed_content(panel: neutral.Panel) -> tuple[str, list[int]]:
    """The drill's lines, each opening with a real mention of its trainee, as many as fit in
    one message; and the ids mentioned. Ids come from the database; one that is not a
    Discord snowflake is written as text, mentioning nobody."""
    lines: list[str] = []
    ids: list[int] = []
    size = 0
    for user, text in panel.addressed:
        if user.isdigit():
            line = f"<@{int(user)}> {plain(text)}"
        else:
            line = plain(f"{user}: {text}")
        if size + len(line) + 1 > CONTENT_MAX:
            break
        lines.append(line)
        size += len(line) + 1
        if user.isdigit():
            ids.append(int(user))
    return "\n".join(lines), ids


def drill_mentions(ids: list[int]) -> discord.AllowedMentions:
    """Exactly the trainees the drill names, and nobody else: no @everyone, roles or replies."""
    return discord.AllowedMentions(everyone=False, roles=False, replied_user=False,
                                   users=[discord.Object(i) for i in ids])


def split_lines(lines: list[str], limit: int = CONTENT_MAX - 10) -> list[str]:
    """Lines packed into as few Discord messages as fit."""
    return pack(lines, limit)
