"""Plain-text rendering of the service's results, for the terminal and the CLI."""

from __future__ import annotations

import time
import textwrap

from bot.vocab import band_of, stars
from bot.persona.records import Persona
from bot.debrief.charts import sparkline
from bot.debrief.scoring import Debrief
from bot.debrief.timeline import Moment
from bot.core.events import Ended
from bot.core.service import Leaderboard, PastSession

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
    line = OUTCOME_WORDS.get(ended.debrief.outcome, ended.debrief.outcome)
    if ended.end_reason in END_REASONS:
        line += f" ({END_REASONS[ended.end_reason]})"
    return line


def finished_line(ended: Ended) -> str:
    """The one-line channel announcement: who finished which persona with what score."""
    who = ended.user_name or ended.user or "A trainee"
    outcome = ended.debrief.outcome.replace("_", " ")
    return f"{who} finished a session with {ended.persona.name}: {ended.debrief.score}/100 ({outcome})."


def debrief(ended: Ended) -> str:
    d: Debrief = ended.debrief
    out = ["", "═" * 60, f" Debrief: {ended.persona.name} ({ended.persona.id})", "═" * 60]
    out.append(f" Score: {d.score}/100   {outcome_line(ended)}")
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


def leaderboard(board: Leaderboard) -> str:
    scope = f" for {board.persona_id}" if board.persona_id else ""
    title = f"Leaderboard ({board.period}{scope}): {board.metric}, at least {board.min_sessions} sessions"
    if not board.rows:
        return title + "\n  Nobody qualifies yet. Practise a few sessions to get on the board."
    lines = [title]
    for i, row in enumerate(board.rows, 1):
        lines.append(f"  {i:>2}. {row.user_name:<24} {row.average:5.1f}  best {row.best:3d}  ({row.sessions} sessions)")
    return "\n".join(lines)


def history(user: str, sessions: list[PastSession]) -> str:
    if not sessions:
        return f"No sessions yet for {user}."
    lines = [f"Sessions of {user}, newest first:"]
    for s in sessions:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(s.started_at))
        result = session_result(s, "{score:3d}/100")
        lines.append(f"  #{s.session_id:<5} {when}  {s.persona_name:<20} {result}  ({s.turns} turns)")
    return "\n".join(lines)
