"""Making trainee text safe to process.

Chat text arrives with control characters, odd unicode and, sometimes, whole pasted
documents. (Escaping it again for display is each front end's job: Slack and Discord
defuse mentions differently.)
"""

from __future__ import annotations

import re
import unicodedata
from typing import Sequence

from bot.core.errors import BadMessage

MAX_MESSAGE_CHARS = 4000
_CONTROL = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u200c\u200e\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufffe\uffff]"
)
# A lone surrogate is half an emoji: what chat JSON ("\ud83d") or undecodable bytes read
# with surrogateescape turn into. It cannot be stored or printed as UTF-8.
_SURROGATE = re.compile(r"[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def clean_text(text: str) -> str:
    """The one cleaning every entry point applies (service, console, `hotseat classify`), so
    the bot and the command line label the same words: NFC, no control, zero-width or
    bidi characters, and broken characters as U+FFFD."""
    text = _SURROGATE.sub(REPLACEMENT, text)
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n"))
    return _CONTROL.sub("", text).strip()


def clean_message(text: str, max_chars: int = MAX_MESSAGE_CHARS) -> str:
    """Normalise one trainee message or say, kindly, why it cannot be used."""
    if not isinstance(text, str):
        raise BadMessage("That message could not be read as text.")
    if len(text) > max_chars * 4:  # don't normalise megabytes just to refuse them
        raise BadMessage(_too_long(len(text), max_chars))
    text = clean_text(text)
    if not text:
        raise BadMessage("That message is empty. Type what you would say to the customer.")
    if not text.replace(REPLACEMENT, "").strip():
        raise BadMessage("That message arrived as broken characters and could not be read. Please type it again.")
    if len(text) > max_chars:
        raise BadMessage(_too_long(len(text), max_chars))
    return text


def _too_long(n: int, max_chars: int) -> str:
    return (
        f"That message is {n:,} characters long; please keep replies under {max_chars:,}. "
        "A real customer would stop reading a wall of text. Nothing was sent to the customer."
    )



def clip(text: str, limit: int, *, at_word: bool = False) -> str:
    """`text` in at most `limit` characters, ending in '…' where it was cut; with `at_word`,
    cut at a space when one is near the end, so a quote never stops mid-word."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if at_word:
        space = cut.rfind(" ")
        if space >= limit - 40:
            cut = cut[:space]
        cut = cut.rstrip(" ,;:.-—")
    return cut + "…"


def pack(lines: Sequence[str], limit: int) -> list[str]:
    """Lines packed into as few messages as fit `limit` characters each (joined by
    newlines); a longer line is clipped. Chat platforms cap a message, not a list."""
    out: list[str] = []
    current = ""
    for line in lines:
        line = clip(line, limit)
        if current and len(current) + 1 + len(line) > limit:
            out.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        out.append(current)
    return out
