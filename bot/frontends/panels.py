"""What a progress answer looks like, before any platform draws it.

Stats, team, the boards, history and the daily drill are built once here as a `Panel`
(a title, sentences, a table, small print, charts, a file, buttons); the Slack and
Discord adapters each have one function that draws any Panel, so a new view is written
once, not once per platform. Text in a Panel is plain: adapters escape it (names come
from users) and lay the table out in monospace.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Sequence

from bot.core.progress import FairBoard, Stats, TeamPage, Volume, DrillSuggestion
from bot.core.service import PastSession
from bot.debrief.charts import Chart
from bot.debrief.scoring import DIMENSIONS
from bot.vocab import stars

# What a button asks for; adapters map each to their own action ids.
START = "start"  # value: a persona id
DEBRIEF = "debrief"  # value: a session id
TEAM_PAGE = "team_page"  # value: "column:asc|desc:page"


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    action: str  # START, DEBRIEF or TEAM_PAGE
    value: str


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file for the asker (an export), already encoded."""

    filename: str
    data: bytes
    mimetype: str


@dataclass(frozen=True, slots=True)
class Commands:
    """How the asker types the commands a panel mentions: a chat's by default; the CLI
    passes its own (`hotseat console`), and None leaves out a hint it has no command for."""

    start: str = "`start`"
    debrief: str = "`debrief ID`"
    optout: str | None = "`leaderboard optout`"


CHAT = Commands()


@dataclass(frozen=True, slots=True)
class Panel:
    title: str
    lines: tuple[str, ...] = ()  # sentences, one a line
    table: tuple[tuple[str, ...], ...] = ()  # first row is the header
    notes: tuple[str, ...] = ()  # small print under everything
    charts: tuple[Chart, ...] = ()
    file: Attachment | None = None
    buttons: tuple[Button, ...] = ()
    # (user id, text) lines that name a trainee so the platform notifies them (the drill)
    addressed: tuple[tuple[str, str], ...] = ()

    def table_text(self, max_width: int = 72) -> str:
        """The table as aligned monospace columns, each cell cut to fit `max_width`."""
        return table_text(self.table, max_width)


def table_text(rows: Sequence[Sequence[str]], max_width: int = 72) -> str:
    if not rows:
        return ""
    cols = max(len(r) for r in rows)
    grid = [[str(c) for c in r] + [""] * (cols - len(r)) for r in rows]
    widths = [max(len(r[i]) for r in grid) for i in range(cols)]
    # shrink the widest column until the line fits: names are what give way
    while sum(widths) + 2 * (cols - 1) > max_width and max(widths) > 6:
        widths[widths.index(max(widths))] -= 1
    out = []
    for r in grid:
        cells = [_cut(c, w).ljust(w) if i < cols - 1 else _cut(c, w) for i, (c, w) in enumerate(zip(r, widths))]
        out.append("  ".join(cells).rstrip())
    return "\n".join(out)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def day(ts: float | None) -> str:
    """An ISO date (UTC): the same on every platform and in every export."""
    return "-" if ts is None else dt.datetime.fromtimestamp(ts, dt.timezone.utc).strftime("%Y-%m-%d")


def signed(x: float | None) -> str:
    return "" if x is None else f"{x:+.1f}"


def _num(x: float | None) -> str:
    return "-" if x is None else f"{x:.1f}"


# --------------------------------------------------------------------------- builders


def stats_panel(stats: Stats, name: str, charts: Sequence[Chart] = (), *, say: Commands = CHAT) -> Panel:
    if stats.sessions == 0:
        return Panel(
            f"Progress: {name}",
            (f"No scored sessions yet. Start one with {say.start}; progress shows after the first debrief.",),
        )
    lines = [
        f"Sessions: {stats.sessions_week} this week, {stats.sessions} in all.",
        f"Average score: {_num(stats.average)}" + (f" (trend {signed(stats.trend)})" if stats.trend is not None else ""),
    ]
    if stats.weakest:
        rec = stats.recommendation
        practise = f" Practise it with {rec.persona_name} ({stars(rec.difficulty)})." if rec else ""
        lines.append(f"Weakest skill: {stats.weakest}.{practise}")
    if stats.best:
        b = stats.best
        lines.append(f"Best session: {b.score}/100 with {b.persona_name} on {day(b.ended_at)} (#{b.session_id}).")
    table = [("skill", "average", "trend")]
    for d in DIMENSIONS:
        s = stats.dimensions.get(d)
        table.append((d, _num(s.average if s else None), signed(s.trend if s else None) or "-"))
    buttons = []
    if stats.recommendation:
        buttons.append(Button(f"Practise with {stats.recommendation.persona_name}", START, stats.recommendation.persona_id))
    if stats.best:
        buttons.append(Button("View best debrief", DEBRIEF, str(stats.best.session_id)))
    return Panel(
        f"Progress: {name}", tuple(lines), tuple(table),
        ("Trend: the mean of the last 5 sessions minus the 5 before (positive is better).",),
        tuple(charts), buttons=tuple(buttons),
    )


def team_panel(page: TeamPage) -> Panel:
    if not page.rows:
        return Panel("Team", ("Nobody has practised here yet.",))
    table = [("trainee", "week", "all", "avg", "weakest", "last")]
    for r in page.rows:
        table.append((r.name, str(r.sessions_week), str(r.sessions), _num(r.average), r.weakest or "-", day(r.last_practice)))
    order = "descending" if page.descending else "ascending"
    buttons = []
    way = "desc" if page.descending else "asc"
    if page.page > 1:
        buttons.append(Button("Previous", TEAM_PAGE, f"{page.sort}:{way}:{page.page - 1}"))
    if page.page < page.pages:
        buttons.append(Button("Next", TEAM_PAGE, f"{page.sort}:{way}:{page.page + 1}"))
    return Panel(
        "Team", (f"{page.trainees} trainees, sorted by {page.sort} ({order}).",), tuple(table),
        (f"Page {page.page} of {page.pages}. week: sessions in the last 7 days; avg: mean score; "
         "last: latest practice (UTC).",),
        buttons=tuple(buttons),
    )


def board_panel(board: FairBoard, persona_name: str | None = None, *, viewer_name: str | None = None,
                say: Commands = CHAT) -> Panel:
    """The fair board; `board.viewer`'s own standing is said to "You", or with `viewer_name`
    to that trainee by name (a lead asking about someone; the CLI's --user)."""
    scope = f" for {persona_name}" if persona_name else ""
    title = f"Leaderboard ({board.period}){scope}"
    lines: list[str] = []
    table: list[tuple[str, ...]] = []
    if board.rows:
        table.append(("#", "trainee", "rating", "avg", "sessions", "best"))
        for r in board.rows:
            rank = f"={r.rank}" if r.tied else str(r.rank)
            table.append((rank, r.name, f"{r.rating:.1f}", f"{r.average:.1f}", str(r.sessions), str(r.best)))
    else:
        lines.append(f"Nobody has {board.min_sessions} scored sessions in this period yet.")
    if board.below_minimum:
        waiting = ", ".join(f"{p.name} ({p.needed} more)" for p in board.below_minimum[:10])
        more = len(board.below_minimum) - 10
        lines.append(f"Not ranked yet: {waiting}" + (f" and {more} others." if more > 0 else "."))
    v = board.viewer
    if v is not None:
        who = viewer_name or "You"
        if v.rank is not None:
            mark = "=" if v.tied else ""
            hidden = ((" (opted out: hidden from the public board)." if viewer_name
                       else " (only you see this: you opted out).") if v.opted_out else ".")
            lines.append(f"{who}: {mark}{v.rank} of {v.ranked}, rating {v.rating:.1f}" + hidden)
        elif v.sessions or viewer_name:  # asked about by name: say where they stand even with none yet
            lines.append(f"{who}: {v.needed} more session{'s' if v.needed != 1 else ''} to be ranked.")
    optout = f" {say.optout} hides you." if say.optout else ""
    notes = (f"Rating: the mean score weighted by difficulty (1 star x0.8 ... 5 stars x1.2); "
             f"at least {board.min_sessions} sessions.{optout}",)
    return Panel(title, tuple(lines), tuple(table), notes)


def volume_panel(volume: Volume, *, viewer_name: str | None = None) -> Panel:
    table: list[tuple[str, ...]] = [("trainee", "sessions", "streak")] if volume.rows else []
    for r in volume.rows:
        table.append((r.name, str(r.sessions), f"{r.streak}d"))
    lines = [] if volume.rows else ["Nobody has practised in this period yet."]
    if volume.viewer is not None:
        lines.append(f"{viewer_name or 'You'}: {volume.viewer.sessions} sessions, a {volume.viewer.streak}-day streak.")
    return Panel(f"Practice volume ({volume.period})", tuple(lines), tuple(table),
                 ("Streak: consecutive days (UTC) with a scored session.",))


def history_panel(sessions: Sequence[PastSession], *, name: str | None = None, say: Commands = CHAT) -> Panel:
    """The asker's sessions, newest first; with `name`, someone else's (a lead's view)."""
    title = f"Sessions: {name}" if name else "Your sessions"
    if not sessions:
        return Panel(title, (f"No sessions yet. Start one with {say.start}.",))
    short = {d: d[:4] for d in DIMENSIONS}
    table = [("#", "date", "persona", "score", "outcome", *short.values())]
    buttons = []
    for s in sessions:
        dims = s.dimensions or {}
        score = f"{s.score}" if s.score is not None else ("live" if s.status == "active" else "-")
        table.append((
            str(s.session_id), day(s.started_at), s.persona_name, score, (s.outcome or s.status).replace("_", " "),
            *(str(dims[d]) if d in dims else "-" for d in DIMENSIONS),
        ))
        if s.status == "ended" and s.score is not None and len(buttons) < 5:
            buttons.append(Button(f"Debrief #{s.session_id}", DEBRIEF, str(s.session_id)))
    return Panel(title, (), tuple(table),
                 (f"{say.debrief} shows a debrief again. " + ", ".join(f"{v}: {k}" for k, v in short.items()) + ".",),
                 buttons=tuple(buttons))


def drill_panel(suggestions: Sequence[DrillSuggestion]) -> Panel:
    addressed = []
    buttons: list[Button] = []
    for s in suggestions:
        rec = s.recommendation
        if rec is None:
            continue
        addressed.append((s.user, f"{rec.persona_name} ({stars(rec.difficulty)}) for {s.weakest} ({s.weakest_average:.0f})"))
        if rec.persona_id not in {b.value for b in buttons} and len(buttons) < 5:
            buttons.append(Button(f"Start {rec.persona_name}", START, rec.persona_id))
    if not addressed:
        return Panel("Drill of the day", ("Nobody here has practised in the last two weeks. Today's drill: anyone, `start`!",))
    return Panel(
        "Drill of the day", ("One customer each, picked for your weakest skill:",),
        notes=("A lead set this up with `drill on`; `drill off` stops it.",),
        buttons=tuple(buttons), addressed=tuple(addressed),
    )
