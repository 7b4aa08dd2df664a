"""Plain-text rendering of the service's results, for the terminal and the CLI."""

from __future__ import annotations

import textwrap
from typing import Sequence

from bot.vocab import band_of, stars
from bot.persona.records import Persona
from bot.debrief.charts import sparkline
from bot.debrief.scoring import Debrief
from bot.debrief.timeline import Moment
from bot.core.events import Ended
from bot.core.service import PastSession
from bot.frontends import panels
from bot.frontends.panels import Button, Panel

OUTCOME_WORDS = {
    "resolved": "Resolved: the customer left satisfied.",
    "escalated": "Escalated: the customer demanded a manager or filed a complaint.",
    "customer_left": "Customer left: they gave up on you.",
    "unfinished": "Unfinished: the conversation ended before a resolution.",
}
END_REASONS = {"ended": "you ended it", "timed_out": "it timed out", "turn_cap": "it hit the turn limit"}


def bar(value: int, width: int = 20) -> str:
    filled = round(max(0, min(100, value)) * width / 100)
    return "█" * filled + "░" * (width - filled)


def mood_meter(mood: int) -> str:
    return f"anger {bar(mood, 10)} {mood:3d} ({band_of(mood)})"


def exchange(name: str, labels: list[str], customer: str, mood: int) -> str:
    """What the trainee's message showed, then the customer's answer with the mood meter."""
    return f"  ({', '.join(labels) or 'no behaviour detected'})\n{name}: {customer}   [{mood_meter(mood)}]"


def persona_line(p: Persona) -> str:
    return f"{p.id:<22} {stars(p.difficulty)} {p.name} — {p.scenario}"


def outcome_line(ended: Ended) -> str:
    """'Resolved: the customer left satisfied.' plus why it ended when the trainee didn't finish it."""
    return _outcome_words(ended.debrief.outcome, ended.end_reason)


def _outcome_words(outcome: str, end_reason: str | None) -> str:
    line = OUTCOME_WORDS.get(outcome, outcome)
    if end_reason in END_REASONS:
        line += f" ({END_REASONS[end_reason]})"
    return line


def finished_line(ended: Ended) -> str:
    """The one-line channel announcement: who finished which persona with what score."""
    who = ended.user_name or ended.user or "A trainee"
    outcome = ended.debrief.outcome.replace("_", " ")
    return f"{who} finished a session with {ended.persona.name}: {ended.debrief.score}/100 ({outcome})."


def debrief(ended: Ended) -> str:
    return debrief_text(ended.debrief, ended.persona.name, ended.persona.id, ended.end_reason)


def debrief_text(d: Debrief, persona_name: str, persona_id: str, end_reason: str | None) -> str:
    """The debrief as the console prints it when a session ends, and as `hotseat debrief ID`
    prints it again from the stored copy (so the two are the same text)."""
    out = ["", "═" * 60, f" Debrief: {persona_name} ({persona_id})", "═" * 60]
    out.append(f" Score: {d.score}/100   {_outcome_words(d.outcome, end_reason)}")
    out.append(f" Conflict style: {d.style}. {d.style_note}")
    out.append(f" Turns: {d.turns}   Hints used: {d.hints_used}")
    out.append("")
    for name, value in d.dimensions.items():
        out.append(f"  {name:<16} {bar(value)} {value:3d}")
    out.extend(timeline(d.timeline))
    if d.best:
        out.append("\n Best lines:")
        for q in d.best:
            out.append(f"  + turn {q.turn}: \"{q.text}\"\n      {q.note} [{', '.join(q.labels)}]")
    if d.worst:
        out.append("\n Lines to rethink:")
        for q in d.worst:
            out.append(f"  - turn {q.turn}: \"{q.text}\"\n      {q.note} [{', '.join(q.labels)}]")
    if d.tips:
        out.append("\n Tips:")
        for tip in d.tips:
            out.append(f"  * {tip}")
    out.append("")
    return "\n".join(out)


WIDTH = 80
LONG_CONVERSATION = 12  # turns; past this, ordinary turns get one line each and turning points wrap


def timeline(moments: tuple[Moment, ...], width: int = WIDTH) -> list[str]:
    """The turn-by-turn section: a sparkline of the anger, then one line per turn.

    Turning points are marked (▲ angrier, ▼ calmer) and always shown in full; in a long
    conversation the other turns are cut to one line, so 40 turns stay 40 lines.
    """
    if not moments:
        return []
    moods = [moments[0].mood_before, *(m.mood_after for m in moments)]
    out = ["", f" Turn by turn (anger {moods[0]} → {moods[-1]}):  {sparkline(moods)}"]
    for m in moments:
        mark = ("▲" if m.delta > 0 else "▼") if m.turning_point else " "
        head = f"  {mark}{m.index:>3}  {m.mood_before:>3} → {m.mood_after:<3} "
        reason = m.reason + (" (turning point)" if m.turning_point else "")
        if len(moments) > LONG_CONVERSATION and not m.turning_point and len(head) + len(reason) > width:
            reason = textwrap.shorten(reason, width - len(head), placeholder="…")
        lines = textwrap.wrap(reason, width - len(head)) or [""]
        out.append(head + lines[0])
        out.extend(" " * len(head) + line for line in lines[1:])
    return out


def session_result(s: PastSession, score_format: str = "{score}/100") -> str:
    """'78/100 resolved', 'in progress', or 'not scored' for a session closed without a debrief."""
    if s.status == "active":
        return "in progress"
    if s.score is None:
        return "not scored"
    return f"{score_format.format(score=s.score)} {(s.outcome or '').replace('_', ' ')}"


# -- progress panels: stats, team, the boards, history --------------------------------------

INDENT = "  "


def panel(p: Panel, width: int = WIDTH) -> str:
    """Any progress `Panel` (bot/frontends/panels.py) as plain text: the title underlined,
    its sentences and addressed lines ("name: text"), the table in aligned columns, the
    small print, and the `hotseat` command for each button that has one. Charts and files
    are the caller's to write: the CLI saves PNGs and prints their paths."""
    sections: list[list[str]] = []
    said = [*p.lines, *(f"{who}: {text}" for who, text in p.addressed)]
    if said:
        sections.append(_wrapped(said, width))
    if p.table:
        sections.append([(INDENT + row).rstrip() for row in p.table_text(max(20, width - len(INDENT))).splitlines()])
    hints = cli_hints(p.buttons)
    footer = _wrapped(p.notes, width) + ([f"{INDENT}({'; '.join(hints)})"] if hints else [])
    if footer:
        sections.append(footer)
    out = [p.title, "═" * min(len(p.title), width)]
    for i, section in enumerate(sections):
        out.extend(([""] if i else []) + section)
    return "\n".join(out)


def cli_hints(buttons: Sequence[Button]) -> list[str]:
    """What a panel's buttons do, as the CLI does it: `hotseat console ID` for a practice
    button, `hotseat debrief ID` for the first debrief button, "Next: --page 3" (the same
    command again with that page) for paging. Buttons with no CLI equivalent are left out."""
    out: list[str] = []
    seen: set[str] = set()
    for b in buttons:
        if b.action == panels.TEAM_PAGE:
            out.append(f"{b.label}: --page {b.value.rsplit(':', 1)[-1]}")
        elif b.action in (panels.START, panels.DEBRIEF) and b.action not in seen:
            seen.add(b.action)
            out.append(f"hotseat {'console' if b.action == panels.START else 'debrief'} {b.value}")
    return out


def _wrapped(lines: Sequence[str], width: int) -> list[str]:
    out: list[str] = []
    for line in lines:
        out.extend(textwrap.wrap(line, width, initial_indent=INDENT, subsequent_indent=INDENT,
                                 break_long_words=False, break_on_hyphens=False) or [INDENT.rstrip()])
    return out
