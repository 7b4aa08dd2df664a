"""Logging for the long-running front ends, with secrets scrubbed from every record.

Tokens reach log lines in ways nobody plans for: an SDK's debug output, an exception that
prints a URL or a request. The filter replaces any configured secret, and anything shaped
like a Slack or Discord token, before a handler ever sees the text.
"""

from __future__ import annotations

import logging
import re
from typing import Iterable

TOKEN_SHAPES = re.compile(
    r"xox[abposr]-[A-Za-z0-9-]{8,}"  # Slack bot/user/app tokens
    r"|xapp-[A-Za-z0-9-]{8,}"  # Slack app-level token (Socket Mode)
    r"|[MNO][A-Za-z\d_-]{23,27}\.[A-Za-z\d_-]{6}\.[A-Za-z\d_-]{27,40}"  # Discord bot token
)
REDACTED = "[redacted]"


class RedactSecrets(logging.Filter):
    """Rewrites each record's message so no known secret or token-shaped string survives."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if s and len(s) >= 6}, key=len, reverse=True)

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return TOKEN_SHAPES.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        clean = self.scrub(message)
        if record.exc_text:
            record.exc_text = self.scrub(record.exc_text)
        record.msg, record.args = clean, ()
        return True


def setup(secrets: Iterable[str] = (), level: int = logging.INFO) -> RedactSecrets:
    """Log to stderr through the redacting filter; returns it so callers can add secrets later."""
    redact = RedactSecrets(secrets)
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(redact)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    return redact
