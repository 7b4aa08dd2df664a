"""Making trainee text safe to process.

Chat text arrives with control characters, odd unicode and, sometimes, whole pasted
documents. (Escaping it again for display is each front end's job: Slack and Discord
defuse mentions differently.)
"""

from __future__ import annotations

import re
import unicodedata

from .errors import BadMessage

MAX_MESSAGE_CHARS = 4000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u200c\u200e\u200f\u2028-\u202e\u2060-\u206f\ufeff]")


def clean_message(text: str, max_chars: int = MAX_MESSAGE_CHARS) -> str:
    """Normalise one trainee message or say, kindly, why it cannot be used."""
    if not isinstance(text, str):
        raise BadMessage("That message could not be read as text.")
    if len(text) > max_chars * 4:  # don't normalise megabytes just to refuse them
        raise BadMessage(_too_long(len(text), max_chars))
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n"))
    text = _CONTROL.sub("", text).strip()
    if not text:
        raise BadMessage("That message is empty. Type what you would say to the customer.")
    if len(text) > max_chars:
        raise BadMessage(_too_long(len(text), max_chars))
    return text


def _too_long(n: int, max_chars: int) -> str:
    return (
        f"That message is {n:,} characters long; please keep replies under {max_chars:,}. "
        "A real customer would stop reading a wall of text. Nothing was sent to the customer."
    )

