"""The commands every chat front end offers, in one place, so Slack's `/hotseat help` and
Discord's command descriptions never drift apart; and the parsing of the typed form
(`/hotseat leaderboard month double-billing`) for platforms that pass one string."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from bot.core.errors import HotseatError
from bot.debrief.scoring import HINT_COST
from bot.core.service import PERIODS

INTRO = (
    "Hotseat plays a difficult customer so you can practise conflict handling. "
    "Start a session and reply to the customer in its thread as you would in a real support chat: "
    "empathy and ownership calm them, blame and excuses make them angrier. "
    "When the conversation ends you get a scored debrief with your best and worst lines."
)


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    usage: str  # arguments after the command name, as shown in help
    summary: str


COMMANDS: tuple[Command, ...] = (
    Command("start", "[persona]", "Practise with a difficult customer; without a persona you choose from a list."),
    Command("hint", "", f"A coaching tip for this moment of your conversation (costs {HINT_COST} points)."),
    Command("end", "", "Stop now and get your debrief."),
    Command("personas", "", "The customers you can practise with, and how hard each is."),
    Command("history", "", "Your recent sessions with their skill scores."),
    Command("debrief", "ID", "Read one of your debriefs again (the id is in `history`)."),
    Command("stats", "", "Your progress: sessions, average and trend per skill, your weakest skill and who to practise it with."),
    Command("leaderboard", "[week|month|all] [persona] | volume | optout | optin",
            "Top trainees by difficulty-weighted score; `volume` for practice streaks; `optout` hides you."),
    Command("help", "", "What Hotseat does and these commands."),
)
# What leads may do besides (roles as for trainers: HOTSEAT_LEADS).
LEAD_COMMANDS: tuple[Command, ...] = (
    Command("stats", "@trainee", "Any trainee's progress."),
    Command("team", "[column] [asc|desc] [page]", "Every trainee: sessions this week, average, weakest skill, last practice."),
    Command("export", "[csv|jsonl] [turns] [since] [until]", "The team's sessions as a file (dates as YYYY-MM-DD)."),
    Command("drill", "on [HH:MM] | off", "Post a drill of the day in this channel at HH:MM UTC."),
)
NAMES = tuple(dict.fromkeys(c.name for c in (*COMMANDS, *LEAD_COMMANDS)))

# What trainers (and leads) may do besides; everyone sees them in help, marked as theirs,
# so a trainee knows whom to ask. Each platform says how it takes a file.
TRAINER_COMMANDS: tuple[Command, ...] = (
    Command("personas reload", "", "Read the persona folder again; a file with problems keeps its previous version."),
    Command("personas upload", "", "Check a persona .yaml file, run its tests, and put it live."),
)
UPLOAD_HOW = {
    "slack": "To upload a persona, share its .yaml file in a direct message with Hotseat.",
    "discord": "To upload a persona, attach its .yaml file to `/hotseat personas upload`.",
}
PERSONAS_ACTIONS = ("list", "reload", "upload")
IN_THREAD_WORDS = {"hint": "hint", "end": "end"}  # a trainee may type these alone in the thread


@dataclass(frozen=True, slots=True)
class Invocation:
    name: str
    args: tuple[str, ...]


def parse(text: str) -> Invocation:
    """`start double-billing` -> Invocation('start', ('double-billing',)); empty text is help."""
    words = (text or "").split()
    if not words:
        return Invocation("help", ())
    name = words[0].lower()
    if name not in NAMES:
        close = difflib.get_close_matches(name, NAMES, n=1, cutoff=0.6)
        hint = f" Did you mean `{close[0]}`?" if close else ""
        raise HotseatError(f"I don't know the command `{words[0][:30]}`.{hint} Try `help` for the list.")
    return Invocation(name, tuple(words[1:]))


def leaderboard_args(args: tuple[str, ...] | list[str]) -> tuple[str, str | None]:
    """Period and persona in either order: `month`, `double-billing`, `all double-billing`."""
    period, persona = "week", None
    for arg in args:
        if arg.lower() in PERIODS:
            period = arg.lower()
        elif persona is None:
            persona = arg
        else:
            raise HotseatError("Leaderboard takes a period (week, month or all) and one persona at most.")
    return period, persona


def in_thread_word(text: str) -> str | None:
    """'hint' or 'end' when a thread message is just that word; anything else is a turn."""
    return IN_THREAD_WORDS.get((text or "").strip().strip(".!").lower())


def personas_action(args: tuple[str, ...] | list[str]) -> str:
    """`personas` alone lists them; `personas reload` / `personas upload` are for trainers."""
    if not args:
        return "list"
    action = args[0].lower()
    if len(args) > 1 or action not in PERSONAS_ACTIONS:
        raise HotseatError("`personas` takes `reload` or `upload` (for trainers), or nothing to list them.")
    return action


_USER_MENTION = re.compile(r"^<@!?([A-Za-z0-9]+)(?:\|([^>]*))?>$")


def mentioned_user(token: str) -> tuple[str, str | None] | None:
    """(user id, name or None) for a user mention as either platform writes it in text:
    Slack `<@U123>` / `<@U123|ana>`, Discord `<@123>` / `<@!123>`; None for anything else."""
    m = _USER_MENTION.match((token or "").strip())
    return (m.group(1), m.group(2) or None) if m else None
