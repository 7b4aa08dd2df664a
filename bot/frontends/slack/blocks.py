"""Block Kit rendering of the service's results: pure functions from results to Slack payloads.

Each message function returns {"text": ..., "blocks": [...]} to splat into chat.postMessage
or respond(); `text` is the notification fallback. Every piece of trainee or persona text
goes through `escape`, so `<!channel>` or `<@U123>` typed by a trainee is shown, never
acted on.
"""

from __future__ import annotations

import re
import time
from typing import Any, Iterable

from bot.core.text import clip
from bot.frontends.chat_commands import COMMANDS, INTRO, LEAD_COMMANDS, TRAINER_COMMANDS, UPLOAD_HOW
from bot.vocab import stars
from bot.persona.records import Persona
from bot.debrief.scoring import HINT_COST
from bot.frontends.console import render as render_text
from bot.frontends.console.render import bar, finished_line, mood_meter, outcome_line, session_result
from bot.core.events import Ended, HintGiven, Opened
from bot.core.service import PastSession
from bot.frontends.trainer import Report

SLASH = "/hotseat"
START = "hotseat.start"  # action ids are "hotseat.start:<persona id>"; SURPRISE picks at random
SURPRISE = "*"
HINT = "hotseat.hint"
END = "hotseat.end"

SECTION_LIMIT = 3000  # Slack refuses longer section text
FIELD_LIMIT = 2000  # and longer section fields
TEXT_LIMIT = 40000  # and a longer message text
PICKER_LIMIT = 40  # a message holds at most 50 blocks
HEADER_LIMIT = 150

Message = dict[str, Any]
Block = dict[str, Any]


def escape(text: str) -> str:
    """Slack's three control characters, so user text can never become a mention or a link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """What the trainee typed: Slack delivers `&`, `<`, `>` escaped; `&amp;` goes last."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


_MARKUP = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")
_BROADCAST = {"!here": "@here", "!channel": "@channel", "!everyone": "@everyone"}


def from_slack(text: str) -> str:
    """A message as the trainee saw it when typing: `<@U1|ana>` -> `@ana`, `<!here>` -> `@here`,
    `<https://x|docs>` -> `docs`, entities undone. What the service stores and quotes back
    is readable words, never live markup."""

    def readable(m: re.Match[str]) -> str:
        target, label = m.group(1), m.group(2) or ""
        if target in _BROADCAST:
            return _BROADCAST[target]
        if target[:1] in "@#":  # a user or channel: its name when Slack gave one, else its id
            return target[0] + (label or target[1:])
        return label or ("" if target.startswith("!") else target)  # dates, user groups, links

    return unescape(_MARKUP.sub(readable, text))


def start_action(persona_id: str | None) -> str:
    return f"{START}:{persona_id or SURPRISE}"


def persona_of(action_id: str) -> str | None:
    """The persona a Start button asks for; None for "Surprise me"."""
    persona = action_id.partition(":")[2]
    return None if persona in ("", SURPRISE) else persona


# -- messages ------------------------------------------------------------------------------
def help_message() -> Message:
    lines = [f"`{SLASH} {c.name}{' ' + c.usage if c.usage else ''}`  {c.summary}" for c in COMMANDS]
    tail = "In your conversation's thread you can also type `hint` or `end` on its own."
    trainers = [f"`{SLASH} {c.name}`  {c.summary}" for c in TRAINER_COMMANDS if c.name != "personas upload"]
    trainers.append(UPLOAD_HOW["slack"])
    leads = [f"`{SLASH} {c.name}{' ' + c.usage if c.usage else ''}`  {c.summary}" for c in LEAD_COMMANDS]
    return {
        "text": INTRO,
        "blocks": [
            _section(INTRO), _section("\n".join(lines)), _context(tail),
            _context("*For trainers:* " + " ".join(trainers)),
            _context("*For leads:*\n" + "\n".join(leads)),
        ],
    }


def persona_picker(personas: Iterable[Persona], title: str = "Who would you like to practise with?") -> Message:
    """Each persona with difficulty and scenario and a Start button, then "Surprise me"."""
    personas = list(personas)
    blocks = [_section(f"*{escape(title)}*")]
    for p in personas[:PICKER_LIMIT]:
        text = f"*{escape(p.name)}*  {stars(p.difficulty)}  `{escape(p.id)}`\n{escape(p.scenario)}"
        blocks.append({**_section(text), "accessory": _button("Start", start_action(p.id))})
    if len(personas) > PICKER_LIMIT:
        more = ", ".join(f"`{escape(p.id)}`" for p in personas[PICKER_LIMIT:])
        blocks.append(_context(f"Also: {more}. Start one by its id with `{SLASH} start`."))
    blocks.append({"type": "actions", "elements": [_button("Surprise me", start_action(None), "primary")]})
    return {"text": title, "blocks": blocks}


def opening_message(opened: Opened) -> Message:
    """The thread's first message: the brief, the customer's first line, Hint and End."""
    p = opened.persona
    return {
        "text": escape(f"{p.name}: {opened.customer}"),
        "blocks": [
            *_opening_blocks(p, opened.customer),
            _context(
                f"Practice for {escape(opened.who.user_name or opened.who.user)}: reply in this thread as you would to a real customer. "
                "Only they play here; type `hint` or `end` in the thread, or use the buttons."
            ),
            {"type": "actions", "elements": [_button("Hint", HINT), _button("End", END, "danger")]},
        ],
    }


def finished_opening(ended: Ended) -> Message:
    """The opening message once the session is over: same story, no live buttons, the result."""
    p, d = ended.persona, ended.debrief
    result = f"Finished: *{d.score}/100*, {escape(outcome_line(ended))} The debrief is in this thread."
    return {
        "text": escape(f"{p.name}: {ended.opening}"),
        "blocks": [*_opening_blocks(p, ended.opening), _context(result)],
    }


def _opening_blocks(p: Persona, customer: str) -> list[Block]:
    return [
        _header(f"{p.name} {stars(p.difficulty)}"),
        _section(f"*{escape(p.scenario)}*\n{escape(p.brief)}"),
        _section(f"*{escape(p.name)}:* {escape(customer)}"),
    ]


def customer_message(persona: Persona, customer: str, mood: int) -> Message:
    line = f"*{escape(persona.name)}:* {escape(customer)}"
    return {"text": line, "blocks": [_section(line), _context(mood_meter(mood))]}


def hint_text(hint: HintGiven) -> str:
    return f":bulb: {escape(hint.text)}  _(hint {hint.hints_used}; each costs {HINT_COST} points)_"


def debrief_text(ended: Ended) -> str:
    """The debrief as plain text: the fallback when Slack refuses the blocks."""
    return _fit(escape(render_text.debrief(ended)), TEXT_LIMIT)


THREAD_HAS_TURNS = "The full turn-by-turn list is in the thread."


def debrief_message(ended: Ended, *, more_turns: str = THREAD_HAS_TURNS) -> Message:
    """Score, per-dimension bars, outcome, conflict style, the turning points with their
    reasons, best and worst lines, tips. `more_turns` says where the full list is."""
    d = ended.debrief
    bars = "\n".join(f"{name:<16}{bar(value)} {value:3d}" for name, value in d.dimensions.items())
    blocks = [
        _header(f"Debrief: {ended.persona.name}"),
        _section(f"*Score: {d.score}/100*\n{escape(outcome_line(ended))}"),
        {"type": "section", "fields": [
            _mrkdwn(f"*Conflict style*\n{escape(d.style)}. {escape(d.style_note)}", FIELD_LIMIT),
            _mrkdwn(f"*Turns*\n{d.turns} (hints used: {d.hints_used})", FIELD_LIMIT),
        ]},
        _section(f"```{bars}```"),
    ]
    turning = turning_points_text(ended, more_turns)
    if turning:
        blocks.append(_section(turning))
    for title, quotes in (("Best lines", d.best), ("Lines to rethink", d.worst)):
        if quotes:
            lines = [
                f"> {escape(' '.join(q.text.split()))}\n_turn {q.turn}: {escape(q.note)}_ ({', '.join(q.labels)})"
                for q in quotes
            ]
            blocks.append(_section(f"*{title}*\n" + "\n".join(lines)))
    if d.tips:
        blocks.append(_section("*Tips*\n" + "\n".join(f"• {escape(t)}" for t in d.tips)))
    text = f"Debrief with {ended.persona.name}: {d.score}/100. {outcome_line(ended)}"
    return {"text": escape(text), "blocks": blocks}


def turning_points_text(ended: Ended, more: str | None = THREAD_HAS_TURNS) -> str | None:
    """The debrief's turning points with their reasons (mrkdwn, escaped, one section)."""
    points = ended.debrief.turning_points
    if not points:
        return None
    lines = [f"{turn_mark(m.delta)} *Turn {m.index}* ({m.mood_before} → {m.mood_after}): {escape(m.reason)}"
             for m in points]
    tail = f"\n_{more}_" if more and len(ended.debrief.timeline) > len(points) else ""
    return _fit("*Turning points*\n" + "\n".join(lines), SECTION_LIMIT - len(tail)) + tail


def turn_mark(delta: int) -> str:
    return ":small_red_triangle:" if delta > 0 else ":small_red_triangle_down:"


def report_message(report: Report) -> Message:
    """A reload's or an upload's result, problems one a line. Everything in it may quote a
    trainer's file, so all of it is escaped: a key named `<!channel>` pings nobody."""
    mark = ":white_check_mark:" if report.ok else ":warning:"
    text = f"{mark} {escape(report.text)}"
    return {"text": _fit(text, TEXT_LIMIT)}


def finished_text(ended: Ended) -> str:
    """The one channel line when a session ends."""
    return escape(finished_line(ended))


def home_view(sessions: list[PastSession], personas: Iterable[Persona]) -> dict[str, Any]:
    """The App Home tab: what Hotseat is, the trainee's recent scores, a way to start."""
    recent = _history_lines(sessions) if sessions else "No sessions yet: pick a customer below."
    picker = persona_picker(personas, "Start practising: your conversation opens in your messages with Hotseat.")
    return {
        "type": "home",
        "blocks": [
            _header("Hotseat"), _section(INTRO), {"type": "divider"},
            _section("*Your recent sessions*\n" + recent), {"type": "divider"}, *picker["blocks"],
        ],
    }


# -- pieces --------------------------------------------------------------------------------
def _history_lines(sessions: list[PastSession]) -> str:
    lines = []
    for s in sessions:
        when = f"<!date^{int(s.started_at)}^{{date_short}} {{time}}|{time.strftime('%Y-%m-%d', time.gmtime(s.started_at))}>"
        result = session_result(s, "*{score}/100*")
        lines.append(f"• {when}  {escape(s.persona_name)}: {result} ({s.turns} turns)")
    return "\n".join(lines)


def _fit(text: str, limit: int) -> str:
    """Cut to Slack's limit without splitting an escape like `&amp;`."""
    cut = clip(text, limit)
    if cut is text:
        return text
    body = cut[:-1]
    amp = body.rfind("&", len(body) - 5)
    if amp != -1 and ";" not in body[amp:]:
        body = body[:amp]
    return body + "…"


def _mrkdwn(text: str, limit: int = SECTION_LIMIT) -> Block:
    return {"type": "mrkdwn", "text": _fit(text, limit)}


def _section(text: str) -> Block:
    return {"type": "section", "text": _mrkdwn(text)}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [_mrkdwn(text)]}


def _header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": _fit(escape(text), HEADER_LIMIT)}}


def _button(label: str, action_id: str, style: str | None = None) -> Block:
    button: Block = {"type": "button", "text": {"type": "plain_text", "text": label}, "action_id": action_id}
    if style:
        button["style"] = style
    return button
